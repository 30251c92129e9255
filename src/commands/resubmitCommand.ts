import * as vscode from 'vscode';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readSettings } from '../config';
import { descriptionOf, resubmitMetadata } from '../core/batchChains';
import { fileIdOf, type FileRole } from '../core/batchFacts';
import type { AccountConnection } from '../core/batchStore';
import { downloadFile } from '../core/download';
import { batchLabel, fileStem, formatBytes, plainText, statusPhrase } from '../core/format';
import { errorCount, formatProblem, validateBatchInput } from '../core/jsonlValidation';
import { canResubmit, type ResubmitChoice, ResubmitScan } from '../core/resubmit';
import type { ResultFilePaths } from '../core/resultsIndex';
import type { Batch } from '../core/types';
import { type BatchArgument, resolveBatch } from './batchPicker';
import { submit } from './createBatchCommand';
import { withCancellableProgress } from './progress';
import type { Services } from './services';

type ResubmitServices = Pick<Services, 'store' | 'log' | 'panels' | 'tree' | 'treeView' | 'files' | 'storage'>;

interface ChoiceItem extends vscode.QuickPickItem {
  choice: ResubmitChoice;
}

const count = (n: number): string => n.toLocaleString('en-US');
const requests = (n: number): string => `${count(n)} request${n === 1 ? '' : 's'}`;

/**
 * `openaiBatches.resubmitFailed`: sends a finished batch's failed and/or missing requests again
 * as a new batch. Joins the batch's files, asks which outcomes to include, writes the JSONL
 * (which the person may open first), then validates, uploads and creates it as Create Batch
 * does, with `metadata.resubmit_of` linking it to the original and the original's description.
 */
