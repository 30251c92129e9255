import * as assert from 'node:assert/strict';
import { calcPrice } from '@pydantic/genai-prices';
import {
  batchCost,
  batchCostEstimate,
  costLabel,
  estimateCost,
  formatUsd,
  parsePriceOverrides,
  priceFor,
  totalCost,
  totalLabel,
  usageOfBatch,
  usageOfResponse,
} from '../../../../src/core/cost/cost';
import { BATCH_DISCOUNT, PRICES_AS_OF, STANDARD_PRICES } from '../../../../src/core/cost/prices';

const none = new Map();
const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('cost: usage × price, less the Batch API discount', () => {
  it('prices batch usage at half the list price, cached input at the cached price', () => {
    const usage = usageOfBatch({
      input_tokens: 1_000_000,
      input_tokens_details: { cached_tokens: 200_000 },
      output_tokens: 500_000,
      output_tokens_details: { reasoning_tokens: 100_000 },
      total_tokens: 1_500_000,
    });
    assert.deepEqual(usage, { input: 1_000_000, cachedInput: 200_000, output: 500_000 });
    // gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per 1M; batch: half.
    close(batchCost(usage, STANDARD_PRICES['gpt-4o-mini']), (0.8 * 0.15 + 0.2 * 0.075 + 0.5 * 0.6) * 0.5);
    assert.equal(BATCH_DISCOUNT, 0.5);
  });

  it('prices cached tokens as input when the model has no cached price', () => {
    close(batchCost({ input: 2_000_000, cachedInput: 1_000_000, output: 0 }, { input: 1, output: 2 }), 1);
  });

  it('maps dated snapshots to their model, except snapshots priced on their own', () => {
    assert.equal(priceFor('gpt-4o-mini-2024-07-18')?.priced, 'gpt-4o-mini');
    assert.equal(priceFor('GPT-4.1-mini-2025-04-14')?.priced, 'gpt-4.1-mini');
    assert.equal(priceFor('gpt-4o-2024-05-13')?.priced, 'gpt-4o-2024-05-13');
    assert.equal(priceFor('gpt-4o-2024-05-13')?.price.input, 5);
    assert.equal(priceFor('gpt-4o-2024-08-06')?.priced, 'gpt-4o');
  });

  it('gives no price (never a wrong one) for unknown models, near-miss names and non-strings', () => {
    for (const model of [
      'my-azure-deployment',
      'gpt-4o-mini-audio-preview',
      'gpt-3.5-turbo-1106',
      'gpt-5.4',
      '',
      '  ',
      null,
      undefined,
      42,
      {},
    ]) {
      assert.equal(priceFor(model), undefined, JSON.stringify(model) ?? 'undefined');
    }
    assert.equal(
      batchCostEstimate({ id: 'batch_x', status: 'completed', model: 'llama-3-70b', usage: { input_tokens: 10, output_tokens: 10 } }, none),
      undefined,
    );
  });

  it('gives no figure without usage (batches created before 2025-09-07) or with impossible usage', () => {
    assert.equal(batchCostEstimate({ id: 'batch_x', status: 'completed', model: 'gpt-4o-mini', usage: null }, none), undefined);
    assert.equal(batchCostEstimate({ id: 'batch_x', status: 'completed', model: 'gpt-4o-mini' }, none), undefined);
    assert.equal(usageOfBatch({ input_tokens: 10, input_tokens_details: { cached_tokens: 20 }, output_tokens: 1 }), undefined);
    assert.equal(usageOfBatch({ input_tokens: -1, output_tokens: 1 }), undefined);
    assert.equal(usageOfBatch({ input_tokens: 'many', output_tokens: 1 }), undefined);
  });

  it('reads chat-completions and responses usage of result lines, with cached details', () => {
    assert.deepEqual(usageOfResponse({ prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 64 } }), {
      input: 100,
      cachedInput: 64,
      output: 20,
    });
    assert.deepEqual(usageOfResponse({ input_tokens: 7, output_tokens: 3, input_tokens_details: { cached_tokens: 0 } }), {
      input: 7,
      cachedInput: 0,
      output: 3,
    });
    // Embeddings: no output tokens.
    assert.deepEqual(usageOfResponse({ prompt_tokens: 12, total_tokens: 12 }), { input: 12, cachedInput: 0, output: 0 });
  });

  it('applies openaiBatches.prices overrides (list prices, discount applied), for snapshots too', () => {
    const { overrides, invalid } = parsePriceOverrides({
      'GPT-4o-mini': { input: 1, output: 2 },
      'my-deployment': { input: 3, cachedInput: 1, output: 4 },
      broken: { input: 'x', output: 1 },
      negative: { input: -1, output: 1 },
      badCached: { input: 1, cachedInput: 'free', output: 1 },
      notAnObject: 5,
    });
    assert.deepEqual(invalid.sort(), ['badCached', 'broken', 'negative', 'notAnObject']);
    const usage = { input: 1_000_000, cachedInput: 500_000, output: 1_000_000 };
    const mini = estimateCost(usage, 'gpt-4o-mini-2024-07-18', overrides, 'batch usage');
    close(mini!.usd, (1 + 2) * 0.5);
    assert.match(mini!.basis, /openaiBatches\.prices for gpt-4o-mini less the 50% Batch API discount/);
    const deployment = estimateCost(usage, 'my-deployment', overrides, 'batch usage');
    close(deployment!.usd, (0.5 * 3 + 0.5 * 1 + 4) * 0.5);
    // A snapshot priced on its own in the table keeps its price unless overridden by name.
    assert.equal(priceFor('gpt-4o-2024-05-13', parsePriceOverrides({ 'gpt-4o': { input: 9, output: 9 } }).overrides)?.source, 'table');
    assert.equal(parsePriceOverrides('nonsense').overrides.size, 0);
  });

  it('labels every figure as an estimate and says what it rests on', () => {
    const estimate = batchCostEstimate(
      { id: 'batch_x', status: 'completed', model: 'gpt-4o-mini-2024-07-18', usage: { input_tokens: 1_000_000, output_tokens: 1_000_000 } },
      none,
    );
    assert.equal(costLabel(estimate!), `≈ $0.375 (estimate: batch usage × gpt-4o-mini batch price as of ${PRICES_AS_OF})`);
  });

  it('says "so far" for an active batch, whose usage is still growing', () => {
    const usage = { input_tokens: 1000, output_tokens: 10 };
    const active = batchCostEstimate({ id: 'batch_a', status: 'in_progress', model: 'gpt-4o-mini', usage }, none);
    assert.match(active!.basis, /^batch usage so far × gpt-4o-mini batch price/);
  });

  it('formats dollars readably at every scale', () => {
    assert.equal(formatUsd(1234.567), '$1,234.57');
    assert.equal(formatUsd(0.5), '$0.50');
    assert.equal(formatUsd(0.0123), '$0.0123');
    assert.equal(formatUsd(0.000042), '$0.000042');
    assert.equal(formatUsd(0), '$0.00');
    assert.equal(formatUsd(Number.NaN), '$0.00');
  });

  it('adds up a total, counting what had no figure', () => {
    const a = batchCostEstimate(
      { id: 'batch_x', status: 'completed', model: 'gpt-4o-mini', usage: { input_tokens: 1_000_000, output_tokens: 0 } },
      none,
    );
    const b = batchCostEstimate(
      { id: 'batch_x', status: 'completed', model: 'gpt-4o-mini', usage: { input_tokens: 3_000_000, output_tokens: 0 } },
      none,
    );
    const total = totalCost([a, b, undefined]);
    close(total.usd, 4 * 0.15 * 0.5);
    assert.equal(total.priced, 2);
    assert.equal(total.unpriced, 1);
    assert.equal(
      totalLabel(total, 'batches'),
      `≈ $0.30 for 2 of 3 batches (estimate: batch usage × gpt-4o-mini batch price as of ${PRICES_AS_OF}; 1 without a known price or usage)`,
    );
    assert.equal(totalLabel(totalCost([undefined]), 'batches'), undefined);
  });

  describe(`the price table (as of ${PRICES_AS_OF}) against @pydantic/genai-prices`, () => {
    for (const [model, price] of Object.entries(STANDARD_PRICES)) {
      it(`${model}: input, cached input and output list prices match`, () => {
        const million = 1_000_000;
        const plain = calcPrice({ input_tokens: million, output_tokens: million }, model, { providerId: 'openai' });
        assert.ok(plain, `genai-prices does not know ${model}`);
        close(plain.input_price, price.input);
        close(plain.output_price, price.output);
        const cached = calcPrice({ input_tokens: million, cache_read_tokens: million }, model, { providerId: 'openai' });
        close(cached!.input_price, price.cachedInput ?? price.input);
      });
    }

    it('maps the snapshot names OpenAI returns to the same price genai-prices gives them', () => {
      const snapshots = [
        'gpt-4o-mini-2024-07-18',
        'gpt-4o-2024-08-06',
        'gpt-4o-2024-11-20',
        'gpt-4o-2024-05-13',
        'gpt-4.1-2025-04-14',
        'gpt-4.1-mini-2025-04-14',
        'gpt-4.1-nano-2025-04-14',
        'gpt-5-2025-08-07',
        'gpt-5-mini-2025-08-07',
        'gpt-5-nano-2025-08-07',
        'o3-2025-04-16',
        'o4-mini-2025-04-16',
      ];
      for (const snapshot of snapshots) {
        const ours = priceFor(snapshot);
        const theirs = calcPrice({ input_tokens: 1e6, output_tokens: 1e6 }, snapshot, { providerId: 'openai' });
        assert.ok(ours && theirs, snapshot);
        close(theirs.input_price, ours.price.input);
        close(theirs.output_price, ours.price.output);
      }
    });
  });
});
