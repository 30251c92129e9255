/**
 * Chains of batches: a resubmission points at the batch it re-runs (`metadata.resubmit_of`), and
 * the parts of a split input share a group (`metadata.group`, `metadata.part` = `i/N`). A chain
 * is every batch linked to another by either key; its combined outcome per original `custom_id`
 * is the outcome of the latest attempt that ran it. No `vscode`, no I/O.
 */

import { plainText } from '../util/text';
import type { Batch } from '../api/types';

/** The metadata keys a chain is read from. */
export const ChainKey = {
  resubmitOf: 'resubmit_of',
  group: 'group',
  part: 'part',
  description: 'description',
} as const;

/** What the Batch API accepts as `metadata`: at most 16 pairs, keys ≤ 64 characters, string values ≤ 512. */
export const METADATA_LIMITS = { pairs: 16, keyChars: 64, valueChars: 512 } as const;

/** A split part's position: `part` = `2/3`. */
export interface PartOf {
  index: number;
  count: number;
}

export interface ChainLinks {
  resubmitOf?: string;
  group?: string;
  part?: PartOf;
}

function metadataString(batch: Batch, key: string): string | undefined {
  const metadata: unknown = batch.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const value = (metadata as Record<string, unknown>)[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Reads `i/N` (1 ≤ i ≤ N); anything else is no part. */
export function parsePart(text: string | undefined): PartOf | undefined {
  const match = text ? /^(\d{1,6})\s*\/\s*(\d{1,6})$/.exec(text) : null;
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return index >= 1 && index <= count ? { index, count } : undefined;
}

/** The chain keys of a batch's metadata, read defensively (metadata may be null or hold anything). */
export function chainLinks(batch: Batch): ChainLinks {
  const links: ChainLinks = {};
  const resubmitOf = metadataString(batch, ChainKey.resubmitOf);
  if (resubmitOf && resubmitOf !== batch.id) links.resubmitOf = resubmitOf;
  const group = metadataString(batch, ChainKey.group);
  if (group) links.group = group;
  const part = parsePart(metadataString(batch, ChainKey.part));
  if (part) links.part = part;
  return links;
}

/**
 * Metadata trimmed to what the API accepts: string values cut to 512 characters, keys over 64
 * characters dropped, and at most 16 pairs (the `required` keys first, in their order).
 */
export function fitMetadata(pairs: Record<string, string>, required: readonly string[] = []): Record<string, string> {
  const fitted: Record<string, string> = {};
  const keys = [...required.filter((key) => key in pairs), ...Object.keys(pairs).filter((key) => !required.includes(key))];
  for (const key of keys) {
    if (Object.keys(fitted).length >= METADATA_LIMITS.pairs) break;
    const value = pairs[key];
    if (key.length === 0 || key.length > METADATA_LIMITS.keyChars || typeof value !== 'string') continue;
    fitted[key] = value.length > METADATA_LIMITS.valueChars ? value.slice(0, METADATA_LIMITS.valueChars) : value;
  }
  return fitted;
}

/** The original's description (or name), which a resubmission keeps. */
export function descriptionOf(batch: Batch): string | undefined {
  return metadataString(batch, ChainKey.description) ?? metadataString(batch, 'name');
}

/**
 * The metadata of a resubmission of `original`: its description, kept, and `resubmit_of`.
 * Throws when the original's id is too long to be a metadata value (some providers' ids are).
 */
export function resubmitMetadata(original: Batch, description = descriptionOf(original)): Record<string, string> {
  if (original.id.length > METADATA_LIMITS.valueChars) {
    throw new RangeError(
      `The batch id is ${original.id.length} characters, too long for metadata (512 at most): the link cannot be stored.`,
    );
  }
  const pairs: Record<string, string> = { [ChainKey.resubmitOf]: original.id };
  if (description) pairs[ChainKey.description] = description;
  return fitMetadata(pairs, [ChainKey.resubmitOf]);
}

/** The metadata of part `index` of `count` of a split group. */
export function partMetadata(group: string, index: number, count: number, description?: string): Record<string, string> {
  const pairs: Record<string, string> = { [ChainKey.group]: group, [ChainKey.part]: `${index}/${count}` };
  if (description?.trim()) pairs[ChainKey.description] = description.trim();
  return fitMetadata(pairs, [ChainKey.group, ChainKey.part]);
}

/** What the tree puts before a batch's description: `part 2/3 · group abc · `, `retry of batch_1… · `. */
export function chainPrefix(batch: Batch): string {
  const { group, part, resubmitOf } = chainLinks(batch);
  const bits: string[] = [];
  if (part) bits.push(`part ${part.index}/${part.count}`);
  if (group) bits.push(`group ${group.length > 16 ? `${group.slice(0, 15)}…` : group}`);
  if (resubmitOf) bits.push(`resubmission of ${resubmitOf.length > 20 ? `${resubmitOf.slice(0, 19)}…` : resubmitOf}`);
  return bits.length ? `${plainText(bits.join(' · '), 120)} · ` : '';
}

/** One batch of a chain, with its attempt: 1 for an original (or a split part), +1 per `resubmit_of` hop. */
export interface ChainMember {
  batch: Batch;
  attempt: number;
}

/**
 * Every known batch linked to `start` through `resubmit_of` (either way) or a shared group,
 * ordered by attempt, then part, then creation. A link to a batch not in `known` ends there:
 * {@link unknownLinks} names the ids to fetch first.
 */
export function findChain(start: Batch, known: Iterable<Batch>): ChainMember[] {
  const byId = new Map<string, Batch>();
  for (const batch of known) byId.set(batch.id, batch);
  byId.set(start.id, byId.get(start.id) ?? start);
  const children = new Map<string, string[]>();
  const groups = new Map<string, string[]>();
  for (const batch of byId.values()) {
    const { resubmitOf, group } = chainLinks(batch);
    if (resubmitOf) children.set(resubmitOf, [...(children.get(resubmitOf) ?? []), batch.id]);
    if (group) groups.set(group, [...(groups.get(group) ?? []), batch.id]);
  }
  const members = new Set<string>([start.id]);
  const queue = [start.id];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const batch = byId.get(id);
    if (!batch) continue;
    const { resubmitOf, group } = chainLinks(batch);
    const linked = [...(children.get(id) ?? []), ...(group ? (groups.get(group) ?? []) : [])];
    if (resubmitOf && byId.has(resubmitOf)) linked.push(resubmitOf);
    for (const next of linked) {
      if (!members.has(next)) {
        members.add(next);
        queue.push(next);
      }
    }
  }
  const attemptOf = (id: string): number => {
    let attempt = 1;
    const seen = new Set<string>([id]);
    let parent = chainLinks(byId.get(id) as Batch).resubmitOf;
    while (parent && byId.has(parent) && !seen.has(parent)) {
      seen.add(parent);
      attempt++;
      parent = chainLinks(byId.get(parent) as Batch).resubmitOf;
    }
    return attempt;
  };
  return [...members]
    .map((id) => ({ batch: byId.get(id) as Batch, attempt: attemptOf(id) }))
    .sort(
      (a, b) =>
        a.attempt - b.attempt ||
        (chainLinks(a.batch).part?.index ?? 0) - (chainLinks(b.batch).part?.index ?? 0) ||
        (Number(a.batch.created_at) || 0) - (Number(b.batch.created_at) || 0) ||
        (a.batch.id < b.batch.id ? -1 : a.batch.id > b.batch.id ? 1 : 0),
    );
}

/** `resubmit_of` ids of the chain's members that are not among them: fetch these, then find the chain again. */
export function unknownLinks(chain: readonly ChainMember[]): string[] {
  const ids = new Set(chain.map((member) => member.batch.id));
  const unknown = new Set<string>();
  for (const { batch } of chain) {
    const { resubmitOf } = chainLinks(batch);
    if (resubmitOf && !ids.has(resubmitOf)) unknown.add(resubmitOf);
  }
  return [...unknown];
}

/** The batches this one re-runs and is re-run by, as the detail view says them. */
export interface ChainNeighbours {
  resubmissionOf?: string;
  resubmittedAs: string[];
  group?: { id: string; part?: PartOf; siblings: string[] };
}

/** Direct neighbours of `batch` among `known`: its original, its resubmissions, its group's other parts. */
export function chainNeighbours(batch: Batch, known: Iterable<Batch>): ChainNeighbours {
  const { resubmitOf, group, part } = chainLinks(batch);
  const neighbours: ChainNeighbours = { resubmittedAs: [] };
  if (resubmitOf) neighbours.resubmissionOf = resubmitOf;
  const siblings: { id: string; index: number }[] = [];
  for (const other of known) {
    if (other.id === batch.id) continue;
    const links = chainLinks(other);
    if (links.resubmitOf === batch.id) neighbours.resubmittedAs.push(other.id);
    if (group && links.group === group) siblings.push({ id: other.id, index: links.part?.index ?? 0 });
  }
  if (group) neighbours.group = { id: group, part, siblings: siblings.sort((a, b) => a.index - b.index).map((s) => s.id) };
  return neighbours;
}
