/**
 * Seed data and file contents for the fake Batch API.
 *
 * Everything here is deterministic: the same seed gives the same batches and the same bytes, so
 * tests, screenshots and benchmarks are reproducible. Generated batches follow the shape of the
 * recorded fixture exactly (same fields, same order, nulls where the API sends nulls), plus
 * `model`/`usage` on batches newer than MODEL_FIELDS_SINCE, as the API sends them today.
 */
import fixture from './fixtures/openai-list-batches-page1.json';
import { KNOWN_STATUSES } from '../../src/core/batches/batchFacts';
import type { Batch, BatchErrorItem, BatchUsage, KnownBatchStatus } from '../../src/core/api/types';

export const DAY = 86_400;
/** The demo clock: a fixed instant some months after the newest recorded batch. */
export const DEMO_NOW = 1_760_000_000;
/** Batches created from this instant on carry `model` and `usage`; older ones have the fixture's field set only. */
export const MODEL_FIELDS_SINCE = 1_750_000_000;
/** The endpoints the Batch API runs today (the `endpoint` enum of CreateBatchRequest in the OpenAPI description). */
export const BATCH_ENDPOINTS = [
  '/v1/responses',
  '/v1/chat/completions',
  '/v1/embeddings',
  '/v1/completions',
  '/v1/moderations',
  '/v1/images/generations',
  '/v1/images/edits',
  '/v1/videos',
] as const;
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'expired', 'cancelled']);

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

export type Rng = () => number;

/** mulberry32: tiny, fast, and good enough to make data look varied. Returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to derive per-batch / per-line seeds from ids. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const HEX_CODES = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
const BASE62_CODES = [...BASE62].map((c) => c.charCodeAt(0));

// Built from char codes in one go: string concatenation per character made generating 10,000 batches GC-bound.
export function randomHex(rng: Rng, length: number): string {
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = HEX_CODES[Math.floor(rng() * 16)];
  return String.fromCharCode(...codes);
}

export function randomBase62(rng: Rng, length: number): string {
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = BASE62_CODES[Math.floor(rng() * 62)];
  return String.fromCharCode(...codes);
}

function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function weighted<T>(rng: Rng, table: ReadonlyArray<readonly [T, number]>): T {
  const sum = table.reduce((s, [, w]) => s + w, 0);
  let r = rng() * sum;
  for (const [value, w] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return table[table.length - 1][0];
}

/** Real batch ids start with the creation time in hex, then `8190` after four more digits. */
export function batchIdFor(rng: Rng, createdAt: number): string {
  const time = (createdAt >>> 0).toString(16).padStart(8, '0').slice(-8);
  return `batch_${time}${randomHex(rng, 4)}8190${randomHex(rng, 16)}`;
}

export function fileIdFor(rng: Rng): string {
  return `file-${randomBase62(rng, 22)}`;
}

