import * as vscode from 'vscode';
import { copyToClipboard } from '../../clipboard';
import { uploadAndCreateBatch } from '../../core/input/batchCreation';
import { errorMessage } from '../../core/api/errors';
import { endpointOfLine, readFirstLine } from '../../core/files/fileContent';
import { fileLabel } from '../../core/files/files';
import { fileStem } from '../../core/util/fileNames';
import { ID_MAX, plainText, shortId } from '../../core/util/text';
import { BATCH_ENDPOINTS, retiredEndpointNote } from '../../core/api/endpoints';
import { readSettings } from '../../config';
import { ViewId } from '../../ids';
import { reveal } from '../create/submit';
import { askForDetails } from '../create/batchDetails';
import { openCachedFile, saveFileAs } from './batchFileCommands';
import type { Services } from '../services';
import { markBatchCreated } from '../../contextKeys';
import { type FileArgument, fileIdOf, filesOf, type FilesServices, resolveFile } from './fileArguments';

export async function refreshFiles(services: Pick<Services, 'store' | 'fileStores'>): Promise<void> {
  // The batches say which files are in use: bring them up to date too.
  await Promise.all([filesOf(services).refresh(), services.store.refresh()]);
}

export function loadMoreFiles(services: Pick<Services, 'store' | 'fileStores'>): Promise<void> {
  return filesOf(services).loadMore();
}

export async function copyFileId(services: FilesServices, argument: FileArgument): Promise<void> {
  const file = await resolveFile(services, argument, {
    title: vscode.l10n.t('Copy file ID'),
    emptyMessage: vscode.l10n.t('No files loaded.'),
  });
  if (file) await copyToClipboard(services.log, vscode.l10n.t('file ID'), file.id);
}

/** Opens a file in an editor: downloaded once per account (the same cache, caps and retries as result files). */
export async function openFile(services: Pick<Services, 'store' | 'fileStores' | 'files' | 'log'>, argument: FileArgument): Promise<void> {
  const file = await resolveFile(services, argument, {
    title: vscode.l10n.t('Open file'),
    emptyMessage: vscode.l10n.t('No files loaded.'),
  });
  if (file) await openCachedFile(services, file.id, () => downloadFile(services, file.id));
}

export async function downloadFile(services: FilesServices, argument: FileArgument): Promise<void> {
  const file = await resolveFile(services, argument, {
    title: vscode.l10n.t('Download file'),
    emptyMessage: vscode.l10n.t('No files loaded.'),
  });
  if (!file) return;
  // The file name is API text: only its stem, made safe, becomes the suggested name.
  const name = typeof file.filename === 'string' && file.filename ? file.filename.replace(/\.jsonl$/i, '') : file.id;
  await saveFileAs(services, file.id, `${fileStem(name)}.jsonl`);
}

/** Creates a batch from an uploaded input file (`purpose: batch`), without uploading anything again. */
export async function createBatchFromFile(
  services: Pick<Services, 'store' | 'fileStores' | 'log' | 'panels' | 'tree' | 'treeView' | 'storage'>,
  argument: FileArgument,
): Promise<void> {
  const file = await resolveFile(services, argument, {
    title: vscode.l10n.t('Create batch from an uploaded file'),
    include: (f) => f.purpose === 'batch',
    emptyMessage: vscode.l10n.t('No loaded file has purpose "batch".'),
  });
  if (!file) return;
  if (file.purpose !== 'batch') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('"{0}" is not a batch input file (purpose: {1}).', fileLabel(file), plainText(file.purpose, 40)),
    );
    return;
  }
  const { client, account } = services.store.requireConnection();
  // The endpoint is the one the file's requests name: read its first line, not the whole file.
  const firstLine = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Reading {0}…', plainText(shortId(file.id))) },
    () => readFirstLine(client, file.id),
  );
  let endpoint = endpointOfLine(firstLine);
  if (!endpoint) {
    endpoint = await vscode.window.showQuickPick([...BATCH_ENDPOINTS], {
      title: vscode.l10n.t('Endpoint for the batch from {0}', fileLabel(file)),
      placeHolder: vscode.l10n.t("The file's first request does not name a known endpoint: pick the one its requests use"),
    });
    if (!endpoint) return;
  }
  const retired = retiredEndpointNote(endpoint);
  if (retired) {
    const createAnyway = vscode.l10n.t('Create Anyway');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('The requests of {0} use a retired endpoint. Create the batch anyway?', fileLabel(file)),
      { modal: true, detail: retired },
      createAnyway,
    );
    if (answer !== createAnyway) return;
  }
  const name = fileLabel(file);
  const details = await askForDetails({
    title: vscode.l10n.t('Create batch from {0}', name),
    summary: vscode.l10n.t('Uploaded file {0} to {1}, completion window 24h.', plainText(shortId(file.id)), endpoint),
    description: name.replace(/\.jsonl$/i, ''),
    outputExpiresAfter: readSettings().outputExpiresAfter,
  });
  if (!details) return;
  const { batch } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Creating batch from {0}', name) },
    () =>
      uploadAndCreateBatch(client, {
        data: () => Promise.reject(new Error('already uploaded')),
        filename: name,
        endpoint,
        description: details.description,
        outputExpiresAfter: details.outputExpiresAfter,
        uploadedFileId: file.id,
      }),
  );
  services.log.info(`Created batch ${batch.id} from uploaded file ${file.id} (${endpoint}) at ${client.baseUrl}.`);
  markBatchCreated();
  if (!services.store.recordBatch(batch, { prependIfNew: true, account })) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Created batch {0} in the account the file belongs to; the Batches view now shows another account.',
        plainText(batch.id, ID_MAX),
      ),
    );
    return;
  }
  await reveal(services, batch);
  services.panels.show(batch);
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(check) Created batch {0}', plainText(batch.id, ID_MAX)), 5000);
}

/**
 * Shows a file in the Files view (from the detail panel): loads more pages until it appears (a
 * few at most), then selects it.
 */
export async function revealFile(
  services: Pick<Services, 'store' | 'fileStores' | 'log' | 'filesTree' | 'filesView'>,
  argument: FileArgument,
): Promise<void> {
  const id = fileIdOf(argument);
  if (!id) return;
  await vscode.commands.executeCommand(`${ViewId.files}.focus`);
  const files = filesOf(services);
  if (!files.hasLoaded) await files.refresh();
  for (let page = 0; page < 10 && !files.get(id) && files.hasMore && !files.loadMoreError; page++) await files.loadMore();
  if (!files.files.some((file) => file.id === id)) {
    void vscode.window.showInformationMessage(
      files.hasMore
        ? vscode.l10n.t(
            'File {0} is not among the {1} files loaded in the Files view (load more to look further).',
            plainText(shortId(id), ID_MAX),
            files.files.length.toLocaleString('en-US'),
          )
        : vscode.l10n.t(
            'File {0} is not among the {1} files loaded in the Files view (it may have been deleted or expired).',
            plainText(shortId(id), ID_MAX),
            files.files.length.toLocaleString('en-US'),
          ),
    );
    return;
  }
  // Let the view render the new pages first.
  await new Promise((resolve) => setTimeout(resolve, 0));
  await services.filesTree.getChildren();
  const node = services.filesTree.findFileNode(id);
  if (!node) return;
  try {
    await services.filesView.reveal(node, { select: true, focus: true });
  } catch (error) {
    services.log.debug(`Could not reveal ${id} in the Files view: ${errorMessage(error)}`);
  }
}
