import * as vscode from 'vscode';
import { copyToClipboard } from '../../clipboard';
import { uploadAndCreateBatch } from '../../core/input/batchCreation';
import { errorMessage } from '../../core/api/errors';
import { endpointOfLine, readFirstLine } from '../../core/files/fileContent';
import { checkDelete, deleteFiles, loadActiveBatches } from '../../core/files/fileDeletion';
import { activeUses, bulkDeleteCandidates, bulkDeleteQuestion, deleteRefusal, fileLabel, fileUsage } from '../../core/files/files';
import type { FileStore } from '../../core/files/fileStore';
import { fileStem } from '../../core/util/fileNames';
import { relativeTime, unixSeconds } from '../../core/util/time';
import { formatBytes, ID_MAX, plainText, shortId } from '../../core/util/text';
import { isRecord } from '../../core/util/json';
import { BATCH_ENDPOINTS, retiredEndpointNote } from '../../core/api/endpoints';
import type { FileObject } from '../../core/api/types';
import { readSettings } from '../../config';
import { CommandId, ViewId } from '../../ids';
import { FileNode } from '../../tree/files/fileNodes';
import { reveal } from '../create/submit';
import { askForDetails } from '../create/batchDetails';
import { openCachedFile, saveFileAs } from './batchFileCommands';
import type { Services } from '../services';
import { markBatchCreated } from '../../contextKeys';

/**
 * What a file command is invoked with: a Files view node (context menus), a file id (what the
 * extension passes), or nothing (palette). Like batch arguments, only the id it names is used:
 * the file itself is looked up in the account's list, or fetched.
 */
export type FileArgument = unknown;

type FilesServices = Pick<Services, 'store' | 'fileStores' | 'log'>;

/** How many file names a bulk delete's preview lists before "…and N more". */
const PREVIEW_NAMES = 10;
/** At most this many pages per purpose are loaded to find every file a bulk delete may offer. */
const MAX_BULK_PAGES = 100;
/** The age a bulk delete offers first. */
const DEFAULT_OLDER_THAN_DAYS = 30;

function filesOf(services: Pick<Services, 'store' | 'fileStores'>): FileStore {
  return services.fileStores.for(services.store);
}

/** The file id an argument names: a node's file, a string, or an object's `id`. */
function fileIdOf(argument: unknown): string | undefined {
  if (argument instanceof FileNode) return argument.file.id;
  const id = isRecord(argument) ? argument.id : argument;
  return typeof id === 'string' && id.trim() ? id.trim() : undefined;
}

/** The ids of a multi-selection (VS Code passes the clicked node, then every selected node). */
function selectionOf(args: unknown[]): string[] | undefined {
  const selected = args[1];
  if (!Array.isArray(selected) || selected.length < 2) return undefined;
  return [...new Set(selected.map(fileIdOf).filter((id): id is string => id !== undefined))];
}

/** Resolves an argument to a file of the store's account (loaded, else fetched), or asks with a quick pick. */
async function resolveFile(
  services: FilesServices,
  argument: FileArgument,
  pick: { title: string; include?: (file: FileObject) => boolean; emptyMessage: string },
): Promise<FileObject | undefined> {
  const id = fileIdOf(argument);
  if (id === undefined) return pickFile(services, pick);
  const known = filesOf(services).get(id);
  if (known) return known;
  const client = services.store.requireClient();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Loading file {0}…', plainText(shortId(id))) },
    () => client.getFile(id),
  );
}

interface FilePickItem extends vscode.QuickPickItem {
  file: FileObject;
}

