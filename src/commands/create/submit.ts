import * as vscode from 'vscode';
import { readSettings } from '../../config';
import { BatchCreationError, fileBlob, uploadAndCreateBatch } from '../../core/input/batchCreation';
import { formatBytes, plainText } from '../../core/util/text';
import { ApiError, errorMessage } from '../../core/api/errors';
import { groupByStatus, statusOf } from '../../core/batches/grouping';
import type { Batch, ExpiresAfter } from '../../core/api/types';
import { BatchNode, StatusGroupNode } from '../../tree/nodes';
import { CommandId } from '../../ids';
import type { Services } from '../services';
import { markBatchCreated } from '../../contextKeys';
import { copyToClipboard } from '../../clipboard';
import type { Logger } from '../../log';
import { describeExpiry } from './batchDetails';

/** What creating a batch uses: the store's account and client, the tree to reveal it, its panel, the log. */
export type CreateServices = Pick<Services, 'store' | 'log' | 'panels' | 'tree' | 'treeView' | 'storage'>;

/** What a retry needs to skip the steps that already succeeded. */
export interface Prepared {
  uri: vscode.Uri;
  filename: string;
  bytes: number;
  endpoint: string;
  description: string;
  /** The batch's `output_expires_after`; absent: outputs are kept until deleted. */
  outputExpiresAfter?: ExpiresAfter;
  uploadedFileId?: string;
  /** The account the first attempt ran in: a retry must not move the batch (or reuse its upload) elsewhere. */
  account?: string;
  /** More metadata for the new batch (a resubmission's `resubmit_of`). */
  metadata?: Record<string, string>;
}

/** Uploads and creates (or only creates, when a retry has the upload), then shows the new batch. */
export async function submit(services: CreateServices, prepared: Prepared): Promise<void> {
  const { client, account } = services.store.requireConnection();
  const { uri, filename } = prepared;
  if (prepared.account !== undefined && prepared.account !== account) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'The account changed since {0} was first sent. Run Create Batch again to create the batch in this account.',
        plainText(filename),
      ),
    );
    return;
  }
  const attempt = { ...prepared, account };
  let created: { fileId: string; batch: Batch };
  try {
    created = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Creating batch from {0}', plainText(filename)),
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          return await uploadAndCreateBatch(client, {
            data: async () => (uri.scheme === 'file' ? fileBlob(uri.fsPath) : new Blob([await vscode.workspace.fs.readFile(uri)])),
            filename,
            endpoint: prepared.endpoint,
            description: prepared.description,
            metadata: prepared.metadata,
            outputExpiresAfter: prepared.outputExpiresAfter,
            inputExpiresAfter: readSettings().inputExpiresAfter,
            uploadedFileId: prepared.uploadedFileId,
            signal: controller.signal,
            onStep: (step) =>
              progress.report({
                message:
                  step === 'upload' ? vscode.l10n.t('uploading {0}…', formatBytes(prepared.bytes)) : vscode.l10n.t('creating the batch…'),
              }),
          });
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    await reportCreationFailure(services, attempt, error);
    return;
  }
  const { fileId, batch } = created;
  services.log.info(
    `Created batch ${batch.id} from ${uri.toString(true)} (input file ${fileId}, ${prepared.endpoint}, output files ${describeExpiry(prepared.outputExpiresAfter)}) at ${client.baseUrl}.`,
  );
  // Signed out or switched meanwhile: the batch is the old account's and stays out of this one's tree, cache and panels.
  markBatchCreated();
  if (!services.store.recordBatch(batch, { prependIfNew: true, account })) {
    void reportElsewhere(services.log, batch, client.baseUrl, filename);
    return;
  }
  await reveal(services, batch);
  services.panels.show(batch);
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(check) Created batch {0}', plainText(batch.id)), 5000);
}

