/**
 * The batch lifecycle on the fake clock: advancing it moves every active batch through
 * validating, in_progress (requests processed at a steady rate, failing as planned), finalizing
 * and a terminal status, and attaches output and error files as the API does when a batch stops.
 */
import type { Batch } from '../../src/core/api/types';
import { TERMINAL_STATUSES } from './data';
import type { AccountState, FailurePlan } from './state';

/** Validation and finalizing take 2 s plus 1 s per 1,000 requests (at most 60 s). */
function stageSeconds(total: number): number {
  return 2 + Math.min(58, Math.floor(total / 1000));
}

export /** Fast enough that any batch runs within about five fake minutes, slow enough that counts visibly grow. */
function requestsPerSecond(total: number): number {
  return Math.max(2, total / 300);
}

/** Seeded batches keep the failure ratio they were seeded with; created ones fail where their input lacks a model. */
export function planOf(state: AccountState, batch: Batch): FailurePlan {
  let plan = state.plans.get(batch.id);
  if (!plan) {
    const input = state.inputs.get(batch.id);
    if (input) {
      const prefix = [0];
      for (const failing of input.failing) prefix.push(prefix[prefix.length - 1] + (failing ? 1 : 0));
      plan = { failedAmong: (m) => prefix[Math.min(m, prefix.length - 1)] };
    } else {
      const counts = batch.request_counts;
      const done = counts ? counts.completed + counts.failed : 0;
      const ratio = counts && done > 0 ? counts.failed / done : 0;
      plan = { failedAmong: (m) => Math.floor(m * ratio + 1e-9) };
    }
    state.plans.set(batch.id, plan);
  }
  return plan;
}

export function advance(state: AccountState, seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new RangeError(`clock.advance needs a finite, non-negative number of seconds, got ${seconds}`);
  const from = state.nowSeconds;
  const to = from + seconds;
  state.nowSeconds = to;
  for (const batch of state.batches.values()) {
    if (!TERMINAL_STATUSES.has(batch.status ?? '')) step(state, batch, from, to);
  }
}

/**
 * Moves one batch from fake time `from` to `to`. Each stage is scheduled from the batch's own
 * timestamps, but never before `from`, so seeded batches don't jump through stages they would
 * have passed while the clock stood still.
 */
function step(state: AccountState, batch: Batch, from: number, to: number): void {
  const counts = (batch.request_counts ??= { total: 0, completed: 0, failed: 0 });
  const expiresAt = batch.expires_at ?? Infinity;
  for (;;) {
    switch (batch.status) {
      case 'validating': {
        const at = Math.max(from, (batch.created_at ?? from) + stageSeconds(counts.total));
        if (expiresAt <= Math.min(at, to)) return finish(state, batch, 'expired', expiresAt);
        if (at > to) return;
        startProcessing(state, batch, at);
        break;
      }
      case 'in_progress': {
        let progress = state.progress.get(batch.id);
        if (!progress) {
          progress = { last: Math.max(from, batch.in_progress_at ?? from), carry: 0 };
          state.progress.set(batch.id, progress);
        }
        const rate = requestsPerSecond(counts.total);
        const remaining = Math.max(0, counts.total - counts.completed - counts.failed);
        const doneAt = progress.last + Math.max(0, remaining - progress.carry) / rate;
        const end = Math.min(to, doneAt, expiresAt);
        if (end >= doneAt) {
          runRequests(state, batch, remaining);
          state.progress.delete(batch.id);
          batch.status = 'finalizing';
          batch.finalizing_at = Math.floor(doneAt);
          break;
        }
        const work = (end - progress.last) * rate + progress.carry;
        const n = Math.min(remaining, Math.floor(work));
        progress.carry = work - n;
        progress.last = end;
        runRequests(state, batch, n);
        if (end >= expiresAt) return finish(state, batch, 'expired', expiresAt);
        return;
      }
      case 'finalizing': {
        const at = Math.max(from, (batch.finalizing_at ?? from) + stageSeconds(counts.total));
        if (at <= to) finish(state, batch, 'completed', at);
        return;
      }
      case 'cancelling': {
        const at = Math.max(from, (batch.cancelling_at ?? from) + 1);
        if (at <= to) finish(state, batch, 'cancelled', at);
        return;
      }
      default:
        return;
    }
  }
}

function startProcessing(state: AccountState, batch: Batch, at: number): void {
  const input = state.inputs.get(batch.id);
  if (input && (input.errors.length > 0 || input.customIds.length === 0)) {
    batch.status = 'failed';
    batch.failed_at = Math.floor(at);
    batch.request_counts = { total: 0, completed: 0, failed: 0 };
    batch.errors = {
      object: 'list',
      data:
        input.errors.length > 0
          ? input.errors
          : [{ code: 'empty_file', message: 'The batch input file is empty.', param: null, line: null }],
    };
    return;
  }
  batch.status = 'in_progress';
  batch.in_progress_at = Math.floor(at);
  state.progress.set(batch.id, { last: at, carry: 0 });
}

/** Runs the next `n` requests of a batch. */
function runRequests(state: AccountState, batch: Batch, n: number): void {
  const counts = batch.request_counts;
  if (n <= 0 || !counts) return;
  const plan = planOf(state, batch);
  const before = counts.completed + counts.failed;
  const failed = plan.failedAmong(before + n) - plan.failedAmong(before);
  counts.failed += failed;
  counts.completed += n - failed;
  const usage = batch.usage;
  if (usage) {
    const succeeded = n - failed;
    const embeddingsLike = batch.endpoint === '/v1/embeddings' || batch.endpoint === '/v1/moderations';
    const input = succeeded * 150;
    const output = embeddingsLike ? 0 : succeeded * 60;
    usage.input_tokens = (usage.input_tokens ?? 0) + input;
    usage.output_tokens = (usage.output_tokens ?? 0) + output;
    usage.total_tokens = (usage.total_tokens ?? 0) + input + output;
    if (usage.input_tokens_details)
      usage.input_tokens_details.cached_tokens = (usage.input_tokens_details.cached_tokens ?? 0) + Math.floor(input / 10);
  }
}

/** Enters a terminal status and attaches output/error files, as the API does when a batch stops. */
function finish(state: AccountState, batch: Batch, status: 'completed' | 'cancelled' | 'expired', at: number): void {
  const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
  const t = Math.floor(at);
  batch.status = status;
  if (status === 'completed') batch.completed_at = t;
  else if (status === 'cancelled') batch.cancelled_at = t;
  else batch.expired_at = t;
  const unprocessed = counts.total - counts.completed - counts.failed;
  batch.output_file_id = counts.completed > 0 ? state.newFileId() : null;
  // Azure gives a completed batch an error file even when nothing failed (then it is empty).
  const errorFile =
    counts.failed > 0 || (status === 'expired' && unprocessed > 0) || (status === 'completed' && !!state.quirks.azureEmptyErrorFile);
  batch.error_file_id = errorFile ? state.newFileId() : null;
  state.progress.delete(batch.id);
}
