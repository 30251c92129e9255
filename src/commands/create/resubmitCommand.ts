import * as vscode from 'vscode';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readSettings } from '../../config';
import { descriptionOf, resubmitMetadata } from '../../core/batches/batchChains';
import { fileIdOf, type FileRole } from '../../core/batches/batchFacts';
import type { AccountConnection } from '../../core/batches/batchStore';
import { downloadFile } from '../../core/files/download';
import { batchLabel, statusPhrase } from '../../core/batches/batchDisplay';
import { fileStem, safeFileName } from '../../core/util/fileNames';
import { formatBytes, plainText } from '../../core/util/text';
import { errorCount, formatProblem, validateBatchInput } from '../../core/input/jsonlValidation';
import { canResubmit, type ResubmitChoice, type ResubmitScan } from '../../core/input/resubmit';
import { scanForResubmit, writeResubmission } from '../../core/input/scans';
import type { ResultFilePaths } from '../../core/results/resultsIndex';
import type { Batch } from '../../core/api/types';
import { type BatchArgument, resolveBatch } from '../batchPicker';
import { submit } from './submit';
import { withCancellableProgress } from '../progress';
import type { Services } from '../services';
import { userDownloadLimit } from '../../core/api/sizeLimit';
import { queueIfOverLimit } from '../queue/enqueueParts';

type ResubmitServices = Pick<Services, 'store' | 'log' | 'panels' | 'tree' | 'treeView' | 'files' | 'storage' | 'queues'>;

interface ChoiceItem extends vscode.QuickPickItem {
  choice: ResubmitChoice;
}

const count = (n: number): string => n.toLocaleString('en-US');
const requests = (n: number): string => (n === 1 ? vscode.l10n.t('{0} request', count(n)) : vscode.l10n.t('{0} requests', count(n)));

/**
 * `openaiBatches.resubmitFailed`: sends a finished batch's failed and/or missing requests again
 * as a new batch. Joins the batch's files, asks which outcomes to include, writes the JSONL
 * (which the person may open first), then validates, uploads and creates it as Create Batch
 * does, with `metadata.resubmit_of` linking it to the original and the original's description.
 */
