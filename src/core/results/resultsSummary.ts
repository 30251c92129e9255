/**
 * What a batch's output and error files add up to, read in one streaming pass: outcomes, HTTP
 * status codes, the commonest error messages and token usage. Each line is read with the
 * results view's own `summarizeResult`, so both say the same about a request; nothing per
 * request is kept, so memory stays bounded however large the files are.
 */

import { plainText } from '../util/text';
import { type LineBuffer, readLineBuffers } from '../util/lineReader';
import type { LineSource } from './resultsJoin';
import { summarizeResult } from './resultsJoin';
import { readingCancelled } from './indexFiles';
import { isBlankBytes, parseResultLine } from './resultLine';
import { isRecord } from '../util/json';

export interface ErrorCount {
  /** The error message (as the results view shows it), cut to {@link ERROR_MESSAGE_MAX} characters and made plain text. */
  message: string;
  count: number;
}

export interface ResultsSummary {
  succeeded: number;
  failed: number;
  /** HTTP status codes of the results that carried one, with how many carried each. */
  statusCodes: Map<number, number>;
  /** Distinct error messages with their counts, commonest first (all of them while under the cap). */
  errors: ErrorCount[];
  /** Failures whose message was not counted separately, because {@link MAX_DISTINCT_ERRORS} were already known. */
  otherErrors: number;
  /** Lines that are not a result (not JSON, no `custom_id`) or too long to read. */
  skipped: number;
  usage: { input: number; output: number; total: number; withUsage: number };
  /** Set when reading stopped at this many lines (`maxLines`), with more left unread: the figures cover only those. */
  stoppedAtLines?: number;
}

/** Distinct error messages counted; further new messages are counted together. */
export const MAX_DISTINCT_ERRORS = 1000;
export const ERROR_MESSAGE_MAX = 200;

/**
 * Streams the output and error lines of a batch (either may be absent) into a {@link ResultsSummary},
 * reading at most `maxLines` lines in all (output first).
 */
export async function summarizeResultFiles(
  files: { output?: LineSource | AsyncIterable<LineBuffer>; error?: LineSource | AsyncIterable<LineBuffer> },
  endpoint?: string | null,
  signal?: AbortSignal,
  maxLines = Infinity,
): Promise<ResultsSummary> {
  const summary: ResultsSummary = {
    succeeded: 0,
    failed: 0,
    statusCodes: new Map(),
    errors: [],
    otherErrors: 0,
    skipped: 0,
    usage: { input: 0, output: 0, total: 0, withUsage: 0 },
  };
  const errorCounts = new Map<string, number>();
  let lines = 0;
  reading: for (const source of [files.output, files.error]) {
    if (!source) continue;
    for await (const item of source) {
      if (signal?.aborted) throw readingCancelled();
      if (lines++ >= maxLines) {
        summary.stoppedAtLines = maxLines;
        break reading;
      }
      const content = typeof item === 'string' ? item : 'text' in item ? item.text : 'length' in item ? item.bytes : item;
      if (typeof content !== 'string' && !Buffer.isBuffer(content)) {
        summary.skipped++;
        continue;
      }
      if (typeof content === 'string' ? content.trim() === '' : isBlankBytes(content)) continue;
      // Bytes: an embedding's numbers are cut out unread (resultLine.ts); the summary reads none of them.
      const parsed = typeof content === 'string' ? parse(content) : parseResultLine(content).value;
      if (!isRecord(parsed) || typeof parsed.custom_id !== 'string') {
        summary.skipped++;
        continue;
      }
      const result = summarizeResult(parsed, endpoint);
      if (result.statusCode !== undefined)
        summary.statusCodes.set(result.statusCode, (summary.statusCodes.get(result.statusCode) ?? 0) + 1);
      if (result.usage) {
        summary.usage.withUsage++;
        summary.usage.input += result.usage.input_tokens ?? 0;
        summary.usage.output += result.usage.output_tokens ?? 0;
        summary.usage.total += result.usage.total_tokens ?? 0;
      }
      if (result.outcome === 'succeeded') {
        summary.succeeded++;
        continue;
      }
      summary.failed++;
      const message = plainText(result.answer ?? 'Failed without a message', ERROR_MESSAGE_MAX);
      const known = errorCounts.get(message);
      if (known !== undefined) errorCounts.set(message, known + 1);
      else if (errorCounts.size < MAX_DISTINCT_ERRORS) errorCounts.set(message, 1);
      else summary.otherErrors++;
    }
  }
  summary.errors = [...errorCounts].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
  return summary;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** {@link summarizeResultFiles} over the files at these paths, read as bytes: what the scan worker runs (see `scans.ts`). */
export function summarizeResultPaths(
  paths: { output?: string; error?: string },
  endpoint?: string | null,
  signal?: AbortSignal,
  maxLines = Infinity,
): Promise<ResultsSummary> {
  return summarizeResultFiles(
    { output: paths.output ? readLineBuffers(paths.output) : undefined, error: paths.error ? readLineBuffers(paths.error) : undefined },
    endpoint,
    signal,
    maxLines,
  );
}
