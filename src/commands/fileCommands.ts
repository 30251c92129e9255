import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { readSettings } from '../config';
import { fileIdOf, type FileRole } from '../core/batchFacts';
import type { BatchApiClient } from '../core/client';
import { downloadFile } from '../core/download';
import { ApiError } from '../core/errors';
import { batchLabel, expiredFileMessage, fileStem, formatBytes, plainText, shortId, statusPhrase } from '../core/format';
import { statusOf } from '../core/grouping';
import type { Batch } from '../core/types';
import { CommandId } from '../ids';
import { BatchArgument, resolveBatch } from './batchPicker';
import type { Services } from './services';

/** The files a batch's results are in. */
type FileKind = Extract<FileRole, 'output' | 'error'>;

async function resolveWithFile(
  services: Pick<Services, 'store'>,
  argument: BatchArgument,
  kind: FileKind,
  verb: string,
): Promise<{ batch: Batch; fileId: string } | undefined> {
  const batch = await resolveBatch(services.store, argument, {
    title: `${verb} ${kind} file`,
    placeHolder: `Pick a batch with an ${kind} file`,
    include: (b) => !!fileIdOf(b, kind),
    detail: (b) => fileIdOf(b, kind),
    emptyMessage: `No loaded batch has an ${kind} file.`,
  });
  if (!batch) return undefined;
  const fileId = fileIdOf(batch, kind);
  if (!fileId) {
    const onlyErrors = kind === 'output' && statusOf(batch) === 'completed' && !!fileIdOf(batch, 'error');
    const message = onlyErrors
      ? `Batch "${batchLabel(batch)}" completed without an output file: every request failed. Open its error file instead.`
      : `Batch "${batchLabel(batch)}" has no ${kind} file (status: ${statusPhrase(batch)}).`;
    const action = onlyErrors
      ? await vscode.window.showWarningMessage(message, 'Open Error File')
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
): Promise<number | undefined> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${plainText(shortId(fileId))}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      try {
        const { bytes } = await downloadFile(client, fileId, destination.fsPath, {
          signal: controller.signal,
          onProgress: ({ received, total }) => {
            const increment = total ? ((received - reported) / total) * 100 : undefined;
            reported = received;
            progress.report({ message: total ? `${formatBytes(received)} of ${formatBytes(total)}` : formatBytes(received), increment });
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
        `${plainText(shortId(fileId))} is ${formatBytes(info.bytes)}, too large to open comfortably in an editor (openaiBatches.maxOpenFileMB is ${formatBytes(limit)}).`,
        'Save As…',
      );
      if (choice) await saveAs();
      return;
    }
    const bytes = await downloadWithProgress(services, client, fileId, cached);
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
  await saveFileAs(services, target.fileId, `${fileStem(target.batch.id)}-${kind}.jsonl`, `${kind} file`);
}

/**
 * Saves a file of the store's account where the user chooses (starting from `suggested`, a plain
 * file name), streamed and renamed into place only when complete.
 */
export async function saveFileAs(
  services: Pick<Services, 'store' | 'log'>,
  fileId: string,
  suggested: string,
  what = 'file',
): Promise<void> {
  // The store's own account, even if the user switches while the dialog is open.
  const client = services.store.requireClient();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const shownId = plainText(shortId(fileId));
  const destination = await vscode.window.showSaveDialog({
    title: `Save ${what} ${shownId}`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, suggested) : undefined,
    filters: { 'JSON Lines': ['jsonl'], 'All files': ['*'] },
    saveLabel: 'Download',
  });
  if (!destination) return;
  const bytes = await downloadWithProgress(services, client, fileId, destination);
  if (bytes === undefined) return;
  const open = await vscode.window.showInformationMessage(
    `Saved ${shownId} (${formatBytes(bytes)}) to ${plainText(vscode.workspace.asRelativePath(destination), 500)}.`,
    'Open',
  );
  if (open) await vscode.window.showTextDocument(destination);
}
