import * as assert from 'node:assert/strict';
import { countTokens as o200k } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import { parsePriceOverrides } from '../../../../src/core/cost/cost';
import { PRICES_AS_OF } from '../../../../src/core/cost/prices';
import {
  describeInputEstimate,
  encodingFor,
  estimateInputTokens,
  inputCostEstimate,
  requestTokens,
  type TokenCounters,
} from '../../../../src/core/cost/tokenEstimate';
import { loadTokenCounters } from '../../../../src/tokenizer/loadTokenizer';

/** One token per word: makes the arithmetic visible. */
const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;
const fake: TokenCounters = { o200k_base: words, cl100k_base: words };

const chat = (id: string, model: string, content: unknown): string =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content }] } });

describe('tokenEstimate: input tokens and cost before a batch is created', () => {
  it('counts chat messages with their per-message and reply overhead', () => {
    const { tokens, partly } = requestTokens(JSON.parse(chat('a', 'gpt-4o-mini', 'one two three')) as Record<string, unknown>, words);
    assert.equal(tokens, 3 + 3 + 3);
    assert.equal(partly, false);
  });

  it('counts text parts and says when images were not counted', () => {
    const content = [
      { type: 'text', text: 'describe this' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ];
    const { tokens, partly } = requestTokens(JSON.parse(chat('a', 'gpt-4o-mini', content)) as Record<string, unknown>, words);
    assert.equal(tokens, 3 + 2 + 3);
    assert.equal(partly, true);
  });

  it('counts responses input and instructions, embeddings inputs (text and token ids), completions prompts', () => {
    const responses = { custom_id: 'r', body: { model: 'gpt-4.1', instructions: 'be brief', input: 'hello there world' } };
    assert.equal(requestTokens(responses, words).tokens, 2 + 3);
    const embeddings = { custom_id: 'e', body: { model: 'text-embedding-3-small', input: ['a b', 'c d e'] } };
    assert.equal(requestTokens(embeddings, words).tokens, 5);
    const ids = { custom_id: 'e', body: { model: 'text-embedding-3-small', input: [101, 102, 103] } };
    assert.equal(requestTokens(ids, words).tokens, 3);
    const completions = { custom_id: 'c', body: { model: 'gpt-3.5-turbo-instruct', prompt: 'say x' } };
    assert.equal(requestTokens(completions, words).tokens, 2);
  });

  it('chooses the encoding by model', () => {
    assert.equal(encodingFor('gpt-4o-mini'), 'o200k_base');
    assert.equal(encodingFor('gpt-4.1-nano'), 'o200k_base');
    assert.equal(encodingFor('gpt-5'), 'o200k_base');
    assert.equal(encodingFor('o3-mini'), 'o200k_base');
    assert.equal(encodingFor('gpt-4'), 'cl100k_base');
    assert.equal(encodingFor('gpt-4-turbo'), 'cl100k_base');
    assert.equal(encodingFor('gpt-3.5-turbo'), 'cl100k_base');
    assert.equal(encodingFor('text-embedding-3-small'), 'cl100k_base');
  });

  it('sums a file per model and prices the input at the batch price', () => {
    const lines = [
      chat('a', 'gpt-4o-mini', 'one two'),
      chat('b', 'gpt-4o-mini', 'three'),
      'not json',
      '',
      chat('c', 'gpt-4o-mini', 'x y z w'),
    ];
    const estimate = estimateInputTokens(lines, fake);
    assert.equal(estimate.requests, 3);
    assert.equal(estimate.tokens, 8 + 7 + 10);
    assert.deepEqual([...estimate.byModel.entries()], [['gpt-4o-mini', { requests: 3, tokens: 25 }]]);
    const cost = inputCostEstimate(estimate, new Map());
    assert.ok(cost);
    assert.ok(Math.abs(cost.usd - (25 * 0.15 * 0.5) / 1e6) < 1e-15);
    assert.match(
      describeInputEstimate(estimate, cost),
      new RegExp(
        `^≈ 25 input tokens · ≈ \\$0\\.0000019 for input \\(estimate: counted input tokens × gpt-4o-mini batch price as of ${PRICES_AS_OF}; tokens counted with o200k_base, output not included\\)\\.$`,
      ),
    );
  });

  it('gives no cost when any model is unknown, and says which (an override adds it)', () => {
    const lines = [chat('a', 'gpt-4o-mini', 'one'), chat('b', 'my-finetune', 'two')];
    const estimate = estimateInputTokens(lines, fake);
    assert.equal(inputCostEstimate(estimate, new Map()), undefined);
    assert.match(describeInputEstimate(estimate, undefined), /no known price for gpt-4o-mini, my-finetune/);
    const { overrides } = parsePriceOverrides({ 'my-finetune': { input: 1, output: 1 } });
    assert.ok(inputCostEstimate(estimate, overrides));
  });

  it('loads the real tokenizers on demand and counts like gpt-tokenizer', async () => {
    const counters = await loadTokenCounters();
    assert.equal(counters.o200k_base('Hello, world!'), o200k('Hello, world!'));
    assert.equal(counters.o200k_base('Hello, world!'), 4);
    assert.ok(counters.cl100k_base('Hello, world!') > 0);
  });
});
