/**
 * Reads a batch's files into a {@link ResultsJoiner}, handing over the rows as they are joined:
 * the loop the results index runs, in a worker thread (`resultsWorker.ts`) or, for tests and
 * small files, on the caller's thread. Lines are read as bytes (`readLineBuffers`), so a result
 * line's embedding numbers are never decoded or parsed (see `resultLine.ts`).
 */
import { stat } from 'node:fs/promises';
import { ApiError } from '../api/errors';
import { readLineBuffers } from '../util/lineReader';
import type { JoinedResult, JoinOptions, JoinReport } from './resultsJoin';
import { ResultsJoiner } from './resultsJoiner';

/** The local copies of a batch's files; any may be absent. */
export interface ResultFilePaths {
  input?: string;
  output?: string;
  error?: string;
}

export type FileRole = keyof ResultFilePaths;

export interface IndexProgress {
  file: FileRole;
  /** Bytes of `file` read so far, of `total`. */
  bytes: number;
  total: number;
}

/** Rows joined since the last update, and how far the reading has got. */
export interface RowUpdate {
  /** Indexes of the rows added or changed, and the rows (`rows[i]` is at `indexes[i]`). */
  indexes: number[];
  rows: JoinedResult[];
  /** Rows in all so far (pending ones included). */
  total: number;
  /** Rows that have their result so far. */
  indexed: number;
  /** Bytes of the output and error files read so far, and their size: for an estimate of how many results there are. */
  resultBytes: number;
  resultTotal: number;
}

export interface IndexFilesOptions extends JoinOptions {
  signal?: AbortSignal;
  /** Called at most every {@link PROGRESS_INTERVAL_MS} while the files are read. */
  onProgress?: (progress: IndexProgress) => void;
  /**
   * Called with the rows added or changed: once as soon as {@link firstRows} rows have their
   * result, then at most every `updateMs`, and once at the end.
   */
  onRows?: (update: RowUpdate) => void;
  /** Default 100 ms. */
  updateMs?: number;
  /** Default 200 (a page of the table). */
  firstRows?: number;
}

export const PROGRESS_INTERVAL_MS = 200;

/** Reads the input, then the output and error files, joining them line by line. */
export async function indexFiles(paths: ResultFilePaths, options: IndexFilesOptions = {}): Promise<JoinReport> {
  const joiner = new ResultsJoiner(options);
  const sizes: Partial<Record<FileRole, number>> = {};
  for (const role of ['input', 'output', 'error'] as const) {
    const path = paths[role];
    if (path) sizes[role] = (await stat(path)).size;
  }
  const resultTotal = (sizes.output ?? 0) + (sizes.error ?? 0);
  let resultBytesBefore = 0;
  let resultBytes = 0;
  let indexed = 0;
  const changed = new Set<number>();
  const updateMs = options.updateMs ?? 100;
  const firstRows = options.firstRows ?? 200;
  let firstSent = false;
  let nextUpdate = Date.now() + updateMs;
  const flush = (): void => {
    nextUpdate = Date.now() + updateMs;
    if (!options.onRows || changed.size === 0) return;
    const indexes = [...changed];
    changed.clear();
    const { rows } = joiner;
    options.onRows({ indexes, rows: indexes.map((i) => rows[i]), total: rows.length, indexed, resultBytes, resultTotal });
  };

  for (const role of ['input', 'output', 'error'] as const) {
    const path = paths[role];
    if (!path) continue;
    const total = sizes[role] ?? 0;
    let nextProgress = Date.now() + PROGRESS_INTERVAL_MS;
    let lineNumber = 0;
    for await (const line of readLineBuffers(path)) {
      if (options.signal?.aborted) throw new ApiError('cancelled', 'Reading the results was cancelled.');
      lineNumber++;
      let index: number | undefined;
      if (role === 'input') {
        index = joiner.addRequest(lineNumber, line);
      } else {
        index = joiner.addResult(role, lineNumber, line);
        if (index !== undefined) indexed++;
        resultBytes = resultBytesBefore + line.offset + line.length;
      }
      if (index !== undefined) changed.add(index);
      const now = Date.now();
      if (now >= nextUpdate || (!firstSent && indexed >= firstRows)) {
        if (indexed >= firstRows) firstSent = true;
        flush();
      }
      if (options.onProgress && now >= nextProgress) {
        options.onProgress({ file: role, bytes: line.offset + line.length, total });
        nextProgress = now + PROGRESS_INTERVAL_MS;
      }
    }
    if (role !== 'input') resultBytesBefore += total;
  }
  resultBytes = resultTotal;
  flush();
  return joiner.report();
}

/** What starts the worker (`resultsWorker.ts`): its `workerData`. */
export interface IndexWorkerRequest {
  kind: 'resultsIndex';
  paths: ResultFilePaths;
  endpoint?: string | null;
  maxRows?: number;
  updateMs?: number;
  firstRows?: number;
}

/** What the worker posts: rows as they are joined, progress, then the totals or why it failed. */
export type IndexWorkerMessage =
  | { type: 'rows'; update: RowUpdate }
  | { type: 'progress'; progress: IndexProgress }
  | { type: 'done'; totals: Omit<JoinReport, 'rows'>; rows: number }
  | { type: 'failed'; message: string };

export function isIndexWorkerRequest(value: unknown): value is IndexWorkerRequest {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'resultsIndex';
}