async function pickFile(
  services: FilesServices,
  options: { title: string; include?: (file: FileObject) => boolean; emptyMessage: string },
): Promise<FileObject | undefined> {
  const files = filesOf(services);
  services.store.requireConnection();
  if (!files.hasLoaded) await vscode.window.withProgress({ location: { viewId: ViewId.files } }, () => files.refresh());
  const usage = fileUsage(services.store.batches);
  const candidates = files.files.filter((file) => options.include?.(file) ?? true);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(options.emptyMessage);
    return undefined;
  }
  const items: FilePickItem[] = candidates.map((file) => {
    const created = unixSeconds(file.created_at);
    const uses = usage.get(file.id)?.length ?? 0;
    return {
      label: fileLabel(file),
      description: [
        plainText(shortId(file.id)),
        created !== undefined ? relativeTime(created) : '',
        uses ? vscode.l10n.t('used by {0}', uses) : vscode.l10n.t('unused'),
      ]
        .filter(Boolean)
        .join(' · '),
      file,
    };
  });
  const chosen = await vscode.window.showQuickPick(items, { title: options.title, matchOnDescription: true });
  return chosen?.file;
}

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

/**
 * Deletes a file after a modal confirmation; refused while an active batch uses it (checked
 * against the loaded batches, completed and refetched first: see checkDelete). With several files
 * selected, deletes those after one confirmation listing them.
 */
export async function deleteFile(services: Pick<Services, 'store' | 'fileStores' | 'log' | 'panels'>, args: unknown[]): Promise<void> {
  const selection = selectionOf(args);
  if (selection) return deleteSelected(services, selection);
  const file = await resolveFile(services, args[0], {
    title: vscode.l10n.t('Delete file'),
    emptyMessage: vscode.l10n.t('No files loaded.'),
  });
  if (!file) return;
  const name = fileLabel(file);
  const check = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Checking which batches use the file…') },
    () => checkDelete(services.store, file),
  );
  if (check.refusal) {
    refuse(services, check.refusal, activeUses(fileUsage(services.store.batches).get(file.id))[0]?.batch.id);
    return;
  }
  const uses = fileUsage(services.store.batches).get(file.id) ?? [];
  const detail = [
    `${plainText(file.id, ID_MAX)}${typeof file.bytes === 'number' ? ` · ${formatBytes(file.bytes)}` : ''}${file.purpose ? ` · ${plainText(file.purpose, 40)}` : ''}`,
    uses.length
      ? uses.length === 1
        ? vscode.l10n.t(
            "Used by {0} finished batch: {1}. Their details stay, but this file's content will be gone.",
            uses.length,
            uses.map((u) => u.role).join(', '),
          )
        : vscode.l10n.t(
            "Used by {0} finished batches: {1}. Their details stay, but this file's content will be gone.",
            uses.length,
            uses.map((u) => u.role).join(', '),
          )
      : vscode.l10n.t('Not used by any loaded batch.'),
    ...(check.complete ? [] : [incompleteCheck(check.gap, vscode.l10n.t('A batch that was not seen may still use this file.'))]),
    vscode.l10n.t('This cannot be undone.'),
  ].join('\n');
  const deleteButton = vscode.l10n.t('Delete File');
  const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Delete file "{0}"?', name), { modal: true, detail }, deleteButton);
  if (answer !== deleteButton) return;
  await deleteChecked(services, [file.id]);
}

/**
 * Deletes files that were checked and confirmed: `DELETE /files/{id}` for each, then they leave
 * the view. Exported for tests; reports what failed.
 */
