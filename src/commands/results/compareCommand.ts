import * as vscode from 'vscode';
import { batchFiles, fileIdOf } from '../../core/batches/batchFacts';
import { batchLabel, statusPhrase } from '../../core/batches/batchDisplay';
import type { Batch } from '../../core/api/types';
import { ID_MAX, plainText } from '../../core/util/text';
import { type BatchArgument, type PickOptions, resolveBatch } from '../batchPicker';
import type { Services } from '../services';

function hasResults(batch: Batch): boolean {
  return fileIdOf(batch, 'output') !== undefined || fileIdOf(batch, 'error') !== undefined;
}

function pickOptions(title: string, placeHolder: string, exclude?: Batch): PickOptions {
  return {
    title,
    placeHolder,
    include: (batch) => hasResults(batch) && batch.id !== exclude?.id,
    detail: (b) =>
      batchFiles(b)
        .filter(({ role }) => role !== 'input')
        .map(({ role, id }) => (role === 'error' ? vscode.l10n.t('errors {0}', id) : vscode.l10n.t('output {0}', id)))
        .join(' · '),
    emptyMessage: exclude
      ? vscode.l10n.t('No other loaded batch has results to compare with.')
      : vscode.l10n.t('No loaded batch has results yet (an output or error file).'),
    allowTypedId: true,
  };
}

/**
 * `openaiBatches.compareResults`: the results of two batches (or of their chains, combined),
 * side by side by custom_id. From a selection of two in the tree, from one batch (the results
 * view's "Compare with…", a context menu: B is picked), or from the palette (both picked).
 */
export async function compareResults(
  services: Pick<Services, 'store' | 'compare'>,
  argument: BatchArgument,
  selected: string[] | undefined,
): Promise<void> {
  const { store } = services;
  if (selected && selected.length !== 2) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Compare Results needs exactly two batches; {0} are selected.', selected.length.toLocaleString('en-US')),
    );
    return;
  }
  const a = await resolveBatch(
    store,
    selected ? selected[0] : argument,
    pickOptions(vscode.l10n.t('Compare results (1/2)'), vscode.l10n.t('Pick run A: the batch whose answers are the reference')),
  );
  if (!a || !usable(a)) return;
  const b = await resolveBatch(
    store,
    selected?.[1],
    pickOptions(
      vscode.l10n.t('Compare results (2/2)'),
      vscode.l10n.t('Pick run B, to compare with A: {0}', plainText(batchLabel(a), ID_MAX)),
      a,
    ),
  );
  if (!b || !usable(b)) return;
  if (a.id === b.id) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Pick two different batches to compare.'));
    return;
  }
  services.compare.show(a, b);
}

/** Says so when a batch has no results yet. */
function usable(batch: Batch): boolean {
  if (hasResults(batch)) return true;
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Batch "{0}" has no results yet (status: {1}). They appear when it completes, expires or is cancelled.',
      batchLabel(batch),
      statusPhrase(batch),
    ),
  );
  return false;
}
