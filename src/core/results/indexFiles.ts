/**
 * Reads a batch's files into a {@link ResultsJoiner}, handing over the rows as they are joined:
 * the loop the results index runs, in a worker thread (`resultsWorker.ts`, blocking reads) or,
 * for tests and small files, on the caller's thread. Lines are read as bytes, so a result line's
 * embedding numbers are never decoded or parsed (see `resultLine.ts`). The result files are read
 * first, so rows show before the input file is read; each input line then only places its row
 * (a few numbers sent, not the row again).
 */
import { stat } from 'node:fs/promises';
import { ApiError } from '../api/errors';
import { type LineBuffer, readLineBuffers, readLineBuffersSync } from '../util/lineReader';
import type { JoinedResult, JoinOptions, JoinReport, ResultFile } from './resultsJoin';
import { ResultsJoiner } from './resultsJoiner';
import type { PackedRows } from './rowPacking';

/** The local copies of a batch's files; any may be absent. */
export interface ResultFilePaths {
  input?: string;
  output?: string;
  error?: string;
}

export type FileRole = keyof ResultFilePaths;

/** The order the files are read in: the results first, so rows show before the input is read. */
const FILE_ORDER: readonly FileRole[] = ['output', 'error', 'input'];

export interface IndexProgress {
  file: FileRole;
  /** Bytes of `file` read so far, of `total`. */
  bytes: number;
  total: number;
}

/** Rows joined since the last update, and how far the reading has got. */
export interface RowUpdate {
  /** Indexes of the rows added, and the rows (`rows[i]` is at `indexes[i]`). */
  indexes: number[];
  rows: JoinedResult[];
  /**
   * Rows an input line placed, four numbers each: the row's index, its input line, and the
   * line's offset and bytes in the input file (`inputAt`). A typed array, so a worker hands it
   * over without copying.
   */
  placed?: Float64Array;
  /** `rows` packed in columns, to cross threads (see `rowPacking.ts`); `rows` is then empty. */
  packed?: PackedRows;
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
  /**
   * Blocking reads: only in a worker thread, whose only tasks are indexes. Such a loop would keep
   * the thread's other indexes and messages waiting, so it steps aside (`setImmediate`) every
   * {@link SHARE_TURN_MS}: indexes opened together (the two runs of a comparison) take turns.
   */
  syncReads?: boolean;
  /**
   * Rows handed to `onRows` keep only what the join needs (see `ResultsJoiner.slim`): for a
   * worker, whose rows are copies; the report's rows are then of no use but for their count.
   */
  slimAfterUpdate?: boolean;
}

export const PROGRESS_INTERVAL_MS = 200;

/** Lines between two reads of the clock (a power of two). */
const CLOCK_EVERY_LINES = 16;

/** How long a blocking loop runs before its thread's other indexes and messages get a turn. */
export const SHARE_TURN_MS = 20;

/**
 * Most rows (and placements) in one update: each update is taken in at once by the thread that
 * shows the rows, and its event loop must not stall for long (a row costs it about 10 µs to
 * receive, a placement about 1 µs).
 */
const MAX_ROWS_PER_UPDATE = 1000;
const MAX_PLACED_PER_UPDATE = 5000;

