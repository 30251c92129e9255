/**
 * The submission queue's data and decisions, without I/O: which waiting part may be created now
 * under each model's enqueued-token limit, why the others wait, and what a `token_limit_exceeded`
 * answer teaches. A part's batch counts as enqueued from its create until it ends.
 */

import { TERMINAL_STATUSES } from '../batches/batchFacts';
import { statusOf } from '../batches/grouping';
import type { Batch, ExpiresAfter } from '../api/types';

/** The error code OpenAI gives a batch over the model's enqueued-token limit (at create, or later at validation). */
export const TOKEN_LIMIT_CODE = 'token_limit_exceeded';

/** Backoff after a token-limit failure: 30 s doubling up to 30 min, never a tight loop. */
export const BACKOFF = { firstMs: 30_000, maxMs: 30 * 60_000 } as const;

/** One part waiting to be (or already) created. */
export interface QueuedPart {
  /** 1-based, of {@link QueuedGroup.parts}' original count. */
  index: number;
  /** The part's input file on disk. */
  path: string;
  requests: number;
  bytes: number;
  /** Estimated prompt tokens. */
  tokens: number;
  /** The model most of its tokens go to ('' when unknown). */
  model: string;
  /** Set once uploaded: a retry creates from it without uploading again. */
  fileId?: string;
  /** Set once created (and still counted as enqueued until {@link finished}). */
  batchId?: string;
  /** The terminal status its batch ended in. */
  finished?: string;
  /** Enqueued tokens of its model (by our estimates) when it was created: what a later limit failure teaches. */
  enqueuedAtCreate?: number;
  /** Token-limit failures so far. */
  attempts: number;
  /** Unix ms before which it is not tried again. */
  notBefore?: number;
  /** Batches of its model that were active when it met the limit: it is retried once one of them has finished. */
  waitFor?: string[];
  /** Batches of this part that failed on the limit: never adopted as its batch. */
  rejected?: string[];
  /** The last failure other than the limit (an upload that failed, a 500). */
  lastError?: string;
}

export type QueueSource = 'split' | 'resubmit' | 'create';

/** Parts that belong together (the parts of one split file, a resubmission, one oversized create). */
export interface QueuedGroup {
  /** `metadata.group` of every part's batch. */
  group: string;
  /** The source file's name, as shown. */
  name: string;
  source: QueueSource;
  endpoint: string;
  description: string;
  /** Extra metadata of every part (a resubmission's `resubmit_of`). */
  metadata?: Record<string, string>;
  outputExpiresAfter?: ExpiresAfter;
  inputExpiresAfter?: ExpiresAfter;
  /** Unix ms. */
  createdAt: number;
  paused: boolean;
  /** A folder of the extension's own (a split plan's) to remove once every part has finished. */
  cleanup?: string;
  parts: QueuedPart[];
  /** How many parts the group had when it was queued (Remove may take some away). */
  count: number;
}

/** What one account's queue keeps on disk. */
export interface QueueFile {
  version: 1;
  account: string;
  groups: QueuedGroup[];
  /** Ceilings met per model: tokens enqueued (with the part) that the server refused; the limit is below. */
  ceilings: Record<string, { tokens: number; at: number }>;
}

export function emptyQueue(account: string): QueueFile {
  return { version: 1, account, groups: [], ceilings: {} };
}

/** Why a part waits. */
export type WaitReason =
  | { kind: 'paused' }
  | { kind: 'limit'; model: string; enqueued: number; limit: number; learned: boolean }
  | { kind: 'earlierPart'; model: string }
  | { kind: 'afterFinish'; model: string; attempts: number }
  | { kind: 'backoff'; until: number; attempts: number };

export type PartState =
  | { kind: 'waiting'; reason: WaitReason }
  | { kind: 'ready' }
  | { kind: 'submitted'; batchId: string }
  | { kind: 'finished'; status: string };

export function isFinishedStatus(batch: Batch): boolean {
  return TERMINAL_STATUSES.has(statusOf(batch));
}

/** Whether a batch failed on its model's enqueued-token limit. */
export function metTokenLimit(batch: Batch): boolean {
  if (statusOf(batch) !== 'failed') return false;
  const data: unknown = batch.errors?.data;
  const items = Array.isArray(data) ? data : data && typeof data === 'object' ? [data] : [];
  return items.some((item) => !!item && typeof item === 'object' && (item as { code?: unknown }).code === TOKEN_LIMIT_CODE);
}

/** Tokens of a model enqueued by the queue's own created, unfinished parts. */
export function enqueuedTokens(queue: QueueFile, model: string): number {
  let sum = 0;
  for (const group of queue.groups)
    for (const part of group.parts) if (part.batchId && !part.finished && part.model === model) sum += part.tokens;
  return sum;
}

/** Batch ids of a model's created, unfinished parts. */
export function activeBatchIds(queue: QueueFile, model: string): string[] {
  const ids: string[] = [];
  for (const group of queue.groups)
    for (const part of group.parts) if (part.batchId && !part.finished && part.model === model) ids.push(part.batchId);
  return ids;
}

/** The limit in force for a model: the setting's, or the ceiling met if lower; undefined: no limit. */
export function limitFor(
  queue: QueueFile,
  limits: Readonly<Record<string, number>>,
  model: string,
): { limit: number; learned: boolean } | undefined {
  const set = limits[model];
  const met = queue.ceilings[model]?.tokens;
  const configured = typeof set === 'number' && Number.isFinite(set) && set > 0 ? set : undefined;
  if (met !== undefined && (configured === undefined || met - 1 < configured)) return { limit: Math.max(0, met - 1), learned: true };
  return configured === undefined ? undefined : { limit: configured, learned: false };
}

