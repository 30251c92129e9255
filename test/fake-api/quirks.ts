/**
 * Provider quirks: how OpenAI-compatible providers (Azure, LiteLLM, other proxies) answer
 * differently from OpenAI, one flag each. They change what the fake sends (present), the ids it
 * makes (liteLlmId) and how seeded batches look (seededAs), never the rules of its state. The
 * flags themselves are listed, one comment each, in QUIRKS (types.ts).
 */
import { createHash } from 'node:crypto';
import type { Batch, FileObject } from '../../src/core/api/types';
import { hashString } from './data';
import { isRecord } from './http';
import { QUIRKS, type Quirk, type Quirks } from './types';

/** `all`, or a comma-separated list of quirk names (the CLI's `--quirks`); throws on an unknown name. */
export function parseQuirks(text: string): Quirks {
  if (text.trim() === 'all') return Object.fromEntries(QUIRKS.map((quirk) => [quirk, true]));
  const quirks: Quirks = {};
  for (const name of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (!(QUIRKS as readonly string[]).includes(name)) throw new Error(`unknown quirk '${name}' (known: ${QUIRKS.join(', ')}, or all)`);
    quirks[name as Quirk] = true;
  }
  return quirks;
}

/**
 * An id as LiteLLM's proxy makes them: its routing facts, base64-encoded (standard alphabet, so
 * `+`, `/` and `=` occur), well over 200 characters. Like LiteLLM's, they begin alike and differ
 * at the end, where the provider's own id is encoded.
 */
export function liteLlmId(inner: string): string {
  const hash = createHash('sha256').update(inner).digest('hex');
  // 15 bytes, so the marker below starts a base64 group.
  const head = 'litellm_proxy;;';
  // Encodes as `++++////`, so every long id holds a `+` and a `/`.
  const marker = Buffer.from([0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff]);
  const facts = inner.startsWith('batch_')
    ? `model_id:${hash};deployment:azure-eastus-gpt-4o-mini;llm_batch_id:${inner}`
    : `unified_id,${hash};target_model_names,gpt-4o-mini,gpt-4.1-mini;llm_output_file_id,${inner}`;
  // A length of 3n+1 bytes in all makes the base64 end in `==`.
  const tail = `${';'.repeat((((1 - facts.length) % 3) + 3) % 3)}${facts}`;
  return Buffer.concat([Buffer.from(head), marker, Buffer.from(tail)]).toString('base64');
}

const TIME_FIELDS = [
  'created_at',
  'in_progress_at',
  'expires_at',
  'finalizing_at',
  'completed_at',
  'failed_at',
  'expired_at',
  'cancelling_at',
  'cancelled_at',
] as const;

/** Unix seconds as ISO-8601, in the spellings compatible servers use (with and without milliseconds, `Z` or `+00:00`). */
function isoTime(seconds: number, variant: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return variant % 3 === 0 ? iso : variant % 3 === 1 ? iso.replace('.000Z', 'Z') : iso.replace('Z', '+00:00');
}

/** `in_progress` as `IN_PROGRESS`, `In_progress` or `In Progress`, chosen by `variant`. */
function oddCase(status: string, variant: number): string {
  if (variant % 3 === 0) return status.toUpperCase();
  if (variant % 3 === 1) return status.charAt(0).toUpperCase() + status.slice(1);
  return status
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

export function quirky(quirks: Quirks): boolean {
  return QUIRKS.some((quirk) => quirks[quirk]);
}

/** A 200 reply as a quirky provider sends it (see QUIRKS): copies, so the store keeps the API's own shapes. */
export function present(quirks: Quirks, json: unknown): unknown {
  if (!isRecord(json)) return json;
  if (json.object === 'batch') return presentBatch(quirks, json as unknown as Batch);
  if (json.object === 'file') return presentFile(quirks, json as unknown as FileObject);
  if (json.object === 'list' && Array.isArray(json.data)) {
    const list: Record<string, unknown> = { ...json, data: json.data.map((item: unknown) => present(quirks, item)) };
    if (quirks.noHasMore || quirks.pagedNoHasMore) delete list.has_more;
    return list;
  }
  return json;
}

function presentBatch(quirks: Quirks, batch: Batch): Record<string, unknown> {
  // Untyped: these are the shapes Batch does not describe.
  const shown: Record<string, unknown> = structuredClone(batch) as unknown as Record<string, unknown>;
  const variant = hashString(batch.id);
  if (quirks.statusCase && typeof shown.status === 'string') shown.status = oddCase(shown.status, variant);
  if (quirks.isoTimestamps) {
    TIME_FIELDS.forEach((field, i) => {
      const value = shown[field];
      if (typeof value === 'number') shown[field] = isoTime(value, variant + i);
    });
  }
  if (quirks.nullEndpoint) shown.endpoint = null;
  if (quirks.nullCounts) shown.request_counts = null;
  return shown;
}

function presentFile(quirks: Quirks, file: FileObject): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...file };
  if (quirks.isoTimestamps) {
    for (const field of ['created_at', 'expires_at'] as const) {
      const value = shown[field];
      if (typeof value === 'number') shown[field] = isoTime(value, hashString(file.id));
    }
  }
  return shown;
}

/** A seeded batch as this provider would have it: long ids, Azure's empty error file. */
export function seededAs(quirks: Quirks, batch: Batch, newFileId: () => string): Batch {
  if (quirks.longIds) {
    batch.id = liteLlmId(batch.id);
    for (const field of ['input_file_id', 'output_file_id', 'error_file_id'] as const) {
      const id = batch[field];
      if (id) batch[field] = liteLlmId(id);
    }
  }
  const counts = batch.request_counts;
  if (quirks.azureEmptyErrorFile && batch.status === 'completed' && batch.output_file_id && !batch.error_file_id && !counts?.failed) {
    batch.error_file_id = newFileId();
  }
  return batch;
}
