/**
 * The scans over a batch's big files, each run in a worker thread (`scanWorker.ts`) so the
 * extension host's thread never parses a 200 MB file line by line: error groups, the requests
 * to resubmit (and writing them), reading a file to split and writing its parts, and summing up a
 * batch's results for the agent tools.
 */
import { join } from 'node:path';
import { ApiError } from '../api/errors';
import type { Batch } from '../api/types';
import { runTask } from '../util/workerTask';
import { type ErrorSummary, summarizeErrors } from '../results/errorSummary';
import type { ResultFilePaths } from '../results/resultsIndex';
import type { ResultsSummary } from '../results/resultsSummary';
import { type ResubmitChoice, ResubmitScan, type ResubmitScanData, type ResubmitWriteResult } from './resubmit';
import type { PartRange, SplitLimits, SplitScan } from './splitInput';

/** What `scanWorker.ts` is asked to do. */
export type ScanRequest =
  | { kind: 'errorSummary'; batch: Pick<Batch, 'errors'>; paths: string[] }
  | { kind: 'resubmitScan'; paths: ResultFilePaths }
  | { kind: 'resubmitWrite'; scan: ResubmitScanData; choice: ResubmitChoice; destination: string; previewSize?: number }
  | { kind: 'splitScan'; path: string; limits: SplitLimits }
  | { kind: 'splitWrite'; source: string; parts: PartRange[]; folder: string }
  | { kind: 'resultsSummary'; paths: { output?: string; error?: string }; endpoint?: string | null; maxLines?: number };

export interface ScanTaskOptions {
  signal?: AbortSignal;
  /** The worker script; default `scanWorker.js` beside this module (dist/ when bundled, out/ when compiled for tests). */
  script?: string;
}

function run<T, P = never>(request: ScanRequest, options: ScanTaskOptions, onProgress?: (progress: P) => void): Promise<T> {
  return runTask<T, P>(options.script ?? join(__dirname, 'scanWorker.js'), request, {
    signal: options.signal,
    onProgress,
    cancelled: () => new ApiError('cancelled', 'The scan was cancelled.'),
  });
}

/** `summarizeErrors` over the files at `paths` (error file, then output file), in a worker. */
export function summarizeErrorFiles(batch: Pick<Batch, 'errors'>, paths: string[], options: ScanTaskOptions = {}): Promise<ErrorSummary> {
  // Validation errors alone need no file read, nor a worker.
  if (paths.length === 0) return summarizeErrors(batch, [], options.signal);
  // Only what the grouping reads of the batch crosses to the worker.
  return run({ kind: 'errorSummary', batch: { errors: batch.errors }, paths }, options);
}

/** `summarizeResultPaths` (outcomes, status codes, error messages and usage of a batch's results), in a worker. */
export function summarizeResultsInWorker(
  paths: { output?: string; error?: string },
  endpoint: string | null | undefined,
  options: ScanTaskOptions & { maxLines?: number } = {},
): Promise<ResultsSummary> {
  return run({ kind: 'resultsSummary', paths, endpoint, maxLines: options.maxLines }, options);
}

/** `ResubmitScan.open`, in a worker. */
export async function scanForResubmit(paths: ResultFilePaths, options: ScanTaskOptions = {}): Promise<ResubmitScan> {
  return ResubmitScan.fromData(await run<ResubmitScanData>({ kind: 'resubmitScan', paths }, options));
}

/** `ResubmitScan.write`, in a worker. */
export function writeResubmission(
  scan: ResubmitScan,
  choice: ResubmitChoice,
  destination: string,
  options: ScanTaskOptions & { previewSize?: number } = {},
): Promise<ResubmitWriteResult> {
  return run({ kind: 'resubmitWrite', scan: scan.toData(), choice, destination, previewSize: options.previewSize }, options);
}

/** `scanForSplit`, in a worker; `onProgress` gets the bytes read so far. */
export function scanForSplitInWorker(
  path: string,
  limits: SplitLimits,
  options: ScanTaskOptions & { onProgress?: (bytes: number) => void } = {},
): Promise<SplitScan> {
  return run<SplitScan, number>({ kind: 'splitScan', path, limits }, options, options.onProgress);
}

/** `writeParts`, in a worker; `onProgress` gets the bytes of the source read so far. Resolves with the parts' paths. */
export function writePartsInWorker(
  source: string,
  parts: readonly PartRange[],
  folder: string,
  options: ScanTaskOptions & { onProgress?: (bytes: number) => void } = {},
): Promise<string[]> {
  return run<string[], number>({ kind: 'splitWrite', source, parts: [...parts], folder }, options, options.onProgress);
}
