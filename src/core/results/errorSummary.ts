/**
 * Why requests failed, grouped: the lines of a batch's error file, the non-2xx lines of its
 * output file and its validation errors (`errors.data[]`), grouped by code and message with a
 * count, a few example custom_ids and (for validation errors) line numbers. Lines are fed one at
 * a time (e.g. from `readLines`), and memory is bounded by {@link MAX_ERROR_GROUPS}, not by the
 * size of the files. No Node or `vscode` imports.
 */

import { batchErrorItems } from '../batches/batchFacts';
import { ApiError } from '../api/errors';
import { isRecord } from '../util/json';
import type { OversizedLine } from '../util/lineReader';
import type { Batch } from '../api/types';

/** Distinct groups kept; failures of further kinds are counted in {@link ErrorSummary.otherCount}. */
export const MAX_ERROR_GROUPS = 100;
/** Example custom_ids kept per group. */
export const MAX_EXAMPLES = 3;
/** Line numbers kept per validation group (all are counted). */
export const MAX_LINES = 10;
/** Longest message kept: a group's message is shown, never a whole response body. */
export const MAX_MESSAGE_CHARS = 300;

export type ErrorSource = 'request' | 'validation';

/** One kind of failure. */
export interface ErrorGroup {
  /** Which rows of the results view this group is (`request` groups); see {@link errorKeyOf}. */
  key: string;
  source: ErrorSource;
  /** `rate_limit_exceeded`, `invalid_request_error`, `HTTP 500`… */
  code: string;
  /** The first message of the group, as it was (one line, cut); others differ from it at most in ids, quoted values and numbers. */
  message: string;
  count: number;
  /** Up to {@link MAX_EXAMPLES} custom_ids, in file order. */
  examples: string[];
  /** Validation errors: up to {@link MAX_LINES} 1-based input line numbers, in order. */
  lines: number[];
}

export interface ErrorSummary {
  /** Largest first; ties in the order they were first seen. */
  groups: ErrorGroup[];
  /** Failures counted, in groups and beyond them. */
  total: number;
  /** Failures of kinds beyond the first {@link MAX_ERROR_GROUPS}. */
  otherCount: number;
  /** Lines that were not JSON objects (or too long to read); counted, not grouped. */
  unreadable: number;
}

/** The code and message of a failed request's result line; undefined when it did not fail. */
export function failureOf(result: Record<string, unknown>): { code: string; message: string } | undefined {
  const response = isRecord(result.response) ? result.response : undefined;
  const status = typeof response?.status_code === 'number' ? response.status_code : undefined;
  const error = isRecord(result.error) ? result.error : undefined;
  if (!error && status !== undefined && status >= 200 && status < 300) return undefined;
  const body = response?.body;
  const bodyError = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const source = error ?? bodyError;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  const code =
    text(source?.code) ??
    text(source?.type) ??
    text(bodyError?.code) ??
    text(bodyError?.type) ??
    (status !== undefined ? `HTTP ${status}` : 'error');
  const message = text(source?.message) ?? text(bodyError?.message) ?? '';
  return { code, message };
}

/**
 * A message as grouped: one line, without the parts that vary per request (ids, quoted values
 * and numbers), so "Request req_1 timed out" and "Request req_2 timed out" are one group.
 */
export function normalizeMessage(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  const generic = oneLine
    .replace(/'[^']{0,200}'|"[^"]{0,200}"|`[^`]{0,200}`/g, '…')
    .replace(/\b[A-Za-z]+_[A-Za-z0-9]{6,}\b/g, '…')
    .replace(/\d+(?:\.\d+)?/g, 'N');
  return cut(generic, MAX_MESSAGE_CHARS);
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The key of a failure's group, shared by the summary and the results view's filter. */
export function errorKeyOf(code: string, message: string): string {
  return `${groupCode(code)}\u0000${normalizeMessage(message)}`;
}

function groupCode(code: string): string {
  return cut(code.replace(/\s+/g, ' '), 100);
}

/** The group key of a result line (parsed), or undefined when its request did not fail. */
export function resultErrorKey(result: Record<string, unknown>): string | undefined {
  const failure = failureOf(result);
  return failure && errorKeyOf(failure.code, failure.message);
}

/** How a group reads: `412 × rate_limit_exceeded`, `3 × invalid_request_error: …`. */
export function errorGroupLabel(group: Pick<ErrorGroup, 'count' | 'code' | 'message'>): string {
  const message = group.message && group.message !== group.code ? `: ${group.message}` : '';
  return `${group.count.toLocaleString('en-US')} × ${group.code}${message}`;
}

/** Collects failures one at a time; {@link summary} gives the groups so far. */
export class ErrorGrouper {
  private readonly groups = new Map<string, ErrorGroup>();
  private total = 0;
  private otherCount = 0;
  private unreadable = 0;

  /** Adds every validation error of `batch.errors.data` (an array, or Azure's one object). */
  addBatchErrors(batch: Pick<Batch, 'errors'>): void {
    for (const error of batchErrorItems(batch)) {
      this.add('validation', error.code?.trim() ?? 'validation_error', error.message ?? '', undefined, error.line);
    }
  }

  /**
   * Adds one line of an error or output file: counted when it is a failed request's result,
   * ignored when it succeeded or is blank.
   */
  addResultLine(line: string | OversizedLine): void {
    if (typeof line !== 'string') {
      this.unreadable++;
      return;
    }
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (!isRecord(value)) {
      this.unreadable++;
      return;
    }
    const failure = failureOf(value);
    if (!failure) return;
    const customId = typeof value.custom_id === 'string' ? value.custom_id : undefined;
    this.add('request', failure.code, failure.message, customId);
  }

  summary(): ErrorSummary {
    const groups = [...this.groups.values()].sort((a, b) => b.count - a.count);
    return { groups, total: this.total, otherCount: this.otherCount, unreadable: this.unreadable };
  }

  private add(source: ErrorSource, code: string, message: string, customId?: string, line?: number): void {
    this.total++;
    const errorKey = errorKeyOf(code, message);
    const key = `${source === 'validation' ? 'v' : 'r'}\u0001${errorKey}`;
    let group = this.groups.get(key);
    if (!group) {
      if (this.groups.size >= MAX_ERROR_GROUPS) {
        this.otherCount++;
        return;
      }
      const shown = cut(message.replace(/\s+/g, ' ').trim(), MAX_MESSAGE_CHARS);
      group = { key: errorKey, source, code: groupCode(code), message: shown, count: 0, examples: [], lines: [] };
      this.groups.set(key, group);
    }
    group.count++;
    if (customId !== undefined && group.examples.length < MAX_EXAMPLES && !group.examples.includes(customId)) {
      group.examples.push(cut(customId, 200));
    }
    if (line !== undefined && group.lines.length < MAX_LINES) group.lines.push(line);
  }
}

/**
 * Groups the failures of a batch: its validation errors, then the lines of each source (its
 * error file, then its output file, whose 2xx lines are skipped). Sources are read one line at
 * a time; `signal` stops between lines.
 */
export async function summarizeErrors(
  batch: Pick<Batch, 'errors'>,
  sources: (Iterable<string | OversizedLine> | AsyncIterable<string | OversizedLine>)[],
  signal?: AbortSignal,
): Promise<ErrorSummary> {
  const grouper = new ErrorGrouper();
  grouper.addBatchErrors(batch);
  for (const source of sources) {
    for await (const line of source) {
      if (signal?.aborted) throw new ApiError('cancelled', 'Grouping the errors was cancelled.');
      grouper.addResultLine(line);
    }
  }
  return grouper.summary();
}
