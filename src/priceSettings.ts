import * as vscode from 'vscode';
import { parsePriceOverrides, type PriceOverrides } from './core/cost/cost';
import { CONFIG_SECTION } from './ids';

/** The `openaiBatches.prices` setting key, under {@link CONFIG_SECTION}. */
export const PRICES_SETTING = 'prices';

let warned = '';

/** The shape of a price entry (kept out of the translated text: its braces are not placeholders). */
const PRICE_SHAPE = '{ "input": n, "cachedInput"?: n, "output": n }';

/**
 * `openaiBatches.prices`, read each time a figure is made (so an edit applies at once). Entries
 * that are not `{ input, cachedInput?, output }` are ignored, and named once in a warning.
 */
export function readPriceOverrides(): PriceOverrides {
  const value: unknown = vscode.workspace.getConfiguration(CONFIG_SECTION).get(PRICES_SETTING);
  const { overrides, invalid } = parsePriceOverrides(value);
  const key = invalid.join('\u0000');
  if (invalid.length && key !== warned) {
    warned = key;
    void vscode.window.showWarningMessage(
      invalid.length === 1
        ? vscode.l10n.t('openaiBatches.prices: ignored {0} entry that is not {1} (USD per 1M tokens).', invalid.length, PRICE_SHAPE)
        : vscode.l10n.t('openaiBatches.prices: ignored {0} entries that are not {1} (USD per 1M tokens).', invalid.length, PRICE_SHAPE),
    );
  }
  return overrides;
}

/** Fires when `openaiBatches.prices` changes. */
export function onDidChangePrices(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(`${CONFIG_SECTION}.${PRICES_SETTING}`)) listener();
  });
}
