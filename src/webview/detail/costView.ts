import { batchCostEstimate, costLabel, type PriceOverrides, priceFor } from '../../core/cost/cost';
import { isRecord } from '../../core/util/json';
import type { Batch } from '../../core/api/types';
import type { DetailView } from './protocol';

/** The detail page's cost line: the labelled estimate, or why there is none. */
export function costView(batch: Batch, overrides: PriceOverrides): DetailView['cost'] {
  const estimate = batchCostEstimate(batch, overrides);
  if (estimate) return { text: costLabel(estimate), estimate: true };
  if (!isRecord(batch.usage)) {
    return {
      text: 'No cost estimate: the batch reports no usage (only batches created after 2025-09-07 do; Open Results adds up each request’s usage).',
      estimate: false,
    };
  }
  if (typeof batch.model === 'string' && !priceFor(batch.model, overrides)) {
    return { text: `No cost estimate: no known price for ${batch.model} (openaiBatches.prices can add one).`, estimate: false };
  }
  return { text: 'No cost estimate: the batch names no model, or its usage is incomplete.', estimate: false };
}
