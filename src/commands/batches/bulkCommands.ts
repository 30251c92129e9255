import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { fileIdOf, type FileRole } from '../../core/batches/batchFacts';
import { downloadFile } from '../../core/files/download';
import { errorMessage, isCancellation } from '../../core/api/errors';
import { fileStem, safeFileName } from '../../core/util/fileNames';
import { formatBytes, ID_MAX, plainText, shortId } from '../../core/util/text';
import { isCancellable } from '../../core/batches/grouping';
import { isRecord } from '../../core/util/json';
import { settleWithConcurrency } from '../../core/util/pool';
import type { Batch } from '../../core/api/types';
import { BatchNode } from '../../tree/nodes';
import { copyManyToClipboard } from '../../clipboard';
import { userDownloadLimit } from '../../core/api/sizeLimit';
import { requestCancel } from './batchCommands';
import type { CopyTarget } from './copyCommands';
import type { Services } from '../services';

/** Cancels in flight at once: quick for 20 batches, gentle on rate limits. */
export const CANCEL_CONCURRENCY = 4;

/**
 * The batch ids of a multi-selection: VS Code passes (clickedNode, selectedNodes[]) when more
 * than one node is selected. Undefined for a single node, the palette or anything else, so the
 * single-batch command runs as before. Only ids are taken from the nodes, deduplicated.
 */
export function selectedBatchIds(args: readonly unknown[]): string[] | undefined {
  const selection = args[1];
  if (!Array.isArray(selection) || selection.length < 2) return undefined;
  const ids = new Set<string>();
  for (const item of selection as unknown[]) {
    const id = item instanceof BatchNode ? item.batch.id : isRecord(item) ? item.id : item;
    if (typeof id === 'string' && id.trim()) ids.add(id.trim());
  }
  return ids.size > 1 ? [...ids] : undefined;
}

/** The selected batches the account's store knows; the others are counted, never fetched or acted on. */
function resolveSelection(services: Pick<Services, 'store'>, ids: readonly string[]): { batches: Batch[]; unknown: number } {
  const batches: Batch[] = [];
  let unknown = 0;
  for (const id of ids) {
    const batch = services.store.get(id);
    if (batch) batches.push(batch);
    else unknown++;
  }
  return { batches, unknown };
}

/** `n` (formatted) in the singular or the plural message; both are `vscode.l10n.t` calls with a literal at the call site. */
const plural = (n: number, one: (count: string) => string, many: (count: string) => string): string =>
  (n === 1 ? one : many)(n.toLocaleString('en-US'));

const batchCount = (n: number): string =>
  plural(
    n,
    (count) => vscode.l10n.t('{0} batch', count),
    (count) => vscode.l10n.t('{0} batches', count),
  );

const outputFiles = (n: number): string =>
  plural(
    n,
    (count) => vscode.l10n.t('{0} output file', count),
    (count) => vscode.l10n.t('{0} output files', count),
  );

function unknownNote(unknown: number): string {
  if (!unknown) return '';
  return ` ${plural(
    unknown,
    (count) => vscode.l10n.t('{0} selected batch is no longer loaded and will be skipped.', count),
    (count) => vscode.l10n.t('{0} selected batches are no longer loaded and will be skipped.', count),
  )}`;
}

/**
 * Cancels several batches after one confirmation ("Cancel 7 batches? 2 are not active and will
 * be skipped"), at most {@link CANCEL_CONCURRENCY} at a time, then says how it went.
 */
export async function cancelBatches(services: Pick<Services, 'store' | 'log'>, ids: readonly string[]): Promise<void> {
  const { batches, unknown } = resolveSelection(services, ids);
  const active = batches.filter(isCancellable);
  const inactive = batches.length - active.length;
  if (active.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'None of the {0} can be cancelled: only validating, in-progress and finalizing batches can.',
        plural(
          ids.length,
          (count) => vscode.l10n.t('{0} selected batch', count),
          (count) => vscode.l10n.t('{0} selected batches', count),
        ),
      ),
    );
    return;
  }
  const skipped = inactive
    ? ` ${plural(
        inactive,
        (count) => vscode.l10n.t('{0} is not active and will be skipped.', count),
        (count) => vscode.l10n.t('{0} are not active and will be skipped.', count),
      )}`
    : '';
  const cancel = vscode.l10n.t('Cancel Batches');
  const answer = await vscode.window.showWarningMessage(
    `${vscode.l10n.t('Cancel {0}?', batchCount(ids.length))}${skipped}${unknownNote(unknown)}`,
    {
      modal: true,
      detail: vscode.l10n.t('{0} will be cancelled. Requests already completed are kept; the rest are not run.', batchCount(active.length)),
    },
    cancel,
  );
  if (answer !== cancel) return;
  const outcomes = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Cancelling {0}', batchCount(active.length)) },
    async (progress) => {
      let done = 0;
      return settleWithConcurrency(active, CANCEL_CONCURRENCY, async (batch) => {
        try {
          return await requestCancel(services, batch.id);
        } finally {
          done++;
          progress.report({ increment: 100 / active.length, message: vscode.l10n.t('{0} of {1}', done, active.length) });
        }
      });
    },
  );
  const failures: string[] = [];
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'rejected')
      failures.push(`${plainText(active[index].id, ID_MAX)}: ${plainText(errorMessage(outcome.reason), 300)}`);
  });
  const cancelled = active.length - failures.length;
  const notSent = inactive + unknown;
  const summary = `${vscode.l10n.t('Cancelled {0}', batchCount(cancelled))}${
    notSent ? vscode.l10n.t('; skipped {0} (not active or not loaded)', notSent.toLocaleString('en-US')) : ''
  }`;
  services.log.info(`${summary}${failures.length ? `; ${failures.length} failed: ${failures.join('; ')}` : ''}.`);
  if (failures.length) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        '{0}; {1} failed: {2}',
        summary,
        plural(
          failures.length,
          (count) => vscode.l10n.t('{0} cancel', count),
          (count) => vscode.l10n.t('{0} cancels', count),
        ),
        `${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; …' : ''}`,
      ),
    );
  } else {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}.', summary));
  }
}

