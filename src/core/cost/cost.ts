/**
 * Cost estimates: token usage × a model's price, less the Batch API discount. Prices come from
 * the dated table in `prices.ts` or from the `openaiBatches.prices` setting; a model found in
 * neither gets no figure, never a guess. Every figure carries a label saying what it rests on.
 * No Node or `vscode` imports.
 */

import { isActive } from '../batches/grouping';
import { isRecord } from '../util/json';
import { BATCH_DISCOUNT, type ModelPrice, PRICES_AS_OF, STANDARD_PRICES } from './prices';
import type { Batch } from '../api/types';

export type { ModelPrice };

/** Per-model prices from `openaiBatches.prices` (list prices, USD per 1M tokens), keyed by lower-case model name. */
export type PriceOverrides = ReadonlyMap<string, ModelPrice>;

/** Tokens to price: `input` includes `cachedInput`, as the API counts them; `output` includes reasoning tokens. */
export interface CostUsage {
  input: number;
  cachedInput: number;
  output: number;
}

/** Where a model's price was found. */
export interface PriceChoice {
  /** The name whose price is used: the model, or the model without its date suffix. */
  priced: string;
  price: ModelPrice;
  source: 'table' | 'override';
}

export interface CostEstimate {
  /** US dollars, Batch API discount applied. */
  usd: number;
  /** What the figure rests on, e.g. `batch usage × gpt-4o-mini batch price as of 2026-12-04`. */
  basis: string;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function price(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1e6 ? value : undefined;
}

/**
 * Reads `openaiBatches.prices`: `{ "<model>": { input, cachedInput?, output } }`. Entries that
 * are not of that shape are left out and named in `invalid`, so a typo never prices at zero.
 */
export function parsePriceOverrides(value: unknown): { overrides: PriceOverrides; invalid: string[] } {
  const overrides = new Map<string, ModelPrice>();
  const invalid: string[] = [];
  if (!isRecord(value)) return { overrides, invalid };
  for (const [model, entry] of Object.entries(value)) {
    const input = isRecord(entry) ? price(entry.input) : undefined;
    const output = isRecord(entry) ? price(entry.output) : undefined;
    const cachedInput = isRecord(entry) && entry.cachedInput !== undefined ? price(entry.cachedInput) : undefined;
    const badCached = isRecord(entry) && entry.cachedInput !== undefined && cachedInput === undefined;
    if (!model.trim() || input === undefined || output === undefined || badCached) {
      invalid.push(model);
      continue;
    }
    overrides.set(model.trim().toLowerCase(), cachedInput === undefined ? { input, output } : { input, cachedInput, output });
  }
  return { overrides, invalid };
}

/** A batch's `usage` (batches created after 2025-09-07 have one), as tokens to price. */
export function usageOfBatch(usage: unknown): CostUsage | undefined {
  if (!isRecord(usage)) return undefined;
  return tokens(usage.input_tokens, usage.input_tokens_details, usage.output_tokens);
}

/**
 * A response body's `usage`: `input_tokens`/`output_tokens` (responses, embeddings) or
 * `prompt_tokens`/`completion_tokens` (chat completions), with their cached-token details.
 */
export function usageOfResponse(usage: unknown): CostUsage | undefined {
  if (!isRecord(usage)) return undefined;
  return tokens(
    usage.input_tokens ?? usage.prompt_tokens,
    usage.input_tokens_details ?? usage.prompt_tokens_details,
    usage.output_tokens ?? usage.completion_tokens ?? 0,
  );
}

function tokens(inputValue: unknown, details: unknown, outputValue: unknown): CostUsage | undefined {
  const input = count(inputValue);
  const output = count(outputValue);
  if (input === undefined || output === undefined) return undefined;
  // More cached tokens than input tokens would price below zero: the usage is not one to trust.
  const cached = (isRecord(details) ? count(details.cached_tokens) : undefined) ?? 0;
  if (cached > input) return undefined;
  return { input, cachedInput: cached, output };
}

const DATE_SUFFIX = /-\d{4}-\d{2}-\d{2}$/;

/**
 * The price of a model: an override for it, the table's entry for it, then the same for the
 * model without its date suffix (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`). Snapshots priced
 * differently (`gpt-4o-2024-05-13`) have their own table entry, so they never take their
 * model's price. Undefined for any other name: no figure rather than a wrong one.
 */
export function priceFor(model: unknown, overrides: PriceOverrides = new Map()): PriceChoice | undefined {
  if (typeof model !== 'string' || !model.trim()) return undefined;
  const name = model.trim().toLowerCase();
  const base = name.replace(DATE_SUFFIX, '');
  const names = base === name ? [name] : [name, base];
  for (const candidate of names) {
    const override = overrides.get(candidate);
    if (override) return { priced: candidate, price: override, source: 'override' };
    if (Object.hasOwn(STANDARD_PRICES, candidate)) return { priced: candidate, price: STANDARD_PRICES[candidate], source: 'table' };
  }
  return undefined;
}

/** US dollars for `usage` at `price` (list prices per 1M tokens), with the Batch API discount. */
export function batchCost(usage: CostUsage, price: ModelPrice): number {
  const uncached = usage.input - usage.cachedInput;
  const list = uncached * price.input + usage.cachedInput * (price.cachedInput ?? price.input) + usage.output * price.output;
  return (list / 1e6) * BATCH_DISCOUNT;
}

/** What a price rests on, for labels: `gpt-4o-mini batch price as of 2026-12-04`. */
export function priceBasis(choice: PriceChoice): string {
  return choice.source === 'override'
    ? `openaiBatches.prices for ${choice.priced} less the ${BATCH_DISCOUNT * 100}% Batch API discount`
    : `${choice.priced} batch price as of ${PRICES_AS_OF}`;
}

/** The cost of `usage` for `model`, or undefined when the model has no known price. `what` names the usage (`batch usage`). */
export function estimateCost(usage: CostUsage, model: unknown, overrides: PriceOverrides, what: string): CostEstimate | undefined {
  const choice = priceFor(model, overrides);
  if (!choice) return undefined;
  return { usd: batchCost(usage, choice.price), basis: `${what} × ${priceBasis(choice)}` };
}

/**
 * A batch's cost from its `usage` and `model`; undefined when either is missing or the model has
 * no price. An active batch's usage is what it has used so far, and the label says so.
 */
export function batchCostEstimate(batch: Batch, overrides: PriceOverrides): CostEstimate | undefined {
  const usage = usageOfBatch(batch.usage);
  return usage && estimateCost(usage, batch.model, overrides, isActive(batch) ? 'batch usage so far' : 'batch usage');
}

/** Dollars as people read them: `$12.34`, `$0.0123`, `$0.000042`, `$0.00` for nothing. */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return '$0.00';
  if (usd >= 1) return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  if (usd >= 0.01) return `$${usd.toFixed(4).replace(/(\.\d\d)(\d*?)0+$/, '$1$2')}`;
  // Two significant digits, never in exponent notation.
  const decimals = Math.min(12, 1 - Math.floor(Math.log10(usd)));
  return `$${usd.toFixed(decimals)}`;
}

