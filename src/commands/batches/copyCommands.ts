import * as vscode from 'vscode';
import { FILE_ROLES, fileIdOf, type FileRole } from '../../core/batches/batchFacts';
import { batchLabel, statusPhrase } from '../../core/batches/batchDisplay';
import type { Batch } from '../../core/api/types';
import { BatchArgument, resolveBatch } from '../batchPicker';
import type { Services } from '../services';
import { copyToClipboard } from '../../clipboard';

/** What a copy command copies: the batch's id, or the id of one of its files (`inputFileId`, …). */
export type CopyTarget = 'batchId' | `${FileRole}FileId`;

/** The file a target names; undefined for the batch id. */
function roleOf(target: CopyTarget): FileRole | undefined {
  return FILE_ROLES.find(({ role }) => target === `${role}FileId`)?.role;
}

/** Copies one of a batch's ids to the clipboard and confirms it in the status bar. */
export async function copyId(services: Pick<Services, 'log' | 'store'>, target: CopyTarget, argument: BatchArgument): Promise<void> {
  const role = roleOf(target);
  const name = role ? vscode.l10n.t('{0} file ID', role) : vscode.l10n.t('batch ID');
  const idOf = (b: Batch): string | undefined => (role ? fileIdOf(b, role) : b.id || undefined);
  const batch = await resolveBatch(services.store, argument, {
    title: vscode.l10n.t('Copy {0}', name),
    placeHolder: vscode.l10n.t('Pick a batch to copy its {0} (type to filter by name, id or status)', name),
    include: (b) => !!idOf(b),
    detail: idOf,
    emptyMessage: vscode.l10n.t('No loaded batch has an {0}.', role ? name : vscode.l10n.t('ID')),
  });
  if (!batch) return;
  const value = idOf(batch);
  if (!value) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Batch "{0}" has no {1} (status: {2}).', batchLabel(batch), name, statusPhrase(batch)),
    );
    return;
  }
  await copyToClipboard(services.log, name, value, ` (batch ${batch.id})`);
}

/**
 * Inserts a batch's output file id at every cursor of the active editor. From the palette it asks
 * with a quick pick; a batch (or its id) given as argument skips the pick.
 */
export async function insertOutputFileId(services: Pick<Services, 'log' | 'store'>, argument?: BatchArgument): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open an editor to insert an output file ID into.'));
    return;
  }
  const pick = {
    title: vscode.l10n.t('Insert output file ID'),
    placeHolder: vscode.l10n.t('Pick a batch whose output file ID to insert'),
    include: (b: Batch) => !!fileIdOf(b, 'output'),
    detail: (b: Batch) => fileIdOf(b, 'output'),
    emptyMessage: vscode.l10n.t('No loaded batch has an output file yet.'),
  };
  const batch = await resolveBatch(services.store, argument, pick);
  if (!batch) return;
  const value = fileIdOf(batch, 'output');
  if (!value) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Batch "{0}" has no output file ID (status: {1}).', batchLabel(batch), statusPhrase(batch)),
    );
    return;
  }
  await editor.edit((edit) => {
    for (const selection of editor.selections) edit.replace(selection, value);
  });
  services.log.info(`Inserted output file ID ${value} (batch ${batch.id}).`);
}
