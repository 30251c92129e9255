import * as vscode from 'vscode';
import { checkDelete, deleteFiles, loadActiveBatches } from '../../core/files/fileDeletion';
import { activeUses, bulkDeleteCandidates, bulkDeleteQuestion, deleteRefusal, fileLabel, fileUsage } from '../../core/files/files';
import { formatBytes, ID_MAX, plainText, shortId } from '../../core/util/text';
import type { FileObject } from '../../core/api/types';
import { CommandId } from '../../ids';
import type { Services } from '../services';
import { filesOf, resolveFile, selectionOf } from './fileArguments';

/** How many file names a bulk delete's preview lists before "…and N more". */
const PREVIEW_NAMES = 10;
/** At most this many pages per purpose are loaded to find every file a bulk delete may offer. */
const MAX_BULK_PAGES = 100;
/** The age a bulk delete offers first. */
const DEFAULT_OLDER_THAN_DAYS = 30;

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
