/**
 * OpenAI's standard (non-batch) prices per model, in USD per 1M tokens, as a dated table of our
 * own. test/unit/core/cost/cost.test.ts checks every entry (and the snapshot names mapped to one) against
 * `@pydantic/genai-prices`, a maintained price database, so an update of that package that
 * changes a price fails the test until the table is updated and re-dated.
 *
 * Why a table and not a package at run time: `@pydantic/genai-prices` is ~480 KB of code and data
 * for every provider (the extension's bundle budget is far smaller) and has no batch prices;
 * `gpt-tokenizer`'s pricing metadata lacks models (gpt-4o-mini, gpt-4.1-mini, gpt-5-mini…) and has
 * stale ones (gpt-4o at $10/$30). Models priced in tiers by context length (gpt-5.4, gpt-5.5) are
 * left out: an unknown model gets no figure rather than a wrong one.
 */

/** Prices of one model, USD per 1M tokens. */
export interface ModelPrice {
  input: number;
  /** Input tokens read from the prompt cache; absent: priced as input. */
  cachedInput?: number;
  output: number;
}

/** The day the table was last checked against its source. */
export const PRICES_AS_OF = '2026-12-04';

/** Where the table's figures come from, for labels and the README. */
export const PRICES_SOURCE = '@pydantic/genai-prices 0.1.8 (OpenAI list prices)';

/** The Batch API's discount on list prices: half price for input and output. */
export const BATCH_DISCOUNT = 0.5;

/** Standard prices per model name (no date suffix, except snapshots priced differently from their model). */
export const STANDARD_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5.4-mini': { input: 0.75, cachedInput: 0.075, output: 4.5 },
  'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-2024-05-13': { input: 5, output: 15 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  o1: { input: 15, cachedInput: 7.5, output: 60 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
};
