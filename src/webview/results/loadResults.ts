import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { fileIdOf, type FileRole } from '../../core/batches/batchFacts';
import type { AccountConnection, BatchStore } from '../../core/batches/batchStore';
import { downloadFile } from '../../core/files/download';
import { userDownloadLimit } from '../../core/api/sizeLimit';
import { errorMessage, isCancellation } from '../../core/api/errors';
import { batchLabel } from '../../core/batches/batchDisplay';
import { formatBytes } from '../../core/util/text';
import { type IndexProgress, type ResultFilePaths, ResultsIndex } from '../../core/results/resultsIndex';
import type { Batch } from '../../core/api/types';
import type { Logger } from '../../log';
import { chainWithResults } from './chainResults';

/** What loading a batch's results needs; `onStatus` gets each "Downloading…"/"Reading…" line. */
export interface LoadResultsDeps {
  store: BatchStore;
  log: Logger;
  /** The path of an account's copy of a file (downloaded once, shared with "Open Output File"). */
  cachedFile: (account: string, fileId: string) => Promise<string>;
  signal: AbortSignal;
  onStatus: (message: string) => void;
}

/** A batch's results, indexed: alone, or combined with the rest of its chain. */
export interface LoadedResults {
  title: string;
  index: ResultsIndex;
  notes: string[];
  /** The file sets the rows read back from, by `row.source` (one for a batch alone). */
  sources: ResultFilePaths[];
}

/**
 * Downloads (once, into the account's cache) and indexes the results of `batch`: of the batch
 * alone, or, when it belongs to a chain (resubmissions, split parts), the combined results of the
 * chain, one row per custom_id with its latest outcome. The one place the results view and the
 * compare view build a `ResultsIndex`.
 */
export async function loadResults(batch: Batch, connection: AccountConnection, deps: LoadResultsDeps): Promise<LoadedResults> {
  const chain = await chainWithResults(batch, deps.store.batches, connection.client, deps.signal);
  if (chain.length <= 1) {
    const notes: string[] = [];
    const { index, paths } = await joinBatch(connection, batch, notes, deps);
    return { title: batchLabel(batch), index, notes, sources: [paths] };
  }
  const notes: string[] = [];
  const parts: Parameters<typeof ResultsIndex.combine>[0][number][] = [];
  const sources: ResultFilePaths[] = [];
  for (const member of chain) {
    const own: string[] = [];
    const { index, paths } = await joinBatch(connection, member.batch, own, deps);
    parts.push({ index, attempt: member.attempt, batchId: member.batch.id });
    sources.push(paths);
    notes.push(...own.map((note) => `${member.batch.id}: ${note}`));
  }
  const attempts = Math.max(...chain.map((member) => member.attempt));
  notes.unshift(
    attempts > 1
      ? vscode.l10n.t(
          'Combined results of {0} batches ({1}): one row per custom_id with its latest outcome, over {2} attempts. A request that ran more than once says which attempt its outcome comes from.',
          chain.length,
          chain.map((m) => m.batch.id).join(', '),
          attempts,
        )
      : vscode.l10n.t(
          'Combined results of {0} batches ({1}): one row per custom_id with its latest outcome. A request that ran more than once says which attempt its outcome comes from.',
          chain.length,
          chain.map((m) => m.batch.id).join(', '),
        ),
  );
  return {
    title: vscode.l10n.t('{0} · {1} batches combined', batchLabel(batch), chain.length),
    index: ResultsIndex.combine(parts),
    notes,
    sources,
  };
}