export function compareNewestFirst(a: Batch, b: Batch): number {
  const byTime = (b.created_at ?? 0) - (a.created_at ?? 0);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

// ---------------------------------------------------------------------------------------------
// The recorded fixture

export function fixtureBatches(): Batch[] {
  return structuredClone(fixture.data);
}

/** The fields of a batch in the recorded fixture, sorted. Generated batches have exactly these, plus `model`/`usage`. */
export function batchFieldSet(): string[] {
  return Object.keys(fixture.data[0]).sort();
}

export const OPTIONAL_BATCH_FIELDS = ['model', 'usage'] as const;

// ---------------------------------------------------------------------------------------------
// Building consistent batches

const MODELS: Record<string, readonly string[]> = {
  '/v1/chat/completions': ['gpt-4o-mini-2024-07-18', 'gpt-4.1-mini-2025-04-14', 'gpt-4o-2024-08-06', 'gpt-4.1-nano-2025-04-14'],
  '/v1/responses': ['gpt-4.1-2025-04-14', 'o4-mini-2025-04-16', 'gpt-5-mini-2025-08-07'],
  '/v1/embeddings': ['text-embedding-3-small', 'text-embedding-3-large'],
  '/v1/completions': ['gpt-3.5-turbo-instruct'],
  '/v1/moderations': ['omni-moderation-latest'],
  '/v1/images/generations': ['gpt-image-1'],
  '/v1/images/edits': ['gpt-image-1'],
  '/v1/videos': ['sora-2'],
};

export function defaultModel(endpoint: string | null | undefined): string {
  return MODELS[endpoint ?? '']?.[0] ?? 'gpt-4o-mini-2024-07-18';
}

function isReasoningModel(model: string): boolean {
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

// ---------------------------------------------------------------------------------------------
// Generated batches (tests, benchmarks)

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
const STATUS_WEIGHTS: ReadonlyArray<readonly [KnownBatchStatus, number]> = [
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

function shapeFor(rng: Rng, status: KnownBatchStatus, createdAt: number, serial: number): BatchShape {
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

// ---------------------------------------------------------------------------------------------
// Demo seed: the recorded page plus a story that shows every state the UI has to render

interface DemoStory extends Omit<BatchShape, 'createdAt'> {
  ageSeconds: number;
}

const DEMO_STORY: readonly DemoStory[] = [
  {
    status: 'validating',
    ageSeconds: 4,
    endpoint: '/v1/chat/completions',
    total: 12_000,
    model: 'gpt-4.1-mini-2025-04-14',
    metadata: { description: 'Nightly eval: support-bot answers (v42)' },
  },
  {
    status: 'in_progress',
    ageSeconds: 15,
    endpoint: '/v1/chat/completions',
    total: 5,
    processedShare: 0.2,
    failedShare: 0,
    model: 'gpt-4o-mini-2024-07-18',
    metadata: { description: 'Smoke test (5 requests)' },
  },
  {
    status: 'in_progress',
    ageSeconds: 180,
    endpoint: '/v1/responses',
    total: 600,
    processedShare: 0.1,
    failedShare: 0.05,
    model: 'o4-mini-2025-04-16',
    metadata: { description: 'Classify Q3 support tickets', team: 'support' },
  },
  {
    status: 'in_progress',
    ageSeconds: 25 * 60,
    endpoint: '/v1/embeddings',
    total: 8_000,
    processedShare: 0.4,
    failedShare: 0,
    model: 'text-embedding-3-small',
    metadata: { description: 'Product catalog embeddings (fr-FR)' },
  },
  {
    status: 'finalizing',
    ageSeconds: 40 * 60,
    endpoint: '/v1/chat/completions',
    total: 250,
    failedShare: 0,
    model: 'gpt-4.1-mini-2025-04-14',
    metadata: { description: 'Summaries for the weekly digest' },
  },
  {
    status: 'cancelling',
    ageSeconds: 6 * 60,
    endpoint: '/v1/chat/completions',
    total: 5_000,
    processedShare: 0.03,
    failedShare: 0,
    model: 'gpt-4o-2024-08-06',
    metadata: { description: 'Wrong prompt template (cancel me)' },
  },
  {
    status: 'completed',
    ageSeconds: 3 * 3600,
    endpoint: '/v1/chat/completions',
    total: 1_500,
    failedShare: 0.008,
    model: 'gpt-4.1-mini-2025-04-14',
    metadata: { description: 'Translate help center to German', team: 'support' },
  },
  {
    status: 'completed',
    ageSeconds: 5 * 3600,
    endpoint: '/v1/chat/completions',
    total: 40,
    failedShare: 1,
    model: 'gpt-4o-mini-2024-07-18',
    metadata: { description: 'Moderation sweep (every request failed)' },
  },
  {
    status: 'failed',
    ageSeconds: 7 * 3600,
    endpoint: '/v1/chat/completions',
    total: 0,
    model: 'gpt-4o-mini-2024-07-18',
    metadata: { description: 'Hand-edited requests.jsonl' },
    errors: [{ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line: 3 }],
  },
  {
    status: 'failed',
    ageSeconds: 9 * 3600,
    endpoint: '/v1/responses',
    total: 0,
    model: 'gpt-4.1-2025-04-14',
    metadata: { description: 'Big backfill (gpt-4.1)' },
    errors: [
      {
        code: 'token_limit_exceeded',
        message:
          'Enqueued token limit reached for gpt-4.1 in organization org-fake. Limit: 900,000 enqueued tokens. Please try again once some in_progress batches have been completed.',
        param: null,
        line: null,
      },
    ],
  },
  {
    status: 'expired',
    ageSeconds: 2 * DAY,
    endpoint: '/v1/embeddings',
    total: 50_000,
    processedShare: 0.61,
    failedShare: 0,
    model: 'text-embedding-3-large',
    metadata: { description: 'Reindex legal archive' },
  },
  {
    status: 'cancelled',
    ageSeconds: 26 * 3600,
    endpoint: '/v1/chat/completions',
    total: 320,
    processedShare: 0.25,
    failedShare: 0,
    model: 'gpt-4o-mini-2024-07-18',
    metadata: { description: 'Duplicate submission' },
  },
  {
    status: 'cancelled',
    ageSeconds: 30 * 3600,
    endpoint: '/v1/responses',
    total: 80,
    cancelledWhileValidating: true,
    model: 'gpt-5-mini-2025-08-07',
    metadata: null,
  },
  {
    status: 'completed',
    ageSeconds: 3 * DAY,
    endpoint: '/v1/responses',
    total: 220,
    failedShare: 0,
    model: 'gpt-5-mini-2025-08-07',
    metadata: { name: 'rag-eval-2025-10-06', owner: 'data-team' },
  },
  {
    status: 'completed',
    ageSeconds: 4 * DAY,
    endpoint: '/v1/chat/completions',
    total: 12,
    failedShare: 0,
    model: 'gpt-4.1-nano-2025-04-14',
    metadata: { description: 'A/B prompt test <variant B> & "quotes"' },
  },
  {
    status: 'completed',
    ageSeconds: 5 * DAY,
    endpoint: '/v1/completions',
    total: 64,
    failedShare: 0,
    model: 'gpt-3.5-turbo-instruct',
    metadata: null,
  },
  {
    status: 'completed',
    ageSeconds: 6 * DAY,
    endpoint: '/v1/moderations',
    total: 900,
    failedShare: 0,
    model: 'omni-moderation-latest',
    metadata: { description: 'Moderation of forum posts (September)' },
  },
];

const DEMO_FILLER = 29;

/** About 65 batches: the 20 recorded ones, a story covering every status, and older filler. Active ones progress with the clock. */
export function demoBatches(now: number = DEMO_NOW): Batch[] {
  const rng = mulberry32(0xdec0de);
  const story = DEMO_STORY.map(({ ageSeconds, ...shape }) => buildBatch(rng, { ...shape, createdAt: now - ageSeconds }, now));
  const filler: Batch[] = [];
  for (let i = 0; i < DEMO_FILLER; i++) {
    const status = weighted(
      rng,
      STATUS_WEIGHTS.filter(([s]) => TERMINAL_STATUSES.has(s)),
    );
    const createdAt = now - 7 * DAY - int(rng, 0, 110 * DAY);
    filler.push(buildBatch(rng, shapeFor(rng, status, createdAt, i + 1), now));
  }
  return [...fixtureBatches(), ...story, ...filler].sort(compareNewestFirst);
}

// ---------------------------------------------------------------------------------------------
// File contents: batch input lines, output lines, error lines

const PROMPTS = [
  'Summarize the following support ticket in one sentence.',
  'Translate to German: "Your order has shipped."',
  'Classify the sentiment of: "The update broke my workflow."',
  'Extract the invoice total from the text below.',
  'Suggest a title for this article about solar panels.',
];
const ANSWERS = [
  'The customer cannot log in after resetting their password and asks for help.',
  'Ihre Bestellung wurde versandt.',
  'negative',
  'The invoice total is 1,284.50 EUR.',
  'Harvesting the Sun: A Practical Guide to Home Solar',
  'The request is about a billing discrepancy on the last invoice; the customer wants a refund of the duplicate charge.',
];

/** One line of a batch input file. */
export function inputLine(endpoint: string, model: string, customId: string, n: number): string {
  const prompt = PROMPTS[n % PROMPTS.length];
  let body: Record<string, unknown>;
  switch (endpoint) {
    case '/v1/responses':
      body = { model, input: prompt };
      break;
    case '/v1/embeddings':
      body = { model, input: prompt };
      break;
    case '/v1/completions':
      body = { model, prompt, max_tokens: 200 };
      break;
    case '/v1/moderations':
      body = { model, input: prompt };
      break;
    case '/v1/images/generations':
      body = { model, prompt, size: '1024x1024', quality: 'low' };
      break;
    case '/v1/images/edits':
      body = { model, prompt, image: { image_url: `https://example.com/source-${n % 7}.png` }, size: '1024x1024' };
      break;
    case '/v1/videos':
      body = { model, prompt, seconds: '4', size: '720x1280' };
      break;
    default:
      body = {
        model,
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: prompt },
        ],
        max_tokens: 1000,
      };
  }
  return JSON.stringify({ custom_id: customId, method: 'POST', url: endpoint, body });
}

/** The random parts of a chat completion result line, drawn before the content so the content can be sized afterwards. */
interface ChatParts {
  customIdJson: string;
  model: string;
  created: number;
  lineId: string;
  requestId: string;
  completionId: string;
  fingerprint: string;
  promptTokens: number;
  completionTokens: number;
}

function chatParts(rng: Rng, customId: string, model: string, created: number): ChatParts {
  return {
    customIdJson: JSON.stringify(customId),
    model: JSON.stringify(model),
    created,
    lineId: randomHex(rng, 32),
    requestId: randomHex(rng, 32),
    completionId: randomBase62(rng, 29),
    fingerprint: randomHex(rng, 10),
    promptTokens: int(rng, 20, 900),
    completionTokens: int(rng, 1, 400),
  };
}

/** `content` must already be JSON-safe ASCII; the line is built by hand because JSON.stringify is the bottleneck for GiB-sized files. */
function renderChat(p: ChatParts, content: string): string {
  return (
    `{"id":"batch_req_${p.lineId}","custom_id":${p.customIdJson},"response":{"status_code":200,"request_id":"${p.requestId}",` +
    `"body":{"id":"chatcmpl-${p.completionId}","object":"chat.completion","created":${p.created},"model":${p.model},` +
    `"choices":[{"index":0,"message":{"role":"assistant","content":"${content}","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],` +
    `"usage":{"prompt_tokens":${p.promptTokens},"completion_tokens":${p.completionTokens},"total_tokens":${p.promptTokens + p.completionTokens},` +
    `"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},` +
    `"service_tier":"default","system_fingerprint":"fp_${p.fingerprint}"}},"error":null}\n`
  );
}

/** One line of a batch output file (a successful request), with a body that fits the endpoint. Ends with "\n". */
export function outputLine(rng: Rng, endpoint: string, model: string, customId: string, created: number): string {
  const answer = pick(rng, ANSWERS);
  if (endpoint === '/v1/chat/completions' || !MODELS[endpoint]) {
    return renderChat(chatParts(rng, customId, model, created), JSON.stringify(answer).slice(1, -1));
  }
  const promptTokens = int(rng, 8, 600);
  const outputTokens = int(rng, 1, 300);
  let body: unknown;
  switch (endpoint) {
    case '/v1/responses':
      body = {
        id: `resp_${randomHex(rng, 48)}`,
        object: 'response',
        created_at: created,
        status: 'completed',
        model,
        output: [
          {
            id: `msg_${randomHex(rng, 48)}`,
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: answer, annotations: [] }],
          },
        ],
        usage: {
          input_tokens: promptTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: outputTokens,
          output_tokens_details: { reasoning_tokens: isReasoningModel(model) ? Math.floor(outputTokens / 2) : 0 },
          total_tokens: promptTokens + outputTokens,
        },
      };
      break;
    case '/v1/embeddings':
      body = {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: Array.from({ length: 8 }, () => Math.round((rng() * 2 - 1) * 1e6) / 1e6) }],
        model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      };
      break;
    case '/v1/completions':
      body = {
        id: `cmpl-${randomBase62(rng, 29)}`,
        object: 'text_completion',
        created,
        model,
        choices: [{ text: answer, index: 0, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: outputTokens, total_tokens: promptTokens + outputTokens },
      };
      break;
    case '/v1/images/generations':
    case '/v1/images/edits':
      body = {
        created,
        // Random base64 standing in for a small PNG: what matters is its size.
        data: [{ b64_json: Buffer.from(randomHex(rng, 2048), 'hex').toString('base64') }],
        size: '1024x1024',
        quality: 'low',
        output_format: 'png',
        usage: {
          input_tokens: promptTokens,
          input_tokens_details: { text_tokens: promptTokens, image_tokens: 0 },
          output_tokens: 272,
          total_tokens: promptTokens + 272,
        },
      };
      break;
    case '/v1/videos':
      body = {
        id: `video_${randomHex(rng, 48)}`,
        object: 'video',
        created_at: created,
        completed_at: created + 90,
        status: 'completed',
        model,
        progress: 100,
        seconds: '4',
        size: '720x1280',
        error: null,
      };
      break;
    default: {
      // Deterministic from the answer drawn above, so no other line's content changes.
      const flagged = answer.length % 5 === 0;
      body = {
        id: `modr-${randomHex(rng, 32)}`,
        model,
        results: [
          {
            flagged,
            categories: { harassment: flagged, violence: false },
            category_scores: { harassment: flagged ? 0.912_3 : 0.000_12, violence: 0.000_34 },
          },
        ],
      };
    }
  }
  return (
    JSON.stringify({
      id: `batch_req_${randomHex(rng, 32)}`,
      custom_id: customId,
      response: { status_code: 200, request_id: randomHex(rng, 32), body },
      error: null,
    }) + '\n'
  );
}

