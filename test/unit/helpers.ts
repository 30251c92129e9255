// Small helpers shared by several unit test files.
import type { Batch } from '../../src/core/api/types';

/** A retry policy fast enough for tests. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, maxTotalWaitMs: 2_000 };

/** The path of the batch list. */
export const LIST = '/v1/batches';

/** A batch of only an id, a status (of any shape) and what the test adds. */
export const bareBatch = (id: string, status: string | null | undefined, extra: Partial<Batch> = {}): Batch => ({ id, status, ...extra });

/** A chat-completions batch created at a fixed time, with what the test adds. */
export function batch(id: string, status: string, extra: Partial<Batch> = {}): Batch {
  return { id, object: 'batch', status, endpoint: '/v1/chat/completions', created_at: 1_700_000_000, ...extra };
}

/** An embeddings result line as OpenAI writes it (one embedding; `tokens` prompt tokens). */
export const embeddingResult = (id: string, embedding: number[] | string, tokens = 5): string =>
  JSON.stringify({
    id: `batch_req_${id}`,
    custom_id: id,
    response: {
      status_code: 200,
      request_id: `req_${id}`,
      body: {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding }],
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    },
    error: null,
  });
