import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { readSettings } from '../../config';
import { fileIdOf, type FileRole } from '../../core/batches/batchFacts';
import type { BatchApiClient } from '../../core/api/client';
import { downloadFile } from '../../core/files/download';
import { ApiError } from '../../core/api/errors';
import { batchLabel, expiredFileMessage, statusPhrase } from '../../core/batches/batchDisplay';
import { fileStem, safeFileName } from '../../core/util/fileNames';
import { formatBytes, plainText, shortId } from '../../core/util/text';
import { statusOf } from '../../core/batches/grouping';
import type { Batch } from '../../core/api/types';
import { CommandId } from '../../ids';
import { BatchArgument, resolveBatch } from '../batchPicker';
import type { Services } from '../services';
import { userDownloadLimit } from '../../core/api/sizeLimit';

/** The files a batch's results are in. */
type FileKind = Extract<FileRole, 'output' | 'error'>;

async function resolveWithFile(
  services: Pick<Services, 'store'>,
  argument: BatchArgument,
  kind: FileKind,
  verb: 'Open' | 'Download',
): Promise<{ batch: Batch; fileId: string } | undefined> {
  const output = kind === 'output';
  const titles = {
    Open: output ? vscode.l10n.t('Open output file') : vscode.l10n.t('Open error file'),
    Download: output ? vscode.l10n.t('Download output file') : vscode.l10n.t('Download error file'),
  };
  const batch = await resolveBatch(services.store, argument, {
    title: titles[verb],
    placeHolder: output ? vscode.l10n.t('Pick a batch with an output file') : vscode.l10n.t('Pick a batch with an error file'),
    include: (b) => !!fileIdOf(b, kind),
    detail: (b) => fileIdOf(b, kind),
    emptyMessage: output ? vscode.l10n.t('No loaded batch has an output file.') : vscode.l10n.t('No loaded batch has an error file.'),
  });
  if (!batch) return undefined;
  const fileId = fileIdOf(batch, kind);
  if (!fileId) {
    const onlyErrors = kind === 'output' && statusOf(batch) === 'completed' && !!fileIdOf(batch, 'error');
    const message = onlyErrors
      ? vscode.l10n.t('Batch "{0}" completed without an output file: every request failed. Open its error file instead.', batchLabel(batch))
      : output
        ? vscode.l10n.t('Batch "{0}" has no output file (status: {1}).', batchLabel(batch), statusPhrase(batch))
        : vscode.l10n.t('Batch "{0}" has no error file (status: {1}).', batchLabel(batch), statusPhrase(batch));
    const action = onlyErrors
      ? await vscode.window.showWarningMessage(message, vscode.l10n.t('Open Error File'))
      : (void vscode.window.showInformationMessage(message), undefined);
    if (action) await vscode.commands.executeCommand(CommandId.openErrorFile, batch.id);
    return undefined;
  }
  return { batch, fileId };
}

/** Downloads with a cancellable progress notification showing bytes. */
async function downloadWithProgress(
  services: Pick<Services, 'log'>,
  client: BatchApiClient,
  fileId: string,
  destination: vscode.Uri,
  recordBytes?: number | null,
): Promise<number | undefined> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Downloading {0}', plainText(shortId(fileId))),
      cancellable: true,
    },
    async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      try {
        const { bytes } = await downloadFile(client, fileId, destination.fsPath, userDownloadLimit(recordBytes), {
          signal: controller.signal,
          onProgress: ({ received, total }) => {
            const increment = total ? ((received - reported) / total) * 100 : undefined;
            reported = received;
            progress.report({
              message: total ? vscode.l10n.t('{0} of {1}', formatBytes(received), formatBytes(total)) : formatBytes(received),
              increment,
            });
          },
        });
        services.log.info(`Downloaded ${fileId} (${bytes} bytes) to ${destination.fsPath}.`);
        return bytes;
      } catch (error) {
        if (error instanceof ApiError && error.kind === 'cancelled') {
          services.log.info(`Download of ${fileId} cancelled.`);
          return undefined;
        }
        throw error;
      } finally {
        subscription.dispose();
      }
    },
  );
}