export async function resubmitFailed(services: ResubmitServices, argument: BatchArgument): Promise<void> {
  const batch = await resolveBatch(services.store, argument, {
    title: vscode.l10n.t('Resubmit failed requests'),
    placeHolder: vscode.l10n.t('Pick a finished batch whose failed or missing requests to send again'),
    include: canResubmit,
    detail: (b) => statusPhrase(b),
    emptyMessage: vscode.l10n.t('No loaded batch has failed, missing or expired requests to resubmit.'),
  });
  if (!batch) return;
  if (!canResubmit(batch)) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Batch "{0}" has nothing to resubmit (status: {1}): it must have stopped with failed, missing or expired requests, and name its input file.',
        plainText(batchLabel(batch)),
        plainText(statusPhrase(batch)),
      ),
    );
    return;
  }
  const connection = services.store.requireConnection();
  const label = plainText(batchLabel(batch), 60);

  const scan = await withCancellableProgress(vscode.l10n.t('Reading the results of {0}', label), (report, signal) =>
    scanBatch(services, connection, batch, report, signal),
  );
  if (!scan) return;
  const { counts } = scan;
  if (scan.count('both') === 0) {
    void vscode.window.showInformationMessage(
      `${vscode.l10n.t('Every request of "{0}" succeeded ({1}): nothing to resubmit.', label, requests(counts.succeeded))}${
        counts.skipped ? ` ${vscode.l10n.t('{0} input lines could not be read.', count(counts.skipped))}` : ''
      }`,
    );
    return;
  }
  const choice = await pickChoice(scan, label);
  if (!choice) return;

  const folder = join(services.storage, 'resubmit');
  await mkdir(folder, { recursive: true });
  const path = join(folder, safeFileName(`${fileStem(batch.id)}-${choice}.jsonl`));
  const written = await withCancellableProgress(vscode.l10n.t('Writing the requests to resubmit'), (_report, signal) =>
    writeResubmission(scan, choice, path, { signal }),
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
    void vscode.window.showErrorMessage(
      errors === 1
        ? vscode.l10n.t('The requests to resubmit have {0} problem.', count(errors))
        : vscode.l10n.t('The requests to resubmit have {0} problems.', count(errors)),
      {
        modal: true,
        detail: problems.join('\n'),
      },
    );
    return;
  }
  const description = descriptionOf(batch) ?? `Resubmission of ${batch.id}`.slice(0, 512);
  const filename = `${fileStem(batch.id)}-resubmit.jsonl`;
  const metadata = resubmitMetadata(batch, description);
  const bytes = (await stat(path)).size;
  const queued = await queueIfOverLimit(services, {
    path,
    filename,
    requests: result.requests,
    bytes,
    endpoint: result.endpoint,
    description,
    metadata,
    outputExpiresAfter: readSettings().outputExpiresAfter,
    source: 'resubmit',
  });
  if (queued) return;
  await submit(services, {
    uri,
    filename,
    bytes,
    endpoint: result.endpoint,
    description,
    metadata,
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
  report(vscode.l10n.t('joining the files by custom_id…'));
  return scanForResubmit(paths, { signal });
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
  const downloading = vscode.l10n.t('downloading the {0} file…', role);
  report(downloading);
  const { bytes } = await downloadFile(client, fileId, path, userDownloadLimit(), {
    signal,
    onProgress: ({ received, total }) =>
      report(
        total
          ? vscode.l10n.t('{0} {1} of {2}', downloading, formatBytes(received), formatBytes(total))
          : `${downloading} ${formatBytes(received)}`,
      ),
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
      label: vscode.l10n.t('Failed and missing: {0}', requests(failed + missing)),
      description: vscode.l10n.t('everything that did not succeed'),
    });
  }
  if (failed > 0) {
    items.push({
      choice: 'failed',
      label: vscode.l10n.t('Failed: {0}', requests(failed)),
      description: vscode.l10n.t('an error or a non-2xx status'),
    });
  }
  if (missing > 0) {
    items.push({
      choice: 'missing',
      label: vscode.l10n.t('Missing: {0}', requests(missing)),
      description: notRun ? vscode.l10n.t('no result, or not run ({0} expired or cancelled)', count(notRun)) : vscode.l10n.t('no result'),
    });
  }
  const chosen = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Resubmit requests of {0}', label),
    placeHolder: vscode.l10n.t('{0} of {1} succeeded. Which requests should a new batch send again?', count(succeeded), count(total)),
    ignoreFocusOut: true,
  });
  return chosen?.choice;
}

/** Says what will be sent; "Open JSONL" shows the file first, and asks again. */
async function confirm(uri: vscode.Uri, label: string, written: number, preview: string[]): Promise<boolean> {
  const shown = preview.map((id) => plainText(id, 60)).join(', ');
  const message = vscode.l10n.t('Resubmit {0} of "{1}" as a new batch?', requests(written), label);
  const detail = vscode.l10n.t(
    'First custom_ids: {0}. The new batch keeps the description and links to the original (metadata resubmit_of).',
    `${shown}${written > preview.length ? ', …' : ''}`,
  );
  const resubmit = vscode.l10n.t('Resubmit');
  const openFirst = vscode.l10n.t('Open JSONL First');
  const answer = await vscode.window.showInformationMessage(message, { modal: true, detail }, resubmit, openFirst);
  if (answer === resubmit) return true;
  if (answer !== openFirst) return false;
  await vscode.window.showTextDocument(uri, { preview: false });
  const again = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} The JSONL is open in the editor.', message),
    resubmit,
    vscode.l10n.t('Cancel'),
  );
  return again === resubmit;
}
