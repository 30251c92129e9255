import { type CostUsage, estimateCost, formatUsd, type PriceOverrides, totalCost, totalLabel } from '../../core/cost/cost';
import type { JoinedResult, TokenUsage } from '../../core/results/resultsJoin';

/** A result line's usage as tokens to price; undefined without input tokens. */
function costUsage(usage: TokenUsage | undefined): CostUsage | undefined {
  const input = usage?.input_tokens;
  if (input === undefined) return undefined;
  const cached = usage?.cached_tokens ?? 0;
  if (cached > input) return undefined;
  return { input, cachedInput: cached, output: usage?.output_tokens ?? 0 };
}

/** One row's cost cell (`$0.000012`), from its usage and the batch's model; null when there is no figure. */
export function rowCost(row: JoinedResult, model: unknown, overrides: PriceOverrides): string | null {
  const usage = costUsage(row.usage);
  const estimate = usage && estimateCost(usage, model, overrides, 'request usage');
  return estimate ? formatUsd(estimate.usd) : null;
}

/** The labelled total of all rows with usage, or undefined when none has a figure (no model, unknown model). */
export function resultsCostLabel(rows: readonly JoinedResult[], model: unknown, overrides: PriceOverrides): string | undefined {
  const estimates = function* () {
    for (const row of rows) {
      const usage = costUsage(row.usage);
      if (usage) yield estimateCost(usage, model, overrides, 'per-request usage');
    }
  };
  const label = totalLabel(totalCost(estimates()), 'requests with usage');
  if (label) return `Cost: ${label}`;
  return undefined;
}