async function reportElsewhere(log: Logger, batch: Batch, baseUrl: string, filename: string): Promise<void> {
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Created batch {0} from {1} in the account it was started in ({2}). The Batches view now shows another account, so the batch is not listed there.',
      plainText(batch.id),
      plainText(filename),
      plainText(baseUrl),
    ),
    vscode.l10n.t('Copy Batch ID'),
  );
  if (!choice) return;
  await copyToClipboard(log, vscode.l10n.t('batch ID'), batch.id);
}

async function reportCreationFailure(services: CreateServices, prepared: Prepared, error: unknown): Promise<void> {
  const failure =
    error instanceof BatchCreationError
      ? error
      : new BatchCreationError(prepared.uploadedFileId ? 'create' : 'upload', error, prepared.uploadedFileId, prepared.filename);
  const uploadedFileId = failure.uploadedFileId;
  if (failure.cancelled) {
    services.log.info(
      `Creating a batch from ${prepared.filename} was cancelled during ${failure.step}${uploadedFileId ? ` (uploaded as ${uploadedFileId})` : ''}.`,
    );
    if (!uploadedFileId) return;
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Uploaded {0} as {1}; creating the batch was cancelled. If the request had already reached the API, the batch may exist: refresh the Batches view before retrying.',
        plainText(prepared.filename),
        plainText(uploadedFileId),
      ),
      vscode.l10n.t('Retry'),
      vscode.l10n.t('Refresh'),
      vscode.l10n.t('Copy File ID'),
    );
    await followUp(services, prepared, uploadedFileId, choice);
    return;
  }
  const message = services.log.redactor.redact(failure.message);
  services.log.error(
    `${CommandId.createBatch} failed at ${failure.step}: ${message}${failure.cause instanceof ApiError ? ` [${failure.cause.kind}]` : ''}`,
  );
  const actions = [
    vscode.l10n.t('Retry'),
    ...(uploadedFileId ? [vscode.l10n.t('Copy File ID')] : []),
    ...(failure.cause instanceof ApiError && failure.cause.kind === 'auth' ? [vscode.l10n.t('Set API Key')] : []),
    vscode.l10n.t('Show Log'),
  ];
  const choice = await vscode.window.showErrorMessage(plainText(message, 500), ...actions);
  await followUp(services, prepared, uploadedFileId, choice);
}

async function followUp(
  services: CreateServices,
  prepared: Prepared,
  uploadedFileId: string | undefined,
  choice: string | undefined,
): Promise<void> {
  // The buttons' labels, translated as they were offered.
  switch (choice) {
    case vscode.l10n.t('Retry'):
      return submit(services, { ...prepared, uploadedFileId });
    case vscode.l10n.t('Copy File ID'):
      if (uploadedFileId) {
        await copyToClipboard(services.log, vscode.l10n.t('file ID'), uploadedFileId);
      }
      return;
    case vscode.l10n.t('Refresh'):
      await vscode.commands.executeCommand(CommandId.refresh);
      return;
    case vscode.l10n.t('Set API Key'):
      await vscode.commands.executeCommand(CommandId.setApiKey);
      return;
    case vscode.l10n.t('Show Log'):
      services.log.show();
      return;
  }
}

/** Selects the new batch in the tree once it has re-rendered with it. */
export async function reveal(services: CreateServices, batch: Batch): Promise<void> {
  // The store's change event re-renders the tree asynchronously; let that happen first.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const node = services.tree.findBatchNode(batch.id) ?? buildNode(services, batch);
  if (!node) return;
  try {
    await services.treeView.reveal(node, { select: true, focus: false, expand: true });
  } catch (error) {
    services.log.debug(`Could not reveal ${batch.id} in the tree: ${errorMessage(error)}`);
  }
}

/** The node the tree will show for a batch, when it has not rendered it yet (e.g. the view is hidden). */
function buildNode(services: CreateServices, batch: Batch): BatchNode | undefined {
  const group = groupByStatus(services.store.batches).find((g) => g.status === statusOf(batch));
  return group ? new BatchNode(services.store.get(batch.id) ?? batch, new StatusGroupNode(group)) : undefined;
}