export async function deleteChecked(services: Pick<Services, 'store' | 'fileStores' | 'log'>, ids: readonly string[]): Promise<number> {
  const { client, account } = services.store.requireConnection();
  const files = filesOf(services);
  const outcome = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: ids.length === 1 ? vscode.l10n.t('Deleting {0}', plainText(shortId(ids[0]))) : vscode.l10n.t('Deleting {0} files', ids.length),
      cancellable: ids.length > 1,
    },
    async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await deleteFiles(client, ids, {
          signal: controller.signal,
          onDeleted: (_id, done) =>
            progress.report({ message: vscode.l10n.t('{0} of {1}', done, ids.length), increment: 100 / ids.length }),
        });
      } finally {
        subscription.dispose();
      }
    },
  );
  // Only the account the delete went to forgets them.
  if (services.store.account === account) for (const id of outcome.deleted) files.forget(id);
  services.log.info(`Deleted ${outcome.deleted.length} file(s) at ${client.baseUrl}: ${outcome.deleted.join(', ')}.`);
  for (const failure of outcome.failed) services.log.warn(`Deleting ${failure.id} failed: ${failure.message}`);
  if (outcome.failed.length) {
    const first = outcome.failed[0];
    const firstId = plainText(shortId(first.id));
    const firstMessage = services.log.shown(first.message);
    const failed =
      outcome.failed.length === 1
        ? vscode.l10n.t('{0} file could not be deleted ({1}: {2}).', outcome.failed.length, firstId, firstMessage)
        : vscode.l10n.t('{0} files could not be deleted ({1}: {2}).', outcome.failed.length, firstId, firstMessage);
    void vscode.window.showErrorMessage(
      `${failed}${outcome.deleted.length ? ` ${vscode.l10n.t('{0} deleted.', outcome.deleted.length)}` : ''}`,
    );
  } else {
    vscode.window.setStatusBarMessage(
      ids.length === 1
        ? vscode.l10n.t('$(trash) Deleted {0}', plainText(shortId(ids[0])))
        : vscode.l10n.t('$(trash) Deleted {0} files', outcome.deleted.length),
      5000,
    );
  }
  return outcome.deleted.length;
}

/** `The usage check is incomplete: <why>. <consequence>` for a confirmation's detail; the why may quote the server, so it is made plain. */
function incompleteCheck(gap: string | undefined, consequence: string): string {
  return vscode.l10n.t('The usage check is incomplete: {0} {1}', plainText(gap ?? '', 400), consequence);
}

/** The refusal, with a way to the batch that holds the file. Not awaited: a toast stays until dismissed. */
function refuse(services: Pick<Services, 'log' | 'panels' | 'store'>, refusal: string, batchId: string | undefined): void {
  services.log.info(`Refused to delete: ${refusal}`);
  void vscode.window.showWarningMessage(plainText(refusal, 600), ...(batchId ? [vscode.l10n.t('Open Batch')] : [])).then(async (choice) => {
    if (choice && batchId) await vscode.commands.executeCommand(CommandId.openBatch, batchId);
  });
}

/** One confirmation for several selected files; those an active batch uses are kept and counted. */
async function deleteSelected(services: Pick<Services, 'store' | 'fileStores' | 'log' | 'panels'>, ids: string[]): Promise<void> {
  const files = filesOf(services);
  const known = ids.map((id) => files.get(id)).filter((file): file is FileObject => file !== undefined);
  const unknown = ids.length - known.length;
  const coverage = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Checking which batches use the files…') },
    () => loadActiveBatches(services.store),
  );
  const usage = fileUsage(services.store.batches);
  const kept = known.filter((file) => deleteRefusal(file, usage.get(file.id)) !== undefined);
  const chosen = known.filter((file) => !kept.includes(file));
  const notes = [
    ...(kept.length
      ? [
          kept.length === 1
            ? vscode.l10n.t('{0} selected file is used by an active batch and will be kept.', kept.length)
            : vscode.l10n.t('{0} selected files are used by an active batch and will be kept.', kept.length),
        ]
      : []),
    ...(unknown
      ? [
          unknown === 1
            ? vscode.l10n.t('{0} selected item is not a file of this account and will be skipped.', unknown)
            : vscode.l10n.t('{0} selected items are not a file of this account and will be skipped.', unknown),
        ]
      : []),
    ...(coverage.complete ? [] : [incompleteCheck(coverage.gap, vscode.l10n.t('A batch that was not seen may still use a file.'))]),
  ];
  if (chosen.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to delete. {0}', notes.join(' ')));
    return;
  }
  await confirmAndDelete(
    services,
    chosen,
    chosen.length === 1
      ? vscode.l10n.t('Delete {0} selected file?', chosen.length)
      : vscode.l10n.t('Delete {0} selected files?', chosen.length),
    notes,
  );
}

