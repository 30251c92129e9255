/**
 * Builds the input of a resubmission: the lines of a batch's input file whose request failed
 * (an error, or a non-2xx status) or got no result (missing, or not run: expired or cancelled).
 * Streams the files: memory holds one entry per result's `custom_id`, never a file.
 */

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileIdOf, TERMINAL_STATUSES } from '../batches/batchFacts';
import { ApiError } from '../api/errors';
import { statusOf } from '../batches/grouping';
import { isRecord } from '../util/json';
import { readLineRecords } from '../util/lineReader';
import type { ResultFilePaths } from '../results/resultsIndex';
import { summarizeResult } from '../results/resultsJoin';
import { type LineRecord } from '../util/lineReader';
import type { Batch } from '../api/types';

/** Which requests to send again. */
export type ResubmitChoice = 'failed' | 'missing' | 'both';

/** What happened to one request, as far as resubmitting goes. */
export type ResubmitClass = 'succeeded' | 'failed' | 'missing';

/** Error codes of requests the batch never ran: they count as missing, not failed. */
const NOT_RUN_CODES: ReadonlySet<string> = new Set(['batch_expired', 'batch_cancelled', 'batch_failed']);

export interface ResubmitCounts {
  /** Requests in the input file. */
  requests: number;
  succeeded: number;
  /** An error or a non-2xx status. */
  failed: number;
  /** No result, or a result saying the batch never ran it (expired, cancelled). */
  missing: number;
  /** Of `missing`, those the error file says were not run (expired/cancelled). */
  notRun: number;
  /** Input lines that cannot be sent again (not JSON, no custom_id, over the line limit). */
  skipped: number;
}

export interface ResubmitScanOptions {
  signal?: AbortSignal;
  /** Bytes read so far of all files, of the total; called per line (the caller throttles). */
  onLine?: () => void;
}

/** A {@link ResubmitScan} as plain data, for a worker thread to hand over. */
export interface ResubmitScanData {
  input: string;
  classes: Map<string, ResubmitClass>;
  counts: ResubmitCounts;
}

export interface ResubmitWriteResult {
  /** Lines written. */
  written: number;
  /** The first custom_ids written, for a preview. */
  preview: string[];
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ApiError('cancelled', 'Preparing the resubmission was cancelled.');
}

function textOf(record: LineRecord): string | undefined {
  return typeof record.text === 'string' ? record.text : undefined;
}

function customIdOf(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) && typeof value.custom_id === 'string' ? value.custom_id : undefined;
  } catch {
    return undefined;
  }
}

/** The class of one output/error line, read with the results join's own reading of a result. */
export function classifyResult(line: Record<string, unknown>): Exclude<ResubmitClass, 'succeeded'> | 'succeeded' {
  const error = line.error;
  if (isRecord(error) && typeof error.code === 'string' && NOT_RUN_CODES.has(error.code) && !isRecord(line.response)) return 'missing';
  return summarizeResult(line).outcome;
}

/** Whether a request of this class is included by `choice`. */
export function isChosen(kind: ResubmitClass, choice: ResubmitChoice): boolean {
  if (kind === 'succeeded') return false;
  return choice === 'both' || choice === kind;
}

/**
 * The outcome of every request of one batch, from its local files: a map from custom_id to
 * class (built from the output and error files), then a count over the input file.
 */
export class ResubmitScan {
  private constructor(
    private readonly input: string,
    private readonly classes: ReadonlyMap<string, ResubmitClass>,
    readonly counts: ResubmitCounts,
  ) {}

