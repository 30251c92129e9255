import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { fileIdOf, type FileRole } from '../core/batchFacts';
import { downloadFile } from '../core/download';
import { errorMessage, isCancellation } from '../core/errors';
import { fileStem, formatBytes, ID_MAX, plainText, shortId } from '../core/format';
import { isCancellable } from '../core/grouping';
import { isRecord } from '../core/json';
import { settleWithConcurrency } from '../core/pool';
import type { Batch } from '../core/types';
import { BatchNode } from '../tree/nodes';
import { copyManyToClipboard } from '../clipboard';
import { requestCancel } from './batchCommands';
import type { CopyTarget } from './copyCommands';
import type { Services } from './services';

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

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function unknownNote(unknown: number): string {
  return unknown ? ` ${plural(unknown, 'selected batch is', 'selected batches are')} no longer loaded and will be skipped.` : '';
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
      `None of the ${plural(ids.length, 'selected batch', 'selected batches')} can be cancelled: only validating, in-progress and finalizing batches can.`,
    );
    return;
  }
  const skipped = inactive ? ` ${inactive === 1 ? '1 is' : `${inactive.toLocaleString('en-US')} are`} not active and will be skipped.` : '';
  const answer = await vscode.window.showWarningMessage(
    `Cancel ${plural(ids.length, 'batch', 'batches')}?${skipped}${unknownNote(unknown)}`,
    {
      modal: true,
      detail: `${plural(active.length, 'batch', 'batches')} will be cancelled. Requests already completed are kept; the rest are not run.`,
    },
    'Cancel Batches',
  );
  if (answer !== 'Cancel Batches') return;
  const outcomes = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Cancelling ${plural(active.length, 'batch', 'batches')}` },
    async (progress) => {
      let done = 0;
      return settleWithConcurrency(active, CANCEL_CONCURRENCY, async (batch) => {
        try {
          return await requestCancel(services, batch.id);
        } finally {
          done++;
          progress.report({ increment: 100 / active.length, message: `${done} of ${active.length}` });
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
  const summary = `Cancelled ${plural(cancelled, 'batch', 'batches')}${notSent ? `; skipped ${notSent.toLocaleString('en-US')} (not active or not loaded)` : ''}`;
  services.log.info(`${summary}${failures.length ? `; ${failures.length} failed: ${failures.join('; ')}` : ''}.`);
  if (failures.length) {
    void vscode.window.showWarningMessage(
      `${summary}; ${plural(failures.length, 'cancel')} failed: ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; …' : ''}`,
    );
  } else {
    void vscode.window.showInformationMessage(`${summary}.`);
  }
}

/** Copies one id of each selected batch (its own id, or a file's), one per line. */
export async function copyIds(services: Pick<Services, 'store' | 'log'>, target: CopyTarget, ids: readonly string[]): Promise<void> {
  const { batches, unknown } = resolveSelection(services, ids);
  const role = target === 'batchId' ? undefined : (target.replace(/FileId$/, '') as FileRole);
  const values = batches.map((batch) => (role ? fileIdOf(batch, role) : batch.id)).filter((id): id is string => !!id);
  const name = role ? `${role} file ID` : 'batch ID';
  if (values.length === 0) {
    void vscode.window.showInformationMessage(`None of the selected batches has an ${name}.`);
    return;
  }
  const missing = batches.length - values.length + unknown;
  await copyManyToClipboard(services.log, `${name}s`, values, missing ? ` (${missing} selected without one, skipped)` : '');
}

/** A name in `folder` not taken yet: `stem.jsonl`, else `stem-2.jsonl`, … */
async function freeName(folder: string, stem: string, taken: Set<string>): Promise<string> {
  for (let n = 1; ; n++) {
    const name = `${stem}${n === 1 ? '' : `-${n}`}.jsonl`;
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
    void vscode.window.showInformationMessage('None of the selected batches has an output file.');
    return;
  }
  const client = services.store.requireClient();
  const folder = await vscode.window.showOpenDialog({
    title: `Download ${plural(withOutput.length, 'output file')}${without ? ` (${without} selected without one skipped)` : ''}`,
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Download Here',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const target = folder?.[0];
  if (!target) return;
  if (target.scheme !== 'file') {
    void vscode.window.showErrorMessage('Choose a folder on this machine.');
    return;
  }
  const taken = new Set<string>();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${plural(withOutput.length, 'output file')}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      const saved: string[] = [];
      let bytes = 0;
      try {
        for (const [index, { batch, fileId }] of withOutput.entries()) {
          if (abort.signal.aborted) break;
          const destination = await freeName(target.fsPath, `${fileStem(batch.id)}-output`, taken);
          const step = `${index + 1} of ${withOutput.length}: ${plainText(shortId(fileId))}`;
          progress.report({ message: step });
          const done = await downloadFile(client, fileId, destination, {
            signal: abort.signal,
            onProgress: ({ received, total }) =>
              progress.report({ message: `${step}, ${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''}` }),
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
  const summary = `${plural(result.saved.length, 'output file')} (${formatBytes(result.bytes)}) saved to ${where}`;
  const skipped = without ? `; ${without} selected without an output file skipped` : '';
  if (result.cancelled) {
    services.log.info(`Bulk download cancelled after ${result.saved.length} of ${withOutput.length} files.`);
    void vscode.window.showInformationMessage(`Download cancelled: ${summary}, the file in progress was not kept${skipped}.`);
  } else {
    void vscode.window.showInformationMessage(`${summary}${skipped}.`);
  }
}