/**
 * Offers every file not used by any active batch and older than N days (asked, 30 first), after
 * loading all files and every batch that can still be active; one confirmation with a preview.
 */
export async function deleteOldFiles(services: Pick<Services, 'store' | 'fileStores' | 'log'>, days?: number): Promise<void> {
  services.store.requireConnection();
  const olderThanDays =
    typeof days === 'number' && Number.isInteger(days) && days > 0
      ? days
      : await vscode.window
          .showInputBox({
            title: vscode.l10n.t('Delete old files'),
            prompt: vscode.l10n.t('Delete the files not used by any active batch that are older than how many days?'),
            value: String(DEFAULT_OLDER_THAN_DAYS),
            // A panel that finishes loading meanwhile must not dismiss the question.
            ignoreFocusOut: true,
            validateInput: (text) =>
              /^\d+$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 3650
                ? undefined
                : vscode.l10n.t('A whole number of days, 1 to 3650.'),
          })
          .then((text) => (text === undefined ? undefined : Number(text.trim())));
  if (olderThanDays === undefined) return;
  const files = filesOf(services);
  const loaded = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Finding old files'), cancellable: true },
    async (progress, token) => {
      progress.report({ message: vscode.l10n.t('loading files…') });
      if (!files.hasLoaded) await files.refresh();
      for (let page = 0; page < MAX_BULK_PAGES * 2 && files.hasMore && !files.loadMoreError && !token.isCancellationRequested; page++) {
        await files.loadMore();
        progress.report({ message: vscode.l10n.t('{0} files loaded…', files.files.length.toLocaleString('en-US')) });
      }
      if (token.isCancellationRequested) return undefined;
      progress.report({ message: vscode.l10n.t('loading the batches that may still use them…') });
      return await loadActiveBatches(services.store);
    },
  );
  if (!loaded) return;
  const failure = files.refreshError ?? files.loadMoreError;
  if (failure) throw failure;
  if (!loaded.complete) {
    services.log.info(`Refused to delete old files: the usage check is incomplete (${loaded.gap ?? 'no reason'}).`);
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'No file was deleted: the check of which batches use the files is incomplete, so no file can be called unused. {0}',
        plainText(loaded.gap, 400),
      ),
    );
    return;
  }
  const candidates = bulkDeleteCandidates(files.files, services.store.batches, { olderThanDays });
  const notes = files.hasMore
    ? [vscode.l10n.t('Only the {0} newest files were looked at.', files.files.length.toLocaleString('en-US'))]
    : [];
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No file is older than {0} days and unused by active batches.', olderThanDays));
    return;
  }
  await confirmAndDelete(services, candidates, bulkDeleteQuestion(candidates.length, olderThanDays), notes);
}

async function confirmAndDelete(
  services: Pick<Services, 'store' | 'fileStores' | 'log'>,
  files: readonly FileObject[],
  question: string,
  notes: string[],
): Promise<void> {
  const bytes = files.reduce((sum, file) => sum + (typeof file.bytes === 'number' && file.bytes > 0 ? file.bytes : 0), 0);
  const names = files.slice(0, PREVIEW_NAMES).map((file) => `• ${fileLabel(file)}`);
  if (files.length > PREVIEW_NAMES) names.push(vscode.l10n.t('…and {0} more', (files.length - PREVIEW_NAMES).toLocaleString('en-US')));
  const detail = [vscode.l10n.t('{0} in all.', formatBytes(bytes)), ...names, '', ...notes, vscode.l10n.t('This cannot be undone.')].join(
    '\n',
  );
  const button = files.length === 1 ? vscode.l10n.t('Delete {0} File', files.length) : vscode.l10n.t('Delete {0} Files', files.length);
  const answer = await vscode.window.showWarningMessage(question, { modal: true, detail }, button);
  if (answer !== button) return;
  await deleteChecked(
    services,
    files.map((file) => file.id),
  );
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