/** A figure with its label: `≈ $0.0123 (estimate: batch usage × gpt-4o-mini batch price as of 2026-12-04)`. */
export function costLabel(estimate: CostEstimate): string {
  return `≈ ${formatUsd(estimate.usd)} (estimate: ${estimate.basis})`;
}

/** A sum of estimates and how many items had none (unknown model, no usage). */
export interface CostTotal {
  usd: number;
  priced: number;
  unpriced: number;
  /** The distinct bases, for the label. */
  bases: Set<string>;
}

/** Adds up estimates; `undefined` ones are counted as unpriced. */
export function totalCost(estimates: Iterable<CostEstimate | undefined>): CostTotal {
  const total: CostTotal = { usd: 0, priced: 0, unpriced: 0, bases: new Set() };
  for (const estimate of estimates) {
    if (!estimate) {
      total.unpriced++;
      continue;
    }
    total.usd += estimate.usd;
    total.priced++;
    total.bases.add(estimate.basis);
  }
  return total;
}

/**
 * A total as one line: `≈ $1.23 for 5 of 7 batches (estimate: batch usage × gpt-4o-mini batch
 * price as of …; 2 without a known price or usage)`; undefined when nothing was priced.
 */
export function totalLabel(total: CostTotal, noun: string): string | undefined {
  if (total.priced === 0) return undefined;
  const all = total.priced + total.unpriced;
  const bases = [...total.bases];
  const basis = bases.length <= 2 ? bases.join('; ') : `${bases.length} models' usage × their batch prices`;
  const missing = total.unpriced ? `; ${total.unpriced} without a known price or usage` : '';
  const of = total.unpriced ? `${total.priced} of ${all}` : `${all}`;
  return `≈ ${formatUsd(total.usd)} for ${of} ${noun} (estimate: ${basis}${missing})`;
}