export async function resubmitFailed(services: ResubmitServices, argument: BatchArgument): Promise<void> {
  const batch = await resolveBatch(services.store, argument, {
    title: 'Resubmit failed requests',
    placeHolder: 'Pick a finished batch whose failed or missing requests to send again',
    include: canResubmit,
    detail: (b) => statusPhrase(b),
    emptyMessage: 'No loaded batch has failed, missing or expired requests to resubmit.',
  });
  if (!batch) return;
  if (!canResubmit(batch)) {
    void vscode.window.showInformationMessage(
      `Batch "${plainText(batchLabel(batch))}" has nothing to resubmit (status: ${plainText(statusPhrase(batch))}): it must have stopped with failed, missing or expired requests, and name its input file.`,
    );
    return;
  }
  const connection = services.store.requireConnection();
  const label = plainText(batchLabel(batch), 60);

  const scan = await withCancellableProgress(`Reading the results of ${label}`, (report, signal) =>
    scanBatch(services, connection, batch, report, signal),
  );
  if (!scan) return;
  const { counts } = scan;
  if (scan.count('both') === 0) {
    void vscode.window.showInformationMessage(
      `Every request of "${label}" succeeded (${requests(counts.succeeded)}): nothing to resubmit.${counts.skipped ? ` ${count(counts.skipped)} input lines could not be read.` : ''}`,
    );
    return;
  }
  const choice = await pickChoice(scan, label);
  if (!choice) return;

  const folder = join(services.storage, 'resubmit');
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${fileStem(batch.id)}-${choice}.jsonl`);
  const written = await withCancellableProgress(`Writing the requests to resubmit`, (_report, signal) =>
    scan.write(choice, path, { signal }),
  );
  if (!written) return;
  const uri = vscode.Uri.file(path);
  services.log.info(`Wrote ${written.written} ${choice} requests of ${batch.id} to resubmit to ${path}.`);

  if (!(await confirm(uri, label, written.written, written.preview))) return;
  // Edits made in the editor count: the batch is created from the file on disk.
  await vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString() && d.isDirty)?.save();

  const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
  const result = validateBatchInput(text, { maxRequests: readSettings().maxRequestsPerBatch });
  const errors = errorCount(result);
  if (errors > 0 || !result.endpoint) {
    const problems = result.problems
      .filter((p) => p.severity === 'error')
      .slice(0, 5)
      .map(formatProblem);
    void vscode.window.showErrorMessage(`The requests to resubmit have ${count(errors)} problem${errors === 1 ? '' : 's'}.`, {
      modal: true,
      detail: problems.join('\n'),
    });
    return;
  }
  const description = descriptionOf(batch) ?? `Resubmission of ${batch.id}`.slice(0, 512);
  await submit(services, {
    uri,
    filename: `${fileStem(batch.id)}-resubmit.jsonl`,
    bytes: (await stat(path)).size,
    endpoint: result.endpoint,
    description,
    metadata: resubmitMetadata(batch, description),
    outputExpiresAfter: readSettings().outputExpiresAfter,
    account: connection.account,
  });
}

/** Downloads the batch's files into the account's cache (once) and classifies every request. */
async function scanBatch(
  services: ResubmitServices,
  connection: AccountConnection,
  batch: Batch,
  report: (message: string) => void,
  signal: AbortSignal,
): Promise<ResubmitScan> {
  const paths: ResultFilePaths = {};
  for (const role of ['input', 'output', 'error'] as const) {
    const fileId = fileIdOf(batch, role);
    if (fileId) paths[role] = await localCopy(services, connection, fileId, role, report, signal);
  }
  report('joining the files by custom_id…');
  return ResubmitScan.open(paths, { signal });
}

/** The account's cached copy of a file, downloaded first when it is not there. */
async function localCopy(
  services: ResubmitServices,
  { client, account }: AccountConnection,
  fileId: string,
  role: FileRole,
  report: (message: string) => void,
  signal: AbortSignal,
): Promise<string> {
  const path = await services.files.pathFor(account, fileId);
  try {
    if ((await stat(path)).isFile()) return path;
  } catch {
    // Not downloaded yet.
  }
  report(`downloading the ${role} file…`);
  const { bytes } = await downloadFile(client, fileId, path, {
    signal,
    onProgress: ({ received, total }) =>
      report(`downloading the ${role} file… ${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''}`),
  });
  services.log.info(`Cached ${role} file ${fileId} (${bytes} bytes) to resubmit its requests.`);
  return path;
}

async function pickChoice(scan: ResubmitScan, label: string): Promise<ResubmitChoice | undefined> {
  const { failed, missing, notRun, succeeded, requests: total } = scan.counts;
  const items: ChoiceItem[] = [];
  if (failed > 0 && missing > 0) {
    items.push({
      choice: 'both',
      label: `Failed and missing: ${requests(failed + missing)}`,
      description: 'everything that did not succeed',
    });
  }
  if (failed > 0) items.push({ choice: 'failed', label: `Failed: ${requests(failed)}`, description: 'an error or a non-2xx status' });
  if (missing > 0) {
    items.push({
      choice: 'missing',
      label: `Missing: ${requests(missing)}`,
      description: notRun ? `no result, or not run (${count(notRun)} expired or cancelled)` : 'no result',
    });
  }
  const chosen = await vscode.window.showQuickPick(items, {
    title: `Resubmit requests of ${label}`,
    placeHolder: `${count(succeeded)} of ${count(total)} succeeded. Which requests should a new batch send again?`,
    ignoreFocusOut: true,
  });
  return chosen?.choice;
}

/** Says what will be sent; "Open JSONL" shows the file first, and asks again. */
async function confirm(uri: vscode.Uri, label: string, written: number, preview: string[]): Promise<boolean> {
  const shown = preview.map((id) => plainText(id, 60)).join(', ');
  const message = `Resubmit ${requests(written)} of "${label}" as a new batch?`;
  const detail = `First custom_ids: ${shown}${written > preview.length ? ', …' : ''}. The new batch keeps the description and links to the original (metadata resubmit_of).`;
  const answer = await vscode.window.showInformationMessage(message, { modal: true, detail }, 'Resubmit', 'Open JSONL First');
  if (answer === 'Resubmit') return true;
  if (answer !== 'Open JSONL First') return false;
  await vscode.window.showTextDocument(uri, { preview: false });
  const again = await vscode.window.showInformationMessage(`${message} The JSONL is open in the editor.`, 'Resubmit', 'Cancel');
  return again === 'Resubmit';
}
