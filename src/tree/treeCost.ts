import * as vscode from 'vscode';
import { batchCostEstimate, costLabel, type PriceOverrides, totalCost, totalLabel } from '../core/cost/cost';
import { type BatchFilter, matchesFilter } from '../core/batches/filter';
import { escapeMarkdown, plainText } from '../core/util/text';
import type { Batch } from '../core/api/types';
import type { BatchStore } from '../core/batches/batchStore';

/** The batches the tree shows: all loaded ones, or those the filter keeps. */
export function shownBatches(store: BatchStore, tree: { readonly filter: BatchFilter | undefined }): Batch[] {
  const filter = tree.filter;
  return filter ? store.batches.filter((batch) => matchesFilter(batch, filter)) : [...store.batches];
}

/** The tooltip's cost line, escaped Markdown; undefined when the batch has no figure. */
export function tooltipCostLine(batch: Batch, overrides: PriceOverrides): string | undefined {
  const estimate = batchCostEstimate(batch, overrides);
  return estimate && vscode.l10n.t('Cost: {0}', escapeMarkdown(plainText(costLabel(estimate), 400)));
}

/** The labelled total of the shown batches (`≈ $1.23 for 5 of 7 batches shown (estimate: …)`), or undefined without a figure. */
export function shownCostLabel(batches: readonly Batch[], overrides: PriceOverrides): string | undefined {
  return totalLabel(totalCost(batches.map((batch) => batchCostEstimate(batch, overrides))), 'batches shown');
}
