/**
 * A split in progress: the parts planned by splitInput.ts, which of them are uploaded and
 * created, saved on disk after every step (keyed by the file's SHA-256 and the account) so that a
 * failure at part 7 of 9 resumes there without uploading twice.
 */

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchCreationError, fileBlob, uploadAndCreateBatch } from './batchCreation';
import type { BatchApiClient } from '../api/client';
import { isRecord } from '../util/json';
import { partMetadata } from '../batches/batchChains';
import { safeFileName } from '../util/fileNames';
import type { Batch, ExpiresAfter } from '../api/types';

/** One planned part and how far it got. */
export interface PlannedPart {
  /** 1-based. */
  index: number;
  path: string;
  requests: number;
  bytes: number;
  embeddingInputs: number;
  /** Set once uploaded: a retry creates the batch from it without uploading again. */
  fileId?: string;
  /** Set once its batch is created: a retry skips it. */
  batchId?: string;
}

/** A split in progress, saved after every step. */
export interface SplitPlan {
  version: 1;
  key: string;
  /** The source file's name, SHA-256 and size. */
  source: { name: string; sha256: string; bytes: number };
  account: string;
  endpoint: string;
  description: string;
  group: string;
  outputExpiresAfter?: ExpiresAfter;
  inputExpiresAfter?: ExpiresAfter;
  /** Unix ms. */
  createdAt: number;
  parts: PlannedPart[];
}

/** The key a plan is saved under: the file's content and the account it is sent to. */
export function planKey(sha256: string, account: string): string {
  return createHash('sha256').update(`${sha256}\n${account}`).digest('hex').slice(0, 32);
}

/** A short id for a new group, as it appears in metadata and the tree. */
export function newGroupId(): string {
  return `split_${randomBytes(4).toString('hex')}`;
}

export function partsDone(plan: SplitPlan): number {
  return plan.parts.filter((part) => part.batchId).length;
}

function isPlan(value: unknown): value is SplitPlan {
  return (
    isRecord(value) &&
    value.version === 1 &&
    typeof value.key === 'string' &&
    typeof value.group === 'string' &&
    typeof value.endpoint === 'string' &&
    Array.isArray(value.parts) &&
    value.parts.every((part) => isRecord(part) && typeof part.path === 'string' && typeof part.index === 'number')
  );
}

/** Plans on disk, one folder per key holding `plan.json` and the part files. */
export class SplitPlanStore {
  constructor(readonly root: string) {}

  folder(key: string): string {
    return join(this.root, key.replace(/[^\w-]/g, '_'));
  }

  async load(key: string): Promise<SplitPlan | undefined> {
    try {
      const value: unknown = JSON.parse(await readFile(join(this.folder(key), 'plan.json'), 'utf8'));
      return isPlan(value) && value.key === key ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a plan. */
  async save(plan: SplitPlan): Promise<void> {
    const folder = this.folder(plan.key);
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `plan.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temporary, JSON.stringify(plan, null, 1));
    await rename(temporary, join(folder, 'plan.json'));
  }

  /** Forgets a plan and its part files. */
  async remove(key: string): Promise<void> {
    await rm(this.folder(key), { recursive: true, force: true });
  }
}

export type PartStep = 'upload' | 'create';

export interface RunPlanOptions {
  signal?: AbortSignal;
  /** Before each step of each part. */
  onStep?: (part: PlannedPart, step: PartStep, of: number) => void;
  /** After each part's batch is created. */
  onCreated?: (part: PlannedPart, batch: Batch) => void;
}

/** A part's step failed; the plan (saved) keeps every part done before it. */
export class SplitRunError extends Error {
  override readonly name = 'SplitRunError';

  constructor(
    readonly part: PlannedPart,
    readonly count: number,
    override readonly cause: BatchCreationError,
  ) {
    super(`Part ${part.index} of ${count}: ${cause.message}`);
  }
}

/**
 * Uploads and creates the parts not yet created, one after another, saving the plan after each
 * step: a part already uploaded is created from its file, one already created is skipped.
 * Rejects with a {@link SplitRunError} at the first failure.
 */
export async function runSplitPlan(
  client: BatchApiClient,
  plan: SplitPlan,
  store: SplitPlanStore,
  options: RunPlanOptions = {},
): Promise<Batch[]> {
  const created: Batch[] = [];
  const count = plan.parts.length;
  for (const part of plan.parts) {
    if (part.batchId) continue;
    try {
      const { fileId, batch } = await uploadAndCreateBatch(client, {
        data: () => fileBlob(part.path),
        filename: safeFileName(`${plan.source.name.replace(/\.jsonl$/i, '')}.part-${part.index}-of-${count}.jsonl`),
        endpoint: plan.endpoint,
        description: plan.description,
        metadata: partMetadata(plan.group, part.index, count),
        inputExpiresAfter: plan.inputExpiresAfter,
        outputExpiresAfter: plan.outputExpiresAfter,
        uploadedFileId: part.fileId,
        signal: options.signal,
        onStep: (step) => options.onStep?.(part, step, count),
      });
      part.fileId = fileId;
      part.batchId = batch.id;
      await store.save(plan);
      created.push(batch);
      options.onCreated?.(part, batch);
    } catch (error) {
      const failure = error instanceof BatchCreationError ? error : new BatchCreationError('upload', error, part.fileId);
      if (failure.uploadedFileId && !part.fileId) {
        part.fileId = failure.uploadedFileId;
        await store.save(plan);
      }
      throw new SplitRunError(part, count, failure);
    }
  }
  return created;
}
