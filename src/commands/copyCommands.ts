import * as vscode from 'vscode';
import { batchLabel, ID_MAX, plainText, statusPhrase } from '../core/format';
import type { Batch } from '../core/types';
import { BatchArgument, resolveBatch } from './batchPicker';
import type { Services } from './services';

export type CopyTarget = 'batchId' | 'outputFileId' | 'inputFileId' | 'errorFileId';

const TARGETS: Record<CopyTarget, { name: string; read: (batch: Batch) => string | null | undefined }> = {
  batchId: { name: 'batch ID', read: (batch) => batch.id },
  outputFileId: { name: 'output file ID', read: (batch) => batch.output_file_id },
  inputFileId: { name: 'input file ID', read: (batch) => batch.input_file_id },
  errorFileId: { name: 'error file ID', read: (batch) => batch.error_file_id },
};

/** The id a copy target reads from a batch, if it has one. */
export function idFor(batch: Batch, target: CopyTarget): string | undefined {
  const value = TARGETS[target].read(batch);
  return typeof value === 'string' && value ? value : undefined;
}

/** Copies one of a batch's ids to the clipboard and confirms it in the status bar. */
export async function copyId(services: Services, target: CopyTarget, argument: BatchArgument): Promise<void> {
  const { name } = TARGETS[target];
  const batch = await resolveBatch(services.store, argument, {
    title: `Copy ${name}`,
    placeHolder: `Pick a batch to copy its ${name} (type to filter by name, id or status)`,
    include: (b) => !!idFor(b, target),
    detail: (b) => idFor(b, target),
    emptyMessage: `No loaded batch has an ${name === 'batch ID' ? 'ID' : name}.`,
  });
  if (!batch) return;
  const value = idFor(batch, target);
  if (!value) {
    void vscode.window.showInformationMessage(`Batch "${batchLabel(batch)}" has no ${name} (status: ${statusPhrase(batch)}).`);
    return;
  }
  await vscode.env.clipboard.writeText(value);
  vscode.window.setStatusBarMessage(`$(check) Copied ${name} ${plainText(value, ID_MAX)}`, 4000);
  services.log.info(`Copied ${name} ${value} (batch ${batch.id}).`);
}

/**
 * Inserts a batch's output file id at every cursor of the active editor. From the palette it asks
 * with a quick pick; a batch (or its id) given as argument skips the pick.
 */
export async function insertOutputFileId(services: Services, argument?: BatchArgument): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Open an editor to insert an output file ID into.');
    return;
  }
  const pick = {
    title: 'Insert output file ID',
    placeHolder: 'Pick a batch whose output file ID to insert',
    include: (b: Batch) => !!b.output_file_id,
    detail: (b: Batch) => b.output_file_id ?? undefined,
    emptyMessage: 'No loaded batch has an output file yet.',
  };
  const batch = await resolveBatch(services.store, argument, pick);
  if (!batch) return;
  const value = idFor(batch, 'outputFileId');
  if (!value) {
    void vscode.window.showInformationMessage(`Batch "${batchLabel(batch)}" has no output file ID (status: ${statusPhrase(batch)}).`);
    return;
  }
  await editor.edit((edit) => {
    for (const selection of editor.selections) edit.replace(selection, value);
  });
  services.log.info(`Inserted output file ID ${value} (batch ${batch.id}).`);
}