/** Reads the output and error files, then the input, joining them line by line. */
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
  let added: number[] = [];
  let placed: number[] = [];
  const updateMs = options.updateMs ?? 100;
  const firstRows = options.firstRows ?? 200;
  let firstSent = false;
  let nextUpdate = Date.now() + updateMs;
  let nextTurn = Date.now() + SHARE_TURN_MS;
  const flush = (): void => {
    nextUpdate = Date.now() + updateMs;
    if (!options.onRows || (added.length === 0 && placed.length === 0)) return;
    const { rows } = joiner;
    const update: RowUpdate = { indexes: added, rows: added.map((i) => rows[i]), total: rows.length, indexed, resultBytes, resultTotal };
    if (placed.length > 0) update.placed = Float64Array.from(placed);
    if (options.slimAfterUpdate) joiner.slim(added);
    added = [];
    placed = [];
    options.onRows(update);
  };

  for (const role of FILE_ORDER) {
    const path = paths[role];
    if (!path) continue;
    const total = sizes[role] ?? 0;
    let nextProgress = Date.now() + PROGRESS_INTERVAL_MS;
    let lineNumber = 0;
    /** After each line: hands rows over and reports progress when due; true when the thread's other work is due a turn. */
    const step = (line: LineBuffer): boolean => {
      const full = added.length >= MAX_ROWS_PER_UPDATE || placed.length >= 4 * MAX_PLACED_PER_UPDATE;
      const first = !firstSent && indexed >= firstRows;
      // The clock is read every few lines (about 0.1 ms of reading): once a line, it cost more than the checks.
      if (!full && !first && (lineNumber & (CLOCK_EVERY_LINES - 1)) !== 0) return false;
      const now = Date.now();
      if (full || first || now >= nextUpdate) {
        if (indexed >= firstRows) firstSent = true;
        flush();
      }
      if (options.onProgress && now >= nextProgress) {
        options.onProgress({ file: role, bytes: line.offset + line.length, total });
        nextProgress = now + PROGRESS_INTERVAL_MS;
      }
      return now >= nextTurn;
    };
    // One function for result lines and one for input lines, each compiled for its own kind: one
    // for both was compiled for result lines, then thrown back to slower code by the first input line.
    const takeResult = (line: LineBuffer): boolean => {
      if (options.signal?.aborted) throw readingCancelled();
      lineNumber++;
      const index = joiner.addResult(role as ResultFile, lineNumber, line);
      if (index !== undefined) {
        indexed++;
        added.push(index);
      }
      resultBytes = resultBytesBefore + line.offset + line.length;
      return step(line);
    };
    const takeRequest = (line: LineBuffer): boolean => {
      if (options.signal?.aborted) throw readingCancelled();
      lineNumber++;
      const before = joiner.rows.length;
      const index = joiner.addRequest(lineNumber, line);
      // A row added (the rows grew) is sent whole; a row placed, as four numbers.
      if (index !== undefined && joiner.rows.length > before) added.push(index);
      else if (index !== undefined) placed.push(index, lineNumber, line.offset, line.length);
      return step(line);
    };
    /** Takes one line; true when the thread's other work is due a turn (blocking reads only). */
    const take = role === 'input' ? takeRequest : takeResult;
    if (options.syncReads) {
      // A plain loop: `for await` over lines read synchronously would wait a microtask per line.
      for (const line of readLineBuffersSync(path)) {
        if (!take(line)) continue;
        await new Promise((resolve) => setImmediate(resolve));
        nextTurn = Date.now() + SHARE_TURN_MS;
      }
    } else {
      for await (const line of readLineBuffers(path)) take(line);
    }
    if (role !== 'input') resultBytesBefore += total;
  }
  resultBytes = resultTotal;
  flush();
  return joiner.report();
}

/** One index for the worker (`resultsWorker.ts`) to build. */
export interface IndexWorkerRequest {
  paths: ResultFilePaths;
  endpoint?: string | null;
  maxRows?: number;
  updateMs?: number;
  firstRows?: number;
}

/** What an index's job posts: rows as they are joined, progress, then the totals or why it failed. */
export type IndexWorkerMessage =
  | { type: 'rows'; update: RowUpdate }
  | { type: 'progress'; progress: IndexProgress }
  | { type: 'done'; totals: Omit<JoinReport, 'rows'>; rows: number }
  | { type: 'failed'; message: string };

/**
 * What the thread that shows the rows tells the worker: start an index (its `job` number tags
 * every message about it), or stop one (the person closed its view).
 */
export type IndexWorkerCommand = { type: 'start'; job: number; request: IndexWorkerRequest } | { type: 'cancel'; job: number };

/** What the worker posts: a message about one job. */
export interface IndexWorkerPost {
  job: number;
  message: IndexWorkerMessage;
}

/** Why an index (or a results summary) stopped when its signal aborted. */
export function readingCancelled(): ApiError {
  return new ApiError('cancelled', 'Reading the results was cancelled.');
}