/** Copies one id of each selected batch (its own id, or a file's), one per line. */
export async function copyIds(services: Pick<Services, 'store' | 'log'>, target: CopyTarget, ids: readonly string[]): Promise<void> {
  const { batches, unknown } = resolveSelection(services, ids);
  const role = target === 'batchId' ? undefined : (target.replace(/FileId$/, '') as FileRole);
  const values = batches.map((batch) => (role ? fileIdOf(batch, role) : batch.id)).filter((id): id is string => !!id);
  const name = role ? vscode.l10n.t('{0} file ID', role) : vscode.l10n.t('batch ID');
  if (values.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('None of the selected batches has an {0}.', name));
    return;
  }
  const missing = batches.length - values.length + unknown;
  const names = role ? vscode.l10n.t('{0} file IDs', role) : vscode.l10n.t('batch IDs');
  await copyManyToClipboard(
    services.log,
    names,
    values,
    missing ? ` ${vscode.l10n.t('({0} selected without one, skipped)', missing)}` : '',
  );
}

/** A name in `folder` not taken yet: `stem.jsonl`, else `stem-2.jsonl`, … */
async function freeName(folder: string, stem: string, taken: Set<string>): Promise<string> {
  for (let n = 1; ; n++) {
    const name = safeFileName(`${stem}${n === 1 ? '' : `-${n}`}.jsonl`);
    if (taken.has(name)) continue;
    const exists = await stat(join(folder, name)).then(
      () => true,
      () => false,
    );
    if (!exists) {
      taken.add(name);
      return join(folder, name);
    }
  }
}

/**
 * Downloads the output files of the selected batches into one chosen folder, one after another
 * under one cancellable progress notification; each is streamed and renamed into place when
 * complete (`downloadFile`, with its size caps), and existing files are never overwritten.
 */
export async function downloadOutputFiles(services: Pick<Services, 'store' | 'log'>, ids: readonly string[]): Promise<void> {
  const { batches, unknown } = resolveSelection(services, ids);
  const withOutput = batches.flatMap((batch) => {
    const fileId = fileIdOf(batch, 'output');
    return fileId ? [{ batch, fileId }] : [];
  });
  const without = batches.length - withOutput.length + unknown;
  if (withOutput.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('None of the selected batches has an output file.'));
    return;
  }
  const client = services.store.requireClient();
  const folder = await vscode.window.showOpenDialog({
    title: `${vscode.l10n.t('Download {0}', outputFiles(withOutput.length))}${
      without ? ` ${vscode.l10n.t('({0} selected without one skipped)', without)}` : ''
    }`,
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: vscode.l10n.t('Download Here'),
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const target = folder?.[0];
  if (!target) return;
  if (target.scheme !== 'file') {
    void vscode.window.showErrorMessage(vscode.l10n.t('Choose a folder on this machine.'));
    return;
  }
  const taken = new Set<string>();
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Downloading {0}', outputFiles(withOutput.length)),
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      const saved: string[] = [];
      let bytes = 0;
      try {
        for (const [index, { batch, fileId }] of withOutput.entries()) {
          if (abort.signal.aborted) break;
          const destination = await freeName(target.fsPath, `${fileStem(batch.id)}-output`, taken);
          const step = vscode.l10n.t('{0} of {1}: {2}', index + 1, withOutput.length, plainText(shortId(fileId)));
          progress.report({ message: step });
          const done = await downloadFile(client, fileId, destination, userDownloadLimit(), {
            signal: abort.signal,
            onProgress: ({ received, total }) =>
              progress.report({
                message: total
                  ? vscode.l10n.t('{0}, {1} of {2}', step, formatBytes(received), formatBytes(total))
                  : vscode.l10n.t('{0}, {1}', step, formatBytes(received)),
              }),
          });
          bytes += done.bytes;
          saved.push(destination);
          progress.report({ increment: 100 / withOutput.length });
          services.log.info(`Downloaded ${fileId} (${done.bytes} bytes) of ${batch.id} to ${destination}.`);
        }
        return { saved, bytes, cancelled: false };
      } catch (error) {
        if (isCancellation(error)) return { saved, bytes, cancelled: true };
        throw error;
      } finally {
        subscription.dispose();
      }
    },
  );
  const where = plainText(vscode.workspace.asRelativePath(target), 500);
  const summary = vscode.l10n.t('{0} ({1}) saved to {2}', outputFiles(result.saved.length), formatBytes(result.bytes), where);
  const skipped = without ? vscode.l10n.t('; {0} selected without an output file skipped', without) : '';
  if (result.cancelled) {
    services.log.info(`Bulk download cancelled after ${result.saved.length} of ${withOutput.length} files.`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Download cancelled: {0}, the file in progress was not kept{1}.', summary, skipped),
    );
  } else {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}{1}.', summary, skipped));
  }
}
