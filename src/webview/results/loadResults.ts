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
import { indexProgressively, type IndexingStatus } from '../../core/results/progressiveIndex';
import type { Batch } from '../../core/api/types';
import type { Logger } from '../../log';
import { chainWithResults } from './chainResults';
import { joinNotes } from './resultsNotes';

/** What loading a batch's results needs; `onStatus` gets each "Downloading…"/"Reading…" line. */
export interface LoadResultsDeps {
  store: BatchStore;
  log: Logger;
  /** The path of an account's copy of a file (downloaded once, shared with "Open Output File"). */
  cachedFile: (account: string, fileId: string) => Promise<string>;
  signal: AbortSignal;
  onStatus: (message: string) => void;
  /** Called as rows come in while a batch alone is indexed (see core/results/progressiveIndex.ts). */
  onRows?: (status: IndexingStatus) => void;
}

/** A batch's results, indexed: alone, or combined with the rest of its chain. */
export interface LoadedResults {
  title: string;
  index: ResultsIndex;
  notes: string[];
  /** The file sets the rows read back from, by `row.source` (one for a batch alone). */
  sources: ResultFilePaths[];
  /**
   * Resolves with `index` once every row is in it, and `notes` complete. A batch alone comes back
   * while it is still being indexed (`index.complete` false: the rows so far); a chain, complete.
   */
  done: Promise<ResultsIndex>;
  /** How far indexing has got. */
  status: () => IndexingStatus;
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
    const { index, paths, done, status } = await joinBatch(connection, batch, notes, deps);
    return { title: batchLabel(batch), index, notes, sources: [paths], done, status };
  }
  const notes: string[] = [];
  const parts: Parameters<typeof ResultsIndex.combine>[0][number][] = [];
  const sources: ResultFilePaths[] = [];
  for (const member of chain) {
    const own: string[] = [];
    const { done, paths } = await joinBatch(connection, member.batch, own, { ...deps, onRows: undefined });
    const index = await done;
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
  const index = ResultsIndex.combine(parts);
  const rows = index.rows.length;
  return {
    title: vscode.l10n.t('{0} · {1} batches combined', batchLabel(batch), chain.length),
    index,
    notes,
    sources,
    done: Promise.resolve(index),
    status: () => ({ indexed: rows, expected: rows, exact: true, done: true }),
  };
}

/**
 * Downloads (once) and starts indexing one batch's files in a worker: the index comes back at
 * once, with `done` resolving when all rows are in; notes about the files are added to `notes`
 * (those about the join when it is done).
 */
async function joinBatch(
  connection: AccountConnection,
  batch: Batch,
  notes: string[],
  deps: LoadResultsDeps,
): Promise<{ index: ResultsIndex; paths: ResultFilePaths; done: Promise<ResultsIndex>; status: () => IndexingStatus }> {
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
  const paths: ResultFilePaths = { input, output, error: errors };
  const opening = indexProgressively(paths, {
    endpoint: batch.endpoint,
    expected: batch.request_counts?.total || undefined,
    signal: deps.signal,
    onRows: deps.onRows,
    onProgress: (progress) => deps.onStatus(readingMessage(progress)),
  });
  const done = opening.done.then((index) => {
    deps.log.info(`Indexed ${index.rows.length} results of ${batch.id} in ${Date.now() - started} ms.`);
    notes.push(...joinNotes(index.report, Boolean(input)));
    return index;
  });
  // Reported by whoever awaits `done`; this keeps an early failure from going unhandled meanwhile.
  done.catch(() => undefined);
  return { index: opening.index, paths, done, status: () => opening.status() };
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
