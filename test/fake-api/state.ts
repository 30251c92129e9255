/**
 * The state of one account of the fake: its clock, batches, files, what is known of the inputs
 * of created batches, and how far each running batch got. Route handlers (batches.ts, files.ts,
 * uploads.ts), the lifecycle (lifecycle.ts) and the control plane (control.ts) all receive it;
 * this file owns the store operations every one of them shares (order, reset, put, remove, ids)
 * and the choice of seed.
 */
import { randomBytes } from 'node:crypto';
import type { Batch, BatchErrorItem, FileObject } from '../../src/core/api/types';
import { compareNewestFirst, DEMO_NOW, demoBatches, fixtureBatches, generateBatches } from './data';
import { EnqueuedTokenLimits } from './queueLimits';
import { liteLlmId, seededAs } from './quirks';
import type { FakeApiOptions, Quirks } from './types';

export type FileBody =
  | { kind: 'buffer'; data: Buffer }
  | { kind: 'lines'; count: number; line: (i: number) => string | null }
  | { kind: 'generated'; seed: number };

export interface FileEntry {
  object: FileObject;
  body: FileBody;
  /** Derived from a seeded batch on first access; forgotten when that batch is replaced. */
  derived: boolean;
}

/** What is known about the requests of a batch created through POST /v1/batches. */
export interface BatchInput {
  customIds: string[];
  models: (string | null)[];
  /** Requests that will fail when run (no model). */
  failing: boolean[];
  /** Of the failing ones, those that fail only this once (FLAKY_MODEL in data.ts). */
  transient?: boolean[];
  /** Validation errors: the batch will fail when validation ends. */
  errors: BatchErrorItem[];
}

/** Which requests of a batch fail, by position: failedAmong(m) = failures among the first m requests. */
export interface FailurePlan {
  failedAmong(m: number): number;
}

export interface Progress {
  /** Fake time up to which requests were counted. */
  last: number;
  /** Fractional requests carried over between clock advances. */
  carry: number;
}

function newBatchId(createdAt: number): string {
  return `batch_${(createdAt >>> 0).toString(16).padStart(8, '0').slice(-8)}${randomBytes(12).toString('hex')}`;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function newFileId(): string {
  let id = 'file-';
  for (const byte of randomBytes(22)) id += BASE62[byte % 62];
  return id;
}

function latestTimestamp(batches: Batch[]): number {
  let latest = 0;
  for (const b of batches) {
    for (const t of [
      b.created_at,
      b.in_progress_at,
      b.finalizing_at,
      b.completed_at,
      b.failed_at,
      b.expired_at,
      b.cancelling_at,
      b.cancelled_at,
    ]) {
      if (typeof t === 'number' && t > latest) latest = t;
    }
  }
  return latest;
}

export function defaultNow(seed: FakeApiOptions['seed']): number {
  if (Array.isArray(seed)) return seed.length > 0 ? latestTimestamp(seed) + 3600 : DEMO_NOW;
  if (seed === undefined || seed === 'fixture') return latestTimestamp(fixtureBatches()) + 3600;
  return DEMO_NOW;
}

function seedBatches(seed: FakeApiOptions['seed'], now: number): Batch[] {
  if (Array.isArray(seed)) return structuredClone(seed);
  if (seed === undefined || seed === 'fixture') return fixtureBatches();
  if (seed === 'demo') return demoBatches(Math.floor(now));
  if (seed === 'empty') return [];
  return generateBatches(seed.generated, { now: Math.floor(now) });
}

export class AccountState {
  /** The fake clock, in unix seconds (fractions while batches are being stepped). */
  nowSeconds: number;
  readonly batches = new Map<string, Batch>();
  private sortedCache: { list: Batch[]; index: Map<string, number> } | undefined;
  readonly files = new Map<string, FileEntry>();
  /** Deleted file ids, so that a batch's derived files are not derived again. */
  readonly deleted = new Set<string>();
  readonly inputs = new Map<string, BatchInput>();
  /** custom_ids of FLAKY_MODEL requests already sent once. */
  readonly flakySent = new Set<string>();
  readonly plans = new Map<string, FailurePlan>();
  readonly progress = new Map<string, Progress>();
  /** `output_expires_after.seconds` of the batches created with one. */
  readonly outputExpiry = new Map<string, number>();
  readonly enqueuedTokenLimits = new EnqueuedTokenLimits();

  constructor(
    readonly quirks: Quirks,
    now: number,
  ) {
    this.nowSeconds = now;
  }

  sorted(): { list: Batch[]; index: Map<string, number> } {
    if (!this.sortedCache) {
      const list = [...this.batches.values()].sort(compareNewestFirst);
      this.sortedCache = { list, index: new Map(list.map((b, i) => [b.id, i])) };
    }
    return this.sortedCache;
  }

  /** Call after adding or removing a batch: the list order is computed again on next use. */
  listChanged(): void {
    this.sortedCache = undefined;
  }

  reset(seed: FakeApiOptions['seed']): void {
    this.batches.clear();
    this.files.clear();
    this.inputs.clear();
    this.flakySent.clear();
    this.plans.clear();
    this.progress.clear();
    this.outputExpiry.clear();
    this.deleted.clear();
    for (const batch of seedBatches(seed, this.nowSeconds).map((seeded) => seededAs(this.quirks, seeded, () => this.newFileId())))
      this.batches.set(batch.id, batch);
    this.listChanged();
  }

  newBatchId(createdAt: number): string {
    const id = newBatchId(createdAt);
    return this.quirks.longIds ? liteLlmId(id) : id;
  }

  newFileId(): string {
    const id = newFileId();
    return this.quirks.longIds ? liteLlmId(id) : id;
  }

  put(batch: Batch): void {
    const previous = this.batches.get(batch.id);
    if (previous) this.forgetDerivedFiles(previous);
    const copy = structuredClone(batch);
    this.forgetDerivedFiles(copy);
    this.batches.set(copy.id, copy);
    this.plans.delete(copy.id);
    this.progress.delete(copy.id);
    this.listChanged();
  }

  remove(id: string): void {
    const batch = this.batches.get(id);
    if (batch) this.forgetDerivedFiles(batch);
    this.batches.delete(id);
    this.inputs.delete(id);
    this.plans.delete(id);
    this.progress.delete(id);
    this.listChanged();
  }

  private forgetDerivedFiles(batch: Batch): void {
    for (const id of [batch.input_file_id, batch.output_file_id, batch.error_file_id]) {
      if (id && this.files.get(id)?.derived) this.files.delete(id);
    }
  }
}