/** Whether the queue would hold a part of this model at all (a limit is set or was learned). */
export function limitApplies(queue: QueueFile, limits: Readonly<Record<string, number>>, model: string): boolean {
  return limitFor(queue, limits, model) !== undefined;
}

/**
 * The state of every part, in queue order (groups by creation, parts by index): created parts
 * count as enqueued, and waiting parts are made ready while their model's tokens fit. Parts of
 * one model go in order: a later, smaller part never overtakes one that waits.
 */
export function planQueue(queue: QueueFile, limits: Readonly<Record<string, number>>, nowMs: number): Map<QueuedPart, PartState> {
  const states = new Map<QueuedPart, PartState>();
  const enqueued = new Map<string, number>();
  const blocked = new Set<string>();
  const enqueuedOf = (model: string): number => enqueued.get(model) ?? enqueuedTokens(queue, model);
  const groups = [...queue.groups].sort((a, b) => a.createdAt - b.createdAt);
  for (const group of groups) {
    for (const part of [...group.parts].sort((a, b) => a.index - b.index)) {
      if (part.finished) {
        states.set(part, { kind: 'finished', status: part.finished });
        continue;
      }
      if (part.batchId) {
        states.set(part, { kind: 'submitted', batchId: part.batchId });
        continue;
      }
      const wait = (reason: WaitReason): void => {
        states.set(part, { kind: 'waiting', reason });
        blocked.add(part.model);
      };
      if (group.paused) {
        states.set(part, { kind: 'waiting', reason: { kind: 'paused' } });
        continue;
      }
      if (blocked.has(part.model)) {
        states.set(part, { kind: 'waiting', reason: { kind: 'earlierPart', model: part.model } });
        continue;
      }
      if (part.notBefore !== undefined && part.notBefore > nowMs) {
        wait({ kind: 'backoff', until: part.notBefore, attempts: part.attempts });
        continue;
      }
      const active = new Set(activeBatchIds(queue, part.model));
      if (part.waitFor?.length && part.waitFor.every((id) => active.has(id))) {
        wait({ kind: 'afterFinish', model: part.model, attempts: part.attempts });
        continue;
      }
      const current = enqueuedOf(part.model);
      const limit = limitFor(queue, limits, part.model);
      // A part over the limit on its own goes when nothing else of its model is enqueued: the server decides.
      if (limit && current > 0 && current + part.tokens > limit.limit) {
        wait({ kind: 'limit', model: part.model, enqueued: current, limit: limit.limit, learned: limit.learned });
        continue;
      }
      states.set(part, { kind: 'ready' });
      enqueued.set(part.model, current + part.tokens);
    }
  }
  return states;
}

/** Milliseconds to wait after the `attempts`-th token-limit failure. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * A part met its model's limit (at create, or its batch failed validation with the code): it goes
 * back to waiting, the ceiling is recorded (the limit is below what was enqueued with the part),
 * and it is tried again after one of the batches active now has finished, and the backoff.
 */
export function learnFromLimit(queue: QueueFile, part: QueuedPart, enqueuedWithout: number, nowMs: number): void {
  const met = enqueuedWithout + part.tokens;
  const known = queue.ceilings[part.model];
  if (!known || met < known.tokens) queue.ceilings[part.model] = { tokens: met, at: nowMs };
  if (part.batchId) part.rejected = [...(part.rejected ?? []), part.batchId].slice(-20);
  part.batchId = undefined;
  part.enqueuedAtCreate = undefined;
  part.attempts++;
  part.notBefore = nowMs + backoffMs(part.attempts);
  const active = activeBatchIds(queue, part.model);
  part.waitFor = active.length ? active : undefined;
}

/** A part created on the server; it counts as enqueued from now. */
export function markCreated(queue: QueueFile, part: QueuedPart, batchId: string): void {
  part.enqueuedAtCreate = enqueuedTokens(queue, part.model);
  part.batchId = batchId;
  part.waitFor = undefined;
  part.notBefore = undefined;
  part.lastError = undefined;
}

/**
 * What the server says of a created part's batch: finished, back in the queue (limit met), or
 * nothing new. Returns true when the part changed.
 */
export function applyBatch(queue: QueueFile, part: QueuedPart, batch: Batch, nowMs: number): boolean {
  if (!part.batchId || batch.id !== part.batchId || part.finished) return false;
  if (metTokenLimit(batch)) {
    const enqueued = part.enqueuedAtCreate ?? Math.max(0, enqueuedTokens(queue, part.model) - part.tokens);
    learnFromLimit(queue, part, enqueued, nowMs);
    return true;
  }
  if (isFinishedStatus(batch)) {
    part.finished = statusOf(batch);
    return true;
  }
  return false;
}

/** Groups whose every part has finished. */
export function finishedGroups(queue: QueueFile): QueuedGroup[] {
  return queue.groups.filter((group) => group.parts.length > 0 && group.parts.every((part) => part.finished));
}

/** The part a batch's metadata names, in `group`: its `metadata.group` and `metadata.part` (`i/N`). */
export function partNamedBy(group: QueuedGroup, batch: Batch): QueuedPart | undefined {
  const metadata = batch.metadata;
  if (!metadata || metadata.group !== group.group || typeof metadata.part !== 'string') return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(metadata.part.trim());
  if (!match || Number(match[2]) !== group.count) return undefined;
  return group.parts.find((part) => part.index === Number(match[1]));
}

/** Parts not yet finished, over all groups. */
export function pendingParts(queue: QueueFile): number {
  return queue.groups.reduce((sum, group) => sum + group.parts.filter((part) => !part.finished).length, 0);
}