/** Downloads (once) and joins one batch's files; notes about them are added to `notes`. */
async function joinBatch(
  connection: AccountConnection,
  batch: Batch,
  notes: string[],
  deps: LoadResultsDeps,
): Promise<{ index: ResultsIndex; paths: ResultFilePaths }> {
  const outputId = fileIdOf(batch, 'output');
  const errorId = fileIdOf(batch, 'error');
  const inputId = fileIdOf(batch, 'input');
  const output = outputId ? await cached(connection, outputId, 'output', deps) : undefined;
  const errors = errorId ? await cached(connection, errorId, 'error', deps) : undefined;
  let input: string | undefined;
  if (inputId) {
    try {
      input = await cached(connection, inputId, 'input', deps);
    } catch (error) {
      if (isCancellation(error)) throw error;
      // Some providers do not serve batch input files back; results alone are still worth showing.
      notes.push(
        vscode.l10n.t(
          'The input file {0} could not be downloaded ({1}), so rows follow the result files and show no requests.',
          inputId,
          errorMessage(error),
        ),
      );
    }
  } else {
    notes.push(vscode.l10n.t('This batch names no input file, so rows follow the result files and show no requests.'));
  }
  const started = Date.now();
  const index = await ResultsIndex.open(
    { input, output, error: errors },
    {
      endpoint: batch.endpoint,
      signal: deps.signal,
      onProgress: (progress) => deps.onStatus(readingMessage(progress)),
    },
  );
  const { report } = index;
  deps.log.info(`Indexed ${report.rows.length} results of ${batch.id} in ${Date.now() - started} ms.`);
  if (report.counts.unmatched && input) {
    notes.push(
      report.counts.unmatched === 1
        ? vscode.l10n.t(
            '{0} result has a custom_id not in the input file (shown last, line -1).',
            report.counts.unmatched.toLocaleString('en-US'),
          )
        : vscode.l10n.t(
            '{0} results have custom_ids not in the input file (shown last, line -1).',
            report.counts.unmatched.toLocaleString('en-US'),
          ),
    );
  }
  if (report.skippedCount) {
    const listed = report.skipped.slice(0, 5).map((s) => vscode.l10n.t('{0} line {1}: {2}', s.file, s.line, s.reason));
    notes.push(
      report.skippedCount === 1
        ? vscode.l10n.t('Skipped {0} line that could not be joined ({1}).', report.skippedCount.toLocaleString('en-US'), listed.join('; '))
        : vscode.l10n.t(
            'Skipped {0} lines that could not be joined ({1}).',
            report.skippedCount.toLocaleString('en-US'),
            `${listed.join('; ')}${report.skippedCount > 5 ? '; …' : ''}`,
          ),
    );
  }
  if (report.overLimit) {
    notes.push(
      vscode.l10n.t(
        'Only the first {0} rows are shown: {1} more requests or results are in the files (Open Output File shows them all).',
        report.rows.length.toLocaleString('en-US'),
        report.overLimit.toLocaleString('en-US'),
      ),
    );
  }
  return { index, paths: { input, output, error: errors } };
}

/** The local copy of a file in the account's cache, downloading it first if needed. */
async function cached({ client, account }: AccountConnection, fileId: string, role: FileRole, deps: LoadResultsDeps): Promise<string> {
  const path = await deps.cachedFile(account, fileId);
  if (await isFile(path)) return path;
  const label = vscode.l10n.t('Downloading the {0} file {1}…', role, fileId);
  deps.onStatus(label);
  const { bytes } = await downloadFile(client, fileId, path, userDownloadLimit(), {
    signal: deps.signal,
    onProgress: ({ received, total }) =>
      deps.onStatus(
        total ? vscode.l10n.t('{0} {1} of {2}', label, formatBytes(received), formatBytes(total)) : `${label} ${formatBytes(received)}`,
      ),
  });
  deps.log.info(`Cached ${role} file ${fileId} (${bytes} bytes) for the results view.`);
  return path;
}

function readingMessage({ file, bytes, total }: IndexProgress): string {
  const percent = total ? Math.floor((bytes / total) * 100) : 100;
  return vscode.l10n.t('Reading the {0} file… {1}% ({2} of {3})', file, percent, formatBytes(bytes), formatBytes(total));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
