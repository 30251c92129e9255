import * as vscode from 'vscode';
import { batchLabel, humanizeStatus } from '../core/format';
import { isCancellable, statusOf } from '../core/grouping';
import { BatchArgument, resolveBatch } from './batchPicker';
import type { Services } from './services';

export async function openBatch(services: Services, argument: BatchArgument): Promise<void> {
  const batch = await resolveBatch(services.store, argument, {
    title: 'Open batch details',
    placeHolder: 'Pick a batch, or paste a batch id (batch_…)',
    emptyMessage: 'No batches loaded.',
    allowTypedId: true,
  });
  if (batch) services.panels.show(batch);
}

/** Cancels an active batch after a modal confirmation; the tree shows `cancelling` at once. */
export async function cancelBatch(services: Services, argument: BatchArgument): Promise<void> {
  const batch = await resolveBatch(services.store, argument, {
    title: 'Cancel batch',
    placeHolder: 'Pick an active batch to cancel',
    include: isCancellable,
    emptyMessage: 'No loaded batch can be cancelled (only validating, in-progress and finalizing batches can).',
  });
  if (!batch) return;
  if (!isCancellable(batch)) {
    void vscode.window.showInformationMessage(`Batch "${batchLabel(batch)}" is ${humanizeStatus(statusOf(batch)).toLowerCase()} and cannot be cancelled.`);
    return;
  }
  const answer = await vscode.window.showWarningMessage(
    `Cancel batch "${batchLabel(batch)}"?`,
    { modal: true, detail: `${batch.id} is ${humanizeStatus(statusOf(batch)).toLowerCase()}. Requests already completed are kept; the rest are not run.` },
    'Cancel Batch',
  );
  if (answer !== 'Cancel Batch') return;
  const client = services.store.requireClient();
  const updated = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cancelling ${batch.id}…` }, () => client.cancelBatch(batch.id));
  services.store.apply(updated, { prependIfNew: false });
  services.log.info(`Cancel requested for ${batch.id}: now ${statusOf(updated)}.`);
  vscode.window.setStatusBarMessage(`$(circle-slash) Batch ${batch.id} is ${humanizeStatus(statusOf(updated)).toLowerCase()}`, 5000);
}
