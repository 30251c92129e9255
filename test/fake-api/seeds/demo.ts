/**
 * The demo seed: the recorded page plus a story that shows every state the UI has to render
 * (each status, failures, long and hostile descriptions), and older filler.
 */
import type { Batch } from '../../../src/core/api/types';
import { type BatchShape, buildBatch, DAY, DEMO_NOW, TERMINAL_STATUSES } from './batchShape';
import { fixtureBatches } from './fixture';
import { shapeFor, STATUS_WEIGHTS } from './generated';
import { compareNewestFirst, int, mulberry32, weighted } from './random';

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