/** Opens a batch's output or error JSONL in an editor, downloading it once into a cache keyed by file id. */
export async function openResultFile(
  services: Pick<Services, 'store' | 'files' | 'log'>,
  kind: FileKind,
  argument: BatchArgument,
): Promise<void> {
  const target = await resolveWithFile(services, argument, kind, 'Open');
  if (!target) return;
  await openCachedFile(services, target.fileId, () => downloadOutputFile(services, target.batch.id, kind));
}

/**
 * Opens a file of the store's account in an editor, downloaded once into that account's cache
 * (keyed by file id). An expired file is explained; one over `openaiBatches.maxOpenFileMB` is
 * offered `saveAs` instead.
 */
export async function openCachedFile(
  services: Pick<Services, 'store' | 'files' | 'log'>,
  fileId: string,
  saveAs: () => Promise<void>,
): Promise<void> {
  // One account for the whole open: the cache folder and every request belong to it, even if the account changes meanwhile.
  const { client, account } = services.store.requireConnection();
  const cached = vscode.Uri.file(await services.files.pathFor(account, fileId));
  const existing = await stat(cached.fsPath).catch(() => undefined);
  if (!existing) {
    const info = await client.getFile(fileId).catch(() => undefined);
    const expired = expiredFileMessage(fileId, info);
    if (expired) {
      void vscode.window.showWarningMessage(expired);
      return;
    }
    // Files larger than openaiBatches.maxOpenFileMB are offered "Save As…" instead of an editor.
    const limit = readSettings().maxOpenFileBytes;
    if (typeof info?.bytes === 'number' && info.bytes > limit) {
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t(
          '{0} is {1}, too large to open comfortably in an editor (openaiBatches.maxOpenFileMB is {2}).',
          plainText(shortId(fileId)),
          formatBytes(info.bytes),
          formatBytes(limit),
        ),
        vscode.l10n.t('Save As…'),
      );
      if (choice) await saveAs();
      return;
    }
    const bytes = await downloadWithProgress(services, client, fileId, cached, info?.bytes);
    if (bytes === undefined) return;
  }
  const document = await vscode.workspace.openTextDocument(cached);
  await vscode.window.showTextDocument(document, { preview: false });
}

/** Saves a result file where the user chooses, streamed and renamed into place only when complete. */
export async function downloadOutputFile(
  services: Pick<Services, 'store' | 'log'>,
  argument: BatchArgument,
  kind: FileKind = 'output',
): Promise<void> {
  const target = await resolveWithFile(services, argument, kind, 'Download');
  if (!target) return;
  // An id is API text: keep it a plain file name, never a path, and short enough for any file system.
  await saveFileAs(
    services,
    target.fileId,
    `${fileStem(target.batch.id)}-${kind}.jsonl`,
    kind === 'output' ? vscode.l10n.t('output file') : vscode.l10n.t('error file'),
  );
}

/**
 * Saves a file of the store's account where the user chooses (starting from `suggested`, a plain
 * file name), streamed and renamed into place only when complete.
 */
export async function saveFileAs(
  services: Pick<Services, 'store' | 'log'>,
  fileId: string,
  suggested: string,
  what = vscode.l10n.t('file'),
): Promise<void> {
  // The store's own account, even if the user switches while the dialog is open.
  const client = services.store.requireClient();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const shownId = plainText(shortId(fileId));
  const destination = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Save {0} {1}', what, shownId),
    defaultUri: folder ? vscode.Uri.joinPath(folder, safeFileName(suggested)) : undefined,
    filters: { [vscode.l10n.t('JSON Lines')]: ['jsonl'], [vscode.l10n.t('All files')]: ['*'] },
    saveLabel: vscode.l10n.t('Download'),
  });
  if (!destination) return;
  const bytes = await downloadWithProgress(services, client, fileId, destination);
  if (bytes === undefined) return;
  const open = await vscode.window.showInformationMessage(
    vscode.l10n.t('Saved {0} ({1}) to {2}.', shownId, formatBytes(bytes), plainText(vscode.workspace.asRelativePath(destination), 500)),
    vscode.l10n.t('Open'),
  );
  if (open) await vscode.window.showTextDocument(destination);
}
