/**
 * The generated seed (tests, benchmarks): any number of batches across every status, endpoint
 * and size, newest first, deterministic for a given seed.
 */
import type { Batch, KnownBatchStatus } from '../../../src/core/api/types';
import { type BatchShape, buildBatch, DAY, DEMO_NOW, MODEL_FIELDS_SINCE, MODELS } from './batchShape';
import { batchIdFor, compareNewestFirst, int, mulberry32, pick, randomHex, type Rng, weighted } from './random';

const DESCRIPTIONS = [
  'Nightly eval: support-bot answers',
  'Product catalog embeddings',
  'Classify inbound support tickets',
  'Summaries for the weekly digest',
  'Translate help center articles',
  'Extract invoice fields (OCR text)',
  'Sentiment of app-store reviews',
  'RAG eval: retrieval-augmented answers',
  'Backfill: title suggestions',
  'Moderation sweep of forum posts',
  'Rewrite onboarding emails',
  'Tag research abstracts',
];
const TEAMS = ['search', 'support', 'growth', 'research', 'data-platform'];

function metadataFor(rng: Rng, serial: number): Record<string, string> | null {
  const r = rng();
  if (r < 0.45) return null;
  const description = `${pick(rng, DESCRIPTIONS)} #${serial}`;
  if (r < 0.8) return { description };
  return { description, team: pick(rng, TEAMS), run_id: `run-${randomHex(rng, 6)}` };
}

const STATUS_ROTATION: readonly KnownBatchStatus[] = [
  'completed',
  'in_progress',
  'failed',
  'validating',
  'expired',
  'finalizing',
  'cancelled',
  'cancelling',
];
export const STATUS_WEIGHTS: ReadonlyArray<readonly [KnownBatchStatus, number]> = [
  ['completed', 78],
  ['failed', 7],
  ['expired', 4],
  ['cancelled', 5],
  ['in_progress', 3],
  ['validating', 1],
  ['finalizing', 1],
  ['cancelling', 1],
];
const ENDPOINT_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['/v1/chat/completions', 62],
  ['/v1/responses', 16],
  ['/v1/embeddings', 15],
  ['/v1/completions', 4],
  ['/v1/moderations', 3],
];

function totalFor(rng: Rng): number {
  const r = rng();
  if (r < 0.7) return int(rng, 1, 200);
  if (r < 0.95) return int(rng, 200, 5_000);
  return int(rng, 5_000, 50_000);
}

/** A creation time that makes sense for the status: active batches are recent, expired ones are over a day old. */
function createdAtFor(rng: Rng, status: KnownBatchStatus, now: number, span: number): number {
  switch (status) {
    case 'validating':
      return now - int(rng, 0, 90);
    case 'in_progress':
    case 'finalizing':
    case 'cancelling':
      return now - int(rng, 120, 6 * 3600);
    case 'expired':
      return now - DAY - int(rng, 600, span);
    default:
      return now - int(rng, 600, span);
  }
}

export function shapeFor(rng: Rng, status: KnownBatchStatus, createdAt: number, serial: number): BatchShape {
  const endpoint = weighted(rng, ENDPOINT_WEIGHTS);
  return {
    status,
    createdAt,
    endpoint,
    total: totalFor(rng),
    metadata: metadataFor(rng, serial),
    model: createdAt >= MODEL_FIELDS_SINCE ? pick(rng, MODELS[endpoint]) : undefined,
    cancelledWhileValidating: status === 'cancelled' && rng() < 0.15,
  };
}

/**
 * `count` batches, newest first, spanning every status (the newest eight statuses are all
 * different when count >= 8). Fast enough for benchmarks: 10,000 take a few tens of milliseconds.
 */
export function generateBatches(count: number, opts: { now?: number; seed?: number } = {}): Batch[] {
  const now = opts.now ?? DEMO_NOW;
  const rng = mulberry32(opts.seed ?? 1);
  // Roughly one batch every 20 minutes, so big sets reach back months, like a busy account.
  const span = Math.max(2 * DAY, count * 20 * 60);
  const ids = new Set<string>();
  const out: Batch[] = [];
  for (let i = 0; i < count; i++) {
    const status = i < STATUS_ROTATION.length ? STATUS_ROTATION[i] : weighted(rng, STATUS_WEIGHTS);
    const batch = buildBatch(rng, shapeFor(rng, status, createdAtFor(rng, status, now, span), i + 1), now);
    while (ids.has(batch.id)) batch.id = batchIdFor(rng, batch.created_at ?? now);
    ids.add(batch.id);
    out.push(batch);
  }
  return out.sort(compareNewestFirst);
}