  /** Reads the results, then the input. `paths.input` is required: only input lines can be sent again. */
  static async open(paths: ResultFilePaths, options: ResubmitScanOptions = {}): Promise<ResubmitScan> {
    if (!paths.input) throw new Error('The input file is needed to resubmit requests.');
    const classes = new Map<string, ResubmitClass>();
    for (const path of [paths.output, paths.error]) {
      if (!path) continue;
      for await (const record of readLineRecords(path)) {
        checkAborted(options.signal);
        options.onLine?.();
        const text = textOf(record);
        if (text === undefined || text.trim() === '') continue;
        let line: unknown;
        try {
          line = JSON.parse(text);
        } catch {
          continue;
        }
        if (!isRecord(line) || typeof line.custom_id !== 'string') continue;
        const kind = classifyResult(line);
        // A success anywhere wins over a failure line for the same id: it needs no second run.
        if (classes.get(line.custom_id) !== 'succeeded') classes.set(line.custom_id, kind);
      }
    }
    const counts: ResubmitCounts = { requests: 0, succeeded: 0, failed: 0, missing: 0, notRun: 0, skipped: 0 };
    for await (const record of readLineRecords(paths.input)) {
      checkAborted(options.signal);
      options.onLine?.();
      const text = textOf(record);
      if (text !== undefined && text.trim() === '') continue;
      counts.requests++;
      const customId = text === undefined ? undefined : customIdOf(text);
      if (customId === undefined) {
        counts.skipped++;
        continue;
      }
      const kind = classes.get(customId);
      if (kind === undefined) counts.missing++;
      else {
        counts[kind]++;
        if (kind === 'missing') counts.notRun++;
      }
    }
    return new ResubmitScan(paths.input, classes, counts);
  }

  /** What a worker thread hands back (see `scans.ts`): the scan as plain data. */
  toData(): ResubmitScanData {
    return { input: this.input, classes: new Map(this.classes), counts: this.counts };
  }

  static fromData(data: ResubmitScanData): ResubmitScan {
    return new ResubmitScan(data.input, data.classes, data.counts);
  }

  /** How many requests `choice` sends again. */
  count(choice: ResubmitChoice): number {
    const { failed, missing } = this.counts;
    return choice === 'both' ? failed + missing : choice === 'failed' ? failed : missing;
  }

  /**
   * Writes the chosen input lines, as they are, to `destination` (through a temporary file
   * renamed into place, so a cancelled write leaves nothing under that name).
   */
  async write(
    choice: ResubmitChoice,
    destination: string,
    options: { signal?: AbortSignal; previewSize?: number } = {},
  ): Promise<ResubmitWriteResult> {
    const { input, classes } = this;
    const previewSize = options.previewSize ?? 5;
    const result: ResubmitWriteResult = { written: 0, preview: [] };
    async function* lines(): AsyncGenerator<string> {
      let piece = '';
      for await (const record of readLineRecords(input)) {
        const text = textOf(record);
        if (text === undefined) continue;
        const customId = customIdOf(text);
        if (customId === undefined || !isChosen(classes.get(customId) ?? 'missing', choice)) continue;
        piece += `${text}\n`;
        result.written++;
        if (result.preview.length < previewSize) result.preview.push(customId);
        if (piece.length >= 256 * 1024) {
          yield piece;
          piece = '';
        }
      }
      if (piece) yield piece;
    }
    const temporary = `${destination}.${randomBytes(8).toString('hex')}.part`;
    try {
      await pipeline(Readable.from(lines()), createWriteStream(temporary, { flags: 'wx' }), { signal: options.signal });
      await rename(temporary, destination);
    } catch (error) {
      await rm(temporary, { force: true });
      if (options.signal?.aborted) throw new ApiError('cancelled', 'Writing the resubmission was cancelled.');
      throw error;
    }
    return result;
  }
}

/**
 * Whether a batch has requests worth sending again: it has stopped, its input file is known,
 * and something failed or did not run (a failed, expired or cancelled batch; failed or
 * unfinished request counts; an error file).
 */
export function canResubmit(batch: Batch): boolean {
  const status = statusOf(batch);
  if (!TERMINAL_STATUSES.has(status) || !fileIdOf(batch, 'input')) return false;
  if (status !== 'completed') return true;
  if (fileIdOf(batch, 'error')) return true;
  const counts = batch.request_counts;
  if (!counts) return false;
  const { total, completed, failed } = counts;
  return (Number(failed) || 0) > 0 || (Number(completed) || 0) + (Number(failed) || 0) < (Number(total) || 0);
}
