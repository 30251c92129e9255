import * as vscode from 'vscode';
import { parsePriceOverrides, type PriceOverrides } from './core/cost';
import { CONFIG_SECTION } from './ids';

/** The `openaiBatches.prices` setting key, under {@link CONFIG_SECTION}. */
export const PRICES_SETTING = 'prices';

let warned = '';

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
      `openaiBatches.prices: ignored ${invalid.length} entr${invalid.length === 1 ? 'y' : 'ies'} that ${invalid.length === 1 ? 'is' : 'are'} not { "input": n, "cachedInput"?: n, "output": n } (USD per 1M tokens).`,
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
