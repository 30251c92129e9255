import * as vscode from 'vscode';
import { ApiError } from '../../core/api/errors';
import { batchLabel, statusPhrase } from '../../core/batches/batchDisplay';
import { ID_MAX, plainText } from '../../core/util/text';
import { isCancellable, statusOf } from '../../core/batches/grouping';
import type { Batch } from '../../core/api/types';
import { BatchArgument, resolveBatch } from '../batchPicker';
import type { Services } from '../services';

export async function openBatch(services: Pick<Services, 'panels' | 'store'>, argument: BatchArgument): Promise<void> {
  const batch = await resolveBatch(services.store, argument, {
    title: vscode.l10n.t('Open batch details'),
    placeHolder: vscode.l10n.t('Pick a batch, or paste a batch id (batch_…)'),
    emptyMessage: vscode.l10n.t('No batches loaded.'),
    allowTypedId: true,
  });
  if (batch) services.panels.show(batch);
}

/** Cancels an active batch after a modal confirmation; the tree shows `cancelling` at once. */
export async function cancelBatch(services: Pick<Services, 'store' | 'log'>, argument: BatchArgument): Promise<void> {
  const batch = await resolveBatch(services.store, argument, {
    title: vscode.l10n.t('Cancel batch'),
    placeHolder: vscode.l10n.t('Pick an active batch to cancel'),
    include: isCancellable,
    emptyMessage: vscode.l10n.t('No loaded batch can be cancelled (only validating, in-progress and finalizing batches can).'),
  });
  if (!batch) return;
  if (!isCancellable(batch)) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Batch "{0}" is {1} and cannot be cancelled.', batchLabel(batch), statusPhrase(batch)),
    );
    return;
  }
  const id = plainText(batch.id, ID_MAX);
  const cancel = vscode.l10n.t('Cancel Batch');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Cancel batch "{0}"?', batchLabel(batch)),
    {
      modal: true,
      detail: vscode.l10n.t('{0} is {1}. Requests already completed are kept; the rest are not run.', id, statusPhrase(batch)),
    },
    cancel,
  );
  if (answer !== cancel) return;
  const updated = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Cancelling {0}…', id) },
    () => requestCancel(services, batch.id),
  );
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(circle-slash) Batch {0} is {1}', id, statusPhrase(updated)), 5000);
}

/**
 * The confirmed part of a cancel: `POST /batches/{id}/cancel`, and the batch the API returns
 * (`cancelling`) goes into the tree at once. When the API refuses (409: the batch finished
 * meanwhile), its current state is fetched so the tree stops offering the cancel, and the API's
 * message is what the user sees.
 */
export async function requestCancel(services: Pick<Services, 'log' | 'store'>, batchId: string): Promise<Batch> {
  const { client, account } = services.store.requireConnection();
  try {
    const updated = await client.cancelBatch(batchId);
    // Applied only if the account is still the one the cancel went to.
    services.store.recordBatch(updated, { prependIfNew: false, account });
    services.log.info(`Cancel requested for ${batchId}: now ${statusOf(updated)}.`);
    return updated;
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'conflict') await services.store.fetchBatch(batchId).catch(() => undefined);
    throw error;
  }
}
