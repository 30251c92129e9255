import * as vscode from 'vscode';
import { batchFiles, fileIdOf } from '../core/batchFacts';
import type { BatchStore } from '../core/batchStore';
import { batchLabel, statusPhrase } from '../core/format';
import type { Batch } from '../core/types';
import type { ResultsPanels } from '../webview/results/resultsPanel';
import { type BatchArgument, resolveBatch } from './batchPicker';

function hasResults(batch: Batch): boolean {
  return fileIdOf(batch, 'output') !== undefined || fileIdOf(batch, 'error') !== undefined;
}

/**
 * `openaiBatches.openResults`: joins a batch's input, output and error files by custom_id and
 * shows one row per request. Files are downloaded once into the extension's cache.
 */
export async function openResults(store: BatchStore, results: ResultsPanels, argument: BatchArgument): Promise<void> {
  const batch = await resolveBatch(store, argument, {
    title: 'Open results',
    placeHolder: 'Pick a batch to see its results, one row per request',
    include: hasResults,
    detail: (b) =>
      batchFiles(b)
        .filter(({ role }) => role !== 'input')
        .map(({ role, id }) => `${role === 'error' ? 'errors' : role} ${id}`)
        .join(' · '),
    emptyMessage: 'No loaded batch has results yet (an output or error file).',
  });
  if (!batch) return;
  if (!hasResults(batch)) {
    void vscode.window.showInformationMessage(
      `Batch "${batchLabel(batch)}" has no results yet (status: ${statusPhrase(batch)}). They appear when it completes, expires or is cancelled.`,
    );
    return;
  }
  results.show(batch);
}
