/**
 * Drives one account's queue against the API, one pass at a time: reads the recent batches once
 * (one `GET /batches`), learns what became of the created parts, adopts a part's batch that was
 * created but not saved (a crash between the two), then uploads and creates each part that fits.
 * The queue file is saved after every step, so a pass can stop anywhere and the next one goes on.
 */

import type { BatchApiClient } from '../api/client';
import { ApiError, errorMessage, isCancellation } from '../api/errors';
import type { Batch, CreateBatchParams } from '../api/types';
import { partMetadata } from '../batches/batchChains';
import { fileBlob } from '../input/batchCreation';
import {
  applyBatch,
  backoffMs,
  enqueuedTokens,
  finishedGroups,
  learnFromLimit,
  markCreated,
  partNamedBy,
  planQueue,
  type QueuedGroup,
  type QueuedPart,
  type QueueFile,
  TOKEN_LIMIT_CODE,
} from './queueModel';
import type { QueueStore } from './queueStore';

/** Recent batches read per pass: where a part created just before a crash is found. */
export const RECENT_BATCHES = 100;

export type QueueClient = Pick<BatchApiClient, 'listBatches' | 'getBatch' | 'createBatch' | 'uploadFile'>;

export interface PassOptions {
  /** Model → enqueued-token limit (`openaiBatches.enqueuedTokenLimits`). */
  limits: Readonly<Record<string, number>>;
  nowMs?: number;
  signal?: AbortSignal;
  onCreated?: (group: QueuedGroup, part: QueuedPart, batch: Batch) => void;
  /** A group whose every part has finished; it has been taken out of the queue. */
  onGroupDone?: (group: QueuedGroup) => void;
  /** Each failure other than the limit (the part waits for the backoff). */
  onError?: (group: QueuedGroup, part: QueuedPart, message: string) => void;
}

export interface PassResult {
  queue: QueueFile;
  created: number;
  /** Parts that met the limit in this pass. */
  limited: number;
}

function partFileName(group: QueuedGroup, part: QueuedPart): string {
  const stem = group.name.replace(/\.jsonl$/i, '');
  return group.count > 1 ? `${stem}.part-${part.index}-of-${group.count}.jsonl` : `${stem}.jsonl`;
}

function createParams(group: QueuedGroup, part: QueuedPart, fileId: string): CreateBatchParams {
  const metadata: Record<string, string> = {
    ...group.metadata,
    ...partMetadata(group.group, part.index, group.count, group.description),
  };
  const params: CreateBatchParams = { input_file_id: fileId, endpoint: group.endpoint, completion_window: '24h', metadata };
  if (group.outputExpiresAfter) params.output_expires_after = group.outputExpiresAfter;
  return params;
}

/** Runs one pass over the queue (see the module comment). Saves as it goes; returns the queue as saved. */
export async function runQueuePass(client: QueueClient, store: QueueStore, options: PassOptions): Promise<PassResult> {
  const now = (): number => options.nowMs ?? Date.now();
  const queue = await store.load();
  const result: PassResult = { queue, created: 0, limited: 0 };
  if (queue.groups.length === 0) return result;
  const recent = await client.listBatches({ limit: RECENT_BATCHES }, { signal: options.signal });
  const byId = new Map(recent.data.map((batch) => [batch.id, batch]));

  let changed = false;
  for (const group of queue.groups) {
    for (const part of group.parts) {
      if (part.batchId && !part.finished) {
        let batch = byId.get(part.batchId);
        if (!batch) {
          try {
            batch = await client.getBatch(part.batchId, { signal: options.signal });
          } catch (error) {
            if (!(error instanceof ApiError && error.kind === 'notFound')) throw error;
            // Gone from the server (deleted with its project): nothing more will come of it.
            part.finished = 'missing';
            changed = true;
            continue;
          }
        }
        const limitedBefore = part.attempts;
        if (applyBatch(queue, part, batch, now())) changed = true;
        if (part.attempts > limitedBefore) result.limited++;
      } else if (!part.batchId) {
        // Created, but the pass that created it stopped before saving: adopt it, never create twice.
        const found = recent.data.find((batch) => partNamedBy(group, batch) === part && !part.rejected?.includes(batch.id));
        if (found) {
          markCreated(queue, part, found.id);
          if (part.fileId === undefined && typeof found.input_file_id === 'string') part.fileId = found.input_file_id;
          applyBatch(queue, part, found, now());
          changed = true;
        }
      }
    }
  }
  if (changed) await store.save(queue);
  changed = false;

  for (;;) {
    const states = planQueue(queue, options.limits, now());
    const next = [...states].find(([, state]) => state.kind === 'ready')?.[0];
    if (!next) break;
    const group = queue.groups.find((g) => g.parts.includes(next)) as QueuedGroup;
    const outcome = await createPart(client, store, queue, group, next, options, now);
    if (outcome === 'created') result.created++;
    else if (outcome === 'limited') result.limited++;
    else break;
  }

  const done = finishedGroups(queue);
  if (done.length > 0) {
    queue.groups = queue.groups.filter((group) => !done.includes(group));
    await store.save(queue);
    for (const group of done) options.onGroupDone?.(group);
  }
  return result;
}

async function createPart(
  client: QueueClient,
  store: QueueStore,
  queue: QueueFile,
  group: QueuedGroup,
  part: QueuedPart,
  options: PassOptions,
  now: () => number,
): Promise<'created' | 'limited' | 'failed'> {
  const enqueuedBefore = enqueuedTokens(queue, part.model);
  try {
    if (!part.fileId) {
      const file = await client.uploadFile(await fileBlob(part.path), partFileName(group, part), 'batch', {
        signal: options.signal,
        expiresAfter: group.inputExpiresAfter,
      });
      part.fileId = file.id;
      await store.save(queue);
    }
    const batch = await client.createBatch(createParams(group, part, part.fileId), { signal: options.signal });
    markCreated(queue, part, batch.id);
    part.enqueuedAtCreate = enqueuedBefore;
    applyBatch(queue, part, batch, now());
    await store.save(queue);
    options.onCreated?.(group, part, batch);
    return 'created';
  } catch (error) {
    if (isCancellation(error)) throw error;
    if (error instanceof ApiError && error.code === TOKEN_LIMIT_CODE) {
      learnFromLimit(queue, part, enqueuedBefore, now());
      await store.save(queue);
      return 'limited';
    }
    // Any other failure: the part waits out a backoff (the queue never spins on a failing server).
    part.lastError = errorMessage(error);
    part.notBefore = now() + backoffMs(Math.max(1, part.attempts));
    await store.save(queue);
    options.onError?.(group, part, part.lastError);
    return 'failed';
  }
}
