/**
 * Building batches that agree with themselves: timestamps, counts, file ids and usage that fit
 * their status, in the recorded fixture's field order. The seeds (fixture, generated, demo) and
 * the server's batch creation all build their records here.
 */
import type { Batch, BatchErrorItem, BatchUsage, KnownBatchStatus } from '../../../src/core/api/types';
import { batchIdFor, fileIdFor, int, pick, type Rng } from './random';

export const DAY = 86_400;
/** The demo clock: a fixed instant some months after the newest recorded batch. */
export const DEMO_NOW = 1_760_000_000;
/** Batches created from this instant on carry `model` and `usage`; older ones have the fixture's field set only. */
export const MODEL_FIELDS_SINCE = 1_750_000_000;
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** Models per endpoint, in the order of the description's endpoint enum. */
export const MODELS: Record<string, readonly string[]> = {
  '/v1/responses': ['gpt-4.1-2025-04-14', 'o4-mini-2025-04-16', 'gpt-5-mini-2025-08-07'],
  '/v1/chat/completions': ['gpt-4o-mini-2024-07-18', 'gpt-4.1-mini-2025-04-14', 'gpt-4o-2024-08-06', 'gpt-4.1-nano-2025-04-14'],
  '/v1/embeddings': ['text-embedding-3-small', 'text-embedding-3-large'],
  '/v1/completions': ['gpt-3.5-turbo-instruct'],
  '/v1/moderations': ['omni-moderation-latest'],
  '/v1/images/generations': ['gpt-image-1'],
  '/v1/images/edits': ['gpt-image-1'],
  '/v1/videos': ['sora-2'],
};

/**
 * The endpoints the Batch API runs (the `endpoint` enum of CreateBatchRequest in the OpenAPI
 * description, /v1/videos included: the fake still accepts what the description lists).
 */
export const BATCH_ENDPOINTS: readonly string[] = Object.keys(MODELS);

export function defaultModel(endpoint: string | null | undefined): string {
  return MODELS[endpoint ?? '']?.[0] ?? 'gpt-4o-mini-2024-07-18';
}

export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

/** What a batch should look like; buildBatch fills in ids, timestamps and counts consistent with it. */
export interface BatchShape {
  status: KnownBatchStatus;
  createdAt: number;
  endpoint: string;
  total: number;
  /** For batches that stopped early or are still running: share of requests processed (0..1). */
  processedShare?: number;
  /** Share of processed requests that failed (1 = every request failed: no output file). */
  failedShare?: number;
  metadata?: Record<string, string> | null;
  /** Leave undefined for batches older than the `model`/`usage` fields. */
  model?: string;
  /** Validation errors of a `failed` batch. */
  errors?: BatchErrorItem[];
  /** A `cancelled` batch that never left validation. */
  cancelledWhileValidating?: boolean;
}

const VALIDATION_FAILURES: readonly ((rng: Rng, endpoint: string, model: string) => BatchErrorItem)[] = [
  (rng) => ({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line: int(rng, 2, 40) }),
  (_rng, _endpoint, model) => ({
    code: 'token_limit_exceeded',
    message: `Enqueued token limit reached for ${model} in organization org-fake. Limit: 2,000,000 enqueued tokens. Please try again once some in_progress batches have been completed.`,
    param: null,
    line: null,
  }),
  (rng) => ({
    code: 'missing_required_parameter',
    message: "Missing required parameter: 'custom_id'.",
    param: 'custom_id',
    line: int(rng, 1, 40),
  }),
  (rng, endpoint) => ({
    code: 'invalid_url',
    message: `The URL provided for this request does not match the batch endpoint '${endpoint}'.`,
    param: 'url',
    line: int(rng, 1, 40),
  }),
];

function usageFor(rng: Rng, endpoint: string, model: string, completed: number): BatchUsage {
  const perInput = endpoint === '/v1/embeddings' || endpoint === '/v1/moderations' ? int(rng, 8, 400) : int(rng, 60, 2400);
  const perOutput = endpoint === '/v1/embeddings' || endpoint === '/v1/moderations' ? 0 : int(rng, 20, 900);
  const input = completed * perInput;
  const output = completed * perOutput;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: Math.floor(input * rng() * 0.3) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: isReasoningModel(model) ? Math.floor(output * (0.3 + rng() * 0.5)) : 0 },
    total_tokens: input + output,
  };
}

export function zeroUsage(): BatchUsage {
  return {
    input_tokens: 0,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 0,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 0,
  };
}

