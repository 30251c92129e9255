/**
 * Per-model limits on enqueued prompt tokens, as OpenAI enforces them per organization: a batch
 * created while its model's active batches (validating, in progress, finalizing) already hold
 * too many tokens is accepted, then fails validation with `errors.data[].code =
 * "token_limit_exceeded"`. Tokens are counted with the same tokenizers the extension uses.
 * The server calls {@link EnqueuedTokenLimits.check} at create; tests set limits with {@link set}.
 */

import type { Batch, BatchErrorItem } from '../../src/core/api/types';
import { estimateInputTokens, type TokenCounters } from '../../src/core/cost/tokenEstimate';

const ACTIVE = new Set(['validating', 'in_progress', 'finalizing']);

export class EnqueuedTokenLimits {
  private readonly limits = new Map<string, number>();
  /** Prompt tokens of each batch that was let in. */
  private readonly tokens = new Map<string, { model: string; tokens: number }>();
  private counters: Promise<TokenCounters> | undefined;

  /** Sets (or with `undefined`, lifts) a model's limit. */
  set(model: string, tokens: number | undefined): void {
    if (tokens === undefined) this.limits.delete(model);
    else this.limits.set(model, tokens);
  }

  /** The tokens a batch's input counts as (after it was created). */
  tokensOf(batchId: string): number | undefined {
    return this.tokens.get(batchId)?.tokens;
  }

  /** Tokens of `model` held by active batches among `batches`. */
  enqueued(model: string, batches: Iterable<Batch>): number {
    let sum = 0;
    for (const batch of batches) {
      const entry = this.tokens.get(batch.id);
      if (entry?.model === model && ACTIVE.has(batch.status ?? '')) sum += entry.tokens;
    }
    return sum;
  }

  /**
   * At create: the validation errors the new batch gets when it does not fit (none when it does;
   * then `admit` records its tokens under its id).
   */
  async check(
    model: string | null | undefined,
    inputText: string,
    batches: Iterable<Batch>,
  ): Promise<{ errors: BatchErrorItem[]; admit: (batchId: string) => void }> {
    const limit = model ? this.limits.get(model) : undefined;
    if (!model || limit === undefined) return { errors: [], admit: () => undefined };
    this.counters ??= import('../../src/tokenizer/encodings').then((e) => ({ o200k_base: e.o200k_base, cl100k_base: e.cl100k_base }));
    const tokens = estimateInputTokens(inputText.split('\n'), await this.counters).tokens;
    const enqueued = this.enqueued(model, batches);
    if (enqueued + tokens <= limit) return { errors: [], admit: (id) => this.tokens.set(id, { model, tokens }) };
    const message =
      `Enqueued token limit reached for ${model} in organization org-fake. Limit: ${limit.toLocaleString('en-US')} enqueued tokens. ` +
      'Please try again once some in_progress batches have been completed.';
    return { errors: [{ code: 'token_limit_exceeded', message, param: null, line: null }], admit: () => undefined };
  }
}
