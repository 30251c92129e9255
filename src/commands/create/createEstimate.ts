import * as vscode from 'vscode';
import { plainText } from '../../core/util/text';
import { errorMessage } from '../../core/api/errors';
import { describeInputEstimate, estimateInputTokens, inputCostEstimate, scaleEstimate } from '../../core/cost/tokenEstimate';
import type { Logger } from '../../log';
import { readPriceOverrides } from '../../priceSettings';
import { loadTokenCounters } from '../../tokenizer/loadTokenizer';

/** Characters counted exactly; a larger input is estimated from its first this-many characters, scaled up. */
export const EXACT_COUNT_CHARS = 8 * 1024 * 1024;

/**
 * The Create flow's line about the input: its tokens counted with the model's tokenizer (loaded
 * now, not at activation) and their cost at the batch price. Undefined when counting fails: the
 * estimate must never stand in the way of creating the batch.
 */
export async function createEstimateLine(text: string, requests: number, log: Logger): Promise<string | undefined> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Counting input tokens…') },
      async () => {
        const started = Date.now();
        const counters = await loadTokenCounters();
        const sample = text.length > EXACT_COUNT_CHARS ? text.slice(0, text.lastIndexOf('\n', EXACT_COUNT_CHARS) + 1) : text;
        let estimate = estimateInputTokens(sample.split('\n'), counters);
        if (sample.length < text.length && sample.length > 0) estimate = scaleEstimate(estimate, text.length / sample.length, requests);
        const line = describeInputEstimate(estimate, inputCostEstimate(estimate, readPriceOverrides()));
        log.info(`Counted ${estimate.tokens} input tokens in ${Date.now() - started} ms: ${line}`);
        return plainText(line, 800);
      },
    );
  } catch (error) {
    log.warn(`Could not estimate the input tokens: ${errorMessage(error)}`);
    return undefined;
  }
}