/**
 * A batch as the API first records it: the fixture's fields in the fixture's order, every
 * lifecycle timestamp and file id null, nothing processed. Callers fill in what has happened.
 */
export function newBatchRecord(fields: {
  id: string;
  endpoint: string;
  inputFileId: string;
  status: string;
  createdAt: number;
  total: number;
  metadata: Record<string, string> | null;
}): Batch {
  return {
    id: fields.id,
    object: 'batch',
    endpoint: fields.endpoint,
    errors: null,
    input_file_id: fields.inputFileId,
    completion_window: '24h',
    status: fields.status,
    output_file_id: null,
    error_file_id: null,
    created_at: fields.createdAt,
    in_progress_at: null,
    expires_at: fields.createdAt + DAY,
    finalizing_at: null,
    completed_at: null,
    failed_at: null,
    expired_at: null,
    cancelling_at: null,
    cancelled_at: null,
    request_counts: { total: fields.total, completed: 0, failed: 0 },
    metadata: fields.metadata,
  };
}

/**
 * A batch with timestamps, counts and file ids that agree with its status, as of `now`
 * (no timestamp is later than now - 1).
 */
export function buildBatch(rng: Rng, shape: BatchShape, now: number): Batch {
  const created = shape.createdAt;
  const latest = Math.max(created, now - 1);
  const clamp = (t: number, earliest: number): number => Math.max(earliest, Math.min(Math.round(t), latest));
  const total = shape.total;
  const validated = clamp(created + int(rng, 1, 20), created);
  const processingSeconds = 30 + total * (0.05 + rng() * 1.5);

  const batch = newBatchRecord({
    id: batchIdFor(rng, created),
    endpoint: shape.endpoint,
    inputFileId: fileIdFor(rng),
    status: shape.status,
    createdAt: created,
    total,
    metadata: shape.metadata ?? null,
  });

  let processed = 0;
  const partial = (): number => Math.round(total * (shape.processedShare ?? 0.1 + rng() * 0.8));
  switch (shape.status) {
    case 'validating':
      break;
    case 'failed':
      batch.failed_at = validated;
      batch.request_counts = { total: 0, completed: 0, failed: 0 };
      batch.errors = {
        object: 'list',
        data: shape.errors ?? [pick(rng, VALIDATION_FAILURES)(rng, shape.endpoint, shape.model ?? defaultModel(shape.endpoint))],
      };
      break;
    case 'in_progress':
      batch.in_progress_at = validated;
      processed = partial();
      break;
    case 'cancelling':
      batch.in_progress_at = validated;
      batch.cancelling_at = clamp(validated + (latest - validated) * rng(), validated);
      processed = partial();
      break;
    case 'finalizing':
    case 'completed': {
      batch.in_progress_at = validated;
      // Squeeze the processing time in when the batch is younger than its size would suggest.
      const finalizing = clamp(Math.min(validated + processingSeconds, validated + (latest - validated) * 0.9), validated);
      batch.finalizing_at = finalizing;
      if (shape.status === 'completed') batch.completed_at = clamp(finalizing + int(rng, 1, 120), finalizing);
      processed = total;
      break;
    }
    case 'cancelled': {
      let cancelling = validated;
      if (!shape.cancelledWhileValidating) {
        batch.in_progress_at = validated;
        cancelling = clamp(validated + processingSeconds * rng(), validated);
        processed = partial();
      }
      batch.cancelling_at = cancelling;
      batch.cancelled_at = clamp(cancelling + int(rng, 5, 600), cancelling);
      break;
    }
    case 'expired':
      batch.in_progress_at = validated;
      batch.expired_at = clamp(created + DAY + int(rng, 1, 300), validated);
      processed = partial();
      break;
  }

  const failedShare = shape.failedShare ?? (rng() < 0.8 ? 0 : rng() * 0.05);
  const failed = Math.min(processed, Math.round(processed * failedShare));
  const completed = processed - failed;
  if (shape.status !== 'failed') batch.request_counts = { total, completed, failed };

  const finished = shape.status === 'completed' || shape.status === 'cancelled' || shape.status === 'expired';
  if (finished && completed > 0) batch.output_file_id = fileIdFor(rng);
  if (finished && (failed > 0 || (shape.status === 'expired' && processed < total))) batch.error_file_id = fileIdFor(rng);

  if (shape.model !== undefined) {
    batch.model = shape.model;
    batch.usage = completed > 0 ? usageFor(rng, shape.endpoint, shape.model, completed) : zeroUsage();
  }
  return batch;
}
