import * as vscode from 'vscode';
import { plainText } from '../../core/util/text';
import { readPriceOverrides } from '../../priceSettings';
import { shownBatches, shownCostLabel } from '../../tree/treeCost';
import type { Services } from '../services';

/**
 * `openaiBatches.showCost`: the estimated cost of the batches the tree shows (all loaded ones,
 * or those the filter keeps), from each batch's `usage` and model price, labelled with what it
 * rests on.
 */
export function showCost(services: Pick<Services, 'store' | 'tree' | 'log'>): void {
  const batches = shownBatches(services.store, services.tree);
  const filtered = !!services.tree.filter;
  const scope = filtered ? 'the batches the filter shows' : 'the loaded batches';
  const label = shownCostLabel(batches, readPriceOverrides());
  if (!label) {
    void vscode.window.showInformationMessage(
      filtered
        ? vscode.l10n.t(
            'No cost estimate for the batches the filter shows: none reports usage with a model of known price (usage exists on batches created after 2025-09-07; openaiBatches.prices can add a model).',
          )
        : vscode.l10n.t(
            'No cost estimate for the loaded batches: none reports usage with a model of known price (usage exists on batches created after 2025-09-07; openaiBatches.prices can add a model).',
          ),
    );
    return;
  }
  services.log.info(`Cost of ${scope}: ${label}`);
  const shown = plainText(label, 1000);
  void vscode.window.showInformationMessage(
    filtered ? vscode.l10n.t('The batches the filter shows: {0}', shown) : vscode.l10n.t('The loaded batches: {0}', shown),
  );
}