interface RequestFailure {
  status: number;
  error: { message: string; type: string; param: string | null; code: string | null };
}

const REQUEST_FAILURES: readonly RequestFailure[] = [
  {
    status: 400,
    error: {
      message:
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 131482 tokens. Please reduce the length of the messages.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    },
  },
  {
    status: 400,
    error: {
      message: "Invalid 'max_tokens': integer above maximum value. Expected a value <= 16384, but got 100000 instead.",
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'integer_above_max_value',
    },
  },
  {
    status: 500,
    error: {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      param: null,
      code: null,
    },
  },
];

export const MISSING_MODEL_FAILURE: RequestFailure = {
  status: 400,
  error: { message: 'you must provide a model parameter', type: 'invalid_request_error', param: null, code: null },
};

/**
 * A model whose requests fail (429) the first time their custom_id runs on this server and
 * succeed after: a transient failure, as a resubmission meets it.
 */
export const FLAKY_MODEL = 'fake-flaky-model';

export const TRANSIENT_FAILURE: RequestFailure = {
  status: 429,
  error: {
    message: 'Rate limit reached for requests. Please try again later.',
    type: 'requests',
    param: null,
    code: 'rate_limit_exceeded',
  },
};

/** One line of a batch error file: a request that got a non-200 response. Ends with "\n". */
export function errorLine(rng: Rng, customId: string, failure: RequestFailure = pick(rng, REQUEST_FAILURES)): string {
  return (
    JSON.stringify({
      id: `batch_req_${randomHex(rng, 32)}`,
      custom_id: customId,
      response: { status_code: failure.status, request_id: randomHex(rng, 32), body: { error: failure.error } },
      error: null,
    }) + '\n'
  );
}

