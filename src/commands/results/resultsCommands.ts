import * as vscode from 'vscode';
import { batchFiles, fileIdOf } from '../../core/batches/batchFacts';
import type { BatchStore } from '../../core/batches/batchStore';
import { batchLabel, statusPhrase } from '../../core/batches/batchDisplay';
import type { Batch } from '../../core/api/types';
import type { ResultsPanels } from '../../webview/results/resultsPanel';
import { isRecord } from '../../core/util/json';
import { MAX_ERROR_KEY_CHARS } from '../../core/results/resultsQuery';
import type { ErrorFilter } from '../../webview/results/protocol';
import { type BatchArgument, resolveBatch } from '../batchPicker';

function hasResults(batch: Batch): boolean {
  return fileIdOf(batch, 'output') !== undefined || fileIdOf(batch, 'error') !== undefined;
}

/**
 * `openaiBatches.openResults`: joins a batch's input, output and error files by custom_id and
 * shows one row per request. Files are downloaded once into the extension's cache.
 */
export async function openResults(store: BatchStore, results: ResultsPanels, argument: BatchArgument, filter?: unknown): Promise<void> {
  const batch = await resolveBatch(store, argument, {
    title: vscode.l10n.t('Open results'),
    placeHolder: vscode.l10n.t('Pick a batch to see its results, one row per request'),
    include: hasResults,
    detail: (b) =>
      batchFiles(b)
        .filter(({ role }) => role !== 'input')
        .map(({ role, id }) => (role === 'error' ? vscode.l10n.t('errors {0}', id) : vscode.l10n.t('output {0}', id)))
        .join(' · '),
    emptyMessage: vscode.l10n.t('No loaded batch has results yet (an output or error file).'),
  });
  if (!batch) return;
  if (!hasResults(batch)) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Batch "{0}" has no results yet (status: {1}). They appear when it completes, expires or is cancelled.',
        batchLabel(batch),
        statusPhrase(batch),
      ),
    );
    return;
  }
  results.show(batch, errorFilterOf(filter));
}

/**
 * The error group a second argument names (the detail panel's error summary passes one), or
 * undefined for anything else: a multi-select's node array, a command link's junk.
 */
export function errorFilterOf(value: unknown): ErrorFilter | undefined {
  if (!isRecord(value) || Array.isArray(value)) return undefined;
  const { errorKey, label } = value;
  if (typeof errorKey !== 'string' || !errorKey || errorKey.length > MAX_ERROR_KEY_CHARS || typeof label !== 'string') return undefined;
  return { errorKey, label: label.slice(0, 500) };
}