/** One line of a batch error file: a request the batch never ran before it expired. Ends with "\n". */
export function expiredLine(rng: Rng, customId: string): string {
  return (
    JSON.stringify({
      id: `batch_req_${randomHex(rng, 32)}`,
      custom_id: customId,
      response: null,
      error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
    }) + '\n'
  );
}

const FILLER = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. ';
const GENERATED_MODEL = 'gpt-4o-mini-2024-07-18';
const GENERATED_CREATED = DEMO_NOW;

function filler(length: number): string {
  return FILLER.repeat(Math.ceil(length / FILLER.length)).slice(0, length);
}

/**
 * Batch output JSONL of exactly `totalBytes` bytes, yielded in chunks of about `chunkSize`.
 * Only one chunk exists at a time, so this serves 1 GiB without holding it. The last line's
 * content is padded so the total is exact and every line is still valid JSON (files under
 * ~900 bytes end with a padded `{}` line instead of a full result).
 */
export function* generatedOutputChunks(totalBytes: number, seed = 1, chunkSize = 64 * 1024): Generator<Buffer> {
  const rng = mulberry32(seed);
  // Keep room for one full final line, so the padded last line never needs to be shorter than an empty one.
  const margin = 4096;
  let remaining = totalBytes;
  let n = 0;
  let parts: string[] = [];
  let pending = 0;
  while (remaining > 0) {
    n++;
    const p = chatParts(rng, `request-${n}`, GENERATED_MODEL, GENERATED_CREATED + Math.floor(n / 10));
    let line = renderChat(p, pick(rng, ANSWERS).replace(/"/g, "'"));
    if (remaining - line.length < margin) {
      const empty = renderChat(p, '').length;
      if (remaining >= empty) line = renderChat(p, filler(remaining - empty));
      else if (remaining >= 3) line = `{${' '.repeat(remaining - 3)}}\n`;
      else line = remaining === 2 ? '{}' : '\n';
    }
    parts.push(line);
    pending += line.length;
    remaining -= line.length;
    if (pending >= chunkSize || remaining === 0) {
      yield Buffer.from(parts.join(''), 'latin1');
      parts = [];
      pending = 0;
    }
  }
}

/** Sorted list of every known status, for tests that check coverage. */
export function allStatuses(): string[] {
  return [...KNOWN_STATUSES].sort();
}
