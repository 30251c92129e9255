/**
 * Joins a batch's input, output and error JSONL by `custom_id`, one row per request in input
 * order. Output order differs from input order; requests without a result are `missing`.
 * Rows keep only what the table shows, plus where their lines are, so a 1.5 GB output file
 * costs a few hundred bytes per row: the full request and response are read back by offset.
 * The join itself is `ResultsJoiner` (resultsJoiner.ts); this file holds the row types and what a
 * result line comes to. No `vscode` imports.
 */

import { answerSummary } from './answers';
import { formatBytes } from '../util/text';
import type { LineLocation, LineRecord, OversizedLine } from '../util/lineReader';
import { isRecord } from '../util/json';
import { limitDepth } from '../util/jsonDepth';
import type { Outcome } from './resultsQuery';

export type { Outcome };

/** Lines as text (nothing can be read back later) or as records (each row knows where its lines are). */
export type LineSource = Iterable<string | OversizedLine | LineRecord> | AsyncIterable<string | OversizedLine | LineRecord>;

export type ResultFile = 'output' | 'error';

/** Where a request's result is: which file, its 1-based line there, and its bytes. */
export interface ResultLocation extends LineLocation {
  file: ResultFile;
  line: number;
}

/** Token counts, with chat-style `prompt_tokens`/`completion_tokens` read as input/output. */
export interface TokenUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  /** Input tokens read from the prompt cache (`input_tokens_details`/`prompt_tokens_details.cached_tokens`), for cost. */
  cached_tokens?: number;
}

/** One request as the table shows it; its full request and result stay on disk. */
export interface JoinedResult {
  customId: string;
  /** 1-based line of the request in the input file, as editors number lines; -1 when it is not in the input. */
  line: number;
  /** Where the request is in the input file (absent when the input was not read from a file). */
  inputAt?: LineLocation;
  /** Where the result is (absent for a missing result, or when results were not read from a file). */
  resultAt?: ResultLocation;
  statusCode?: number;
  outcome: Outcome;
  /**
   * A one-glance summary: the model's text, an embedding's dimensions and norm, or the error
   * message for failures; at most {@link ANSWER_PREVIEW_CHARS} characters.
   */
  answer?: string;
  /** Set when `answer` was cut: the whole of it is read back from the result line. */
  answerCut?: true;
  usage?: TokenUsage;
  /** Combined results of a chain: which of the index's file sets holds this row's lines (default 0). */
  source?: number;
  /** Combined results of a chain: the attempt the row's outcome comes from (1 = the original). */
  attempt?: number;
  /** Combined results of a chain: how many attempts ran this request. */
  attempts?: number;
  /** Combined results of a chain: the batch the row's outcome comes from. */
  batchId?: string;
  /** A failed row's error group (`errorSummary.resultErrorKey`), for the results view's filter by error. */
  errorKey?: string;
}

export interface SkippedLine {
  file: 'input' | 'output' | 'error';
  /** 1-based. */
  line: number;
  reason: string;
}

export interface JoinReport {
  rows: JoinedResult[];
  counts: Record<Outcome, number> & { unmatched: number };
  /** The first lines that could not be joined (not JSON, no `custom_id`); the rest are still joined. */
  skipped: SkippedLine[];
  /** How many lines were skipped in all. */
  skippedCount: number;
  /** Requests and unmatched results left out because there were more than `maxRows`. */
  overLimit: number;
}

export interface JoinOptions {
  /** The batch's endpoint, which says how to read an answer; without it, answers are recognised by shape. */
  endpoint?: string | null;
  /** Default {@link MAX_ROWS}. */
  maxRows?: number;
}

type Json = Record<string, unknown>;

/** The longest answer a row keeps: enough for the table cell and for search. */
export const ANSWER_PREVIEW_CHARS = 300;

/**
 * Most rows kept: 200,000, four times the 50,000 requests OpenAI allows in a batch. A row costs
 * about half a kilobyte, so a file with millions of lines cannot exhaust the extension host.
 */
export const MAX_ROWS = 200_000;

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function oversized(line: OversizedLine): string {
  return `${formatBytes(line.bytes)}, over the ${formatBytes(line.limit)} line limit`;
}

export function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** What one output/error line says about its request. */
export interface ResultSummary {
  statusCode?: number;
  outcome: 'succeeded' | 'failed';
  /** The whole answer (see {@link JoinedResult.answer}). */
  answer?: string;
  usage?: TokenUsage;
}

/**
 * Reads one output/error line `{id, custom_id, response: {status_code, body} | null, error: {code, message} | null}`;
 * a successful body's answer is `answerSummary`'s, per endpoint.
 */
export function summarizeResult(result: Json, endpoint?: string | null): ResultSummary {
  const response = isRecord(result.response) ? result.response : undefined;
  const statusCode = finiteNumber(response?.status_code);
  const body = response?.body;
  const error = result.error ?? undefined;
  const ok = error === undefined && statusCode !== undefined && statusCode >= 200 && statusCode < 300;
  const summary: ResultSummary = { outcome: ok ? 'succeeded' : 'failed' };
  if (statusCode !== undefined) summary.statusCode = statusCode;
  const answer = ok ? answerSummary(endpoint, body) : failureMessage(error, body, statusCode);
  if (answer !== undefined) summary.answer = answer;
  const usage = isRecord(body) ? usageOf(body.usage) : undefined;
  if (usage) summary.usage = usage;
  return summary;
}

export function applyResult(row: JoinedResult, result: Json, endpoint: string | null | undefined): void {
  const { statusCode, outcome, answer, usage } = summarizeResult(result, endpoint);
  row.statusCode = statusCode;
  row.outcome = outcome;
  if (answer !== undefined && answer.length > ANSWER_PREVIEW_CHARS) {
    row.answer = detached(`${answer.slice(0, ANSWER_PREVIEW_CHARS - 1)}…`);
    row.answerCut = true;
  } else {
    row.answer = answer;
  }
  if (usage) row.usage = usage;
}

/**
 * A copy of `text` that shares no memory with the string it was cut from: V8 keeps a slice as
 * a view of its parent, so a 300-character preview could otherwise hold a whole answer.
 */
function detached(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function failureMessage(error: unknown, body: unknown, statusCode: number | undefined): string {
  const fromError = isRecord(error) && typeof error.message === 'string' && error.message ? error.message : undefined;
  const bodyError = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const fromBody = typeof bodyError?.message === 'string' && bodyError.message ? bodyError.message : undefined;
  const code =
    isRecord(error) && typeof error.code === 'string' ? error.code : typeof bodyError?.code === 'string' ? bodyError.code : undefined;
  const message = fromError ?? fromBody;
  if (message) return code && !message.includes(code) ? `${message} (${code})` : message;
  if (statusCode !== undefined) return `HTTP ${statusCode}`;
  return code ?? 'Failed without a response';
}

/** Normalizes `usage` from chat/completions (`prompt_tokens`…) and responses/embeddings (`input_tokens`…). */
export function usageOf(value: unknown): TokenUsage | undefined {
  if (!isRecord(value)) return undefined;
  const input = finiteNumber(value.input_tokens) ?? finiteNumber(value.prompt_tokens);
  const output = finiteNumber(value.output_tokens) ?? finiteNumber(value.completion_tokens);
  const total = finiteNumber(value.total_tokens) ?? (input !== undefined && output !== undefined ? input + output : input);
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const usage: TokenUsage = {};
  if (input !== undefined) usage.input_tokens = input;
  if (output !== undefined) usage.output_tokens = output;
  if (total !== undefined) usage.total_tokens = total;
  const details = isRecord(value.input_tokens_details)
    ? value.input_tokens_details
    : isRecord(value.prompt_tokens_details)
      ? value.prompt_tokens_details
      : undefined;
  const cached = finiteNumber(details?.cached_tokens);
  if (cached !== undefined) usage.cached_tokens = cached;
  return usage;
}

/** How one embedding reads in the expanded row: `[1536 dimensions · norm 1.000]`, as the answer column says it. */
function describeEmbedding(value: unknown): string | undefined {
  if (!Array.isArray(value) && typeof value !== 'string') return undefined;
  const summary = answerSummary('/v1/embeddings', { data: [{ embedding: value }] });
  return summary?.includes('dimension') ? `[${summary}]` : undefined;
}

/**
 * A JSON value as the expanded row shows it: indented, cut below {@link limitDepth}, each
 * embedding replaced by its dimensions and norm, and other long number arrays shortened.
 * Exports keep the values whole.
 */
export function readableJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(
    limitDepth(value),
    (key, item: unknown) => {
      const embedding = key === 'embedding' ? describeEmbedding(item) : undefined;
      if (embedding) return embedding;
      if (Array.isArray(item) && item.length > 16 && item.every((n) => typeof n === 'number')) {
        return `[${item.slice(0, 8).join(', ')}, … ${item.length} numbers in all]`;
      }
      return item;
    },
    2,
  );
}

const CSV_COLUMNS = ['custom_id', 'line', 'outcome', 'status_code', 'answer', 'input_tokens', 'output_tokens', 'total_tokens'] as const;

/** The header line of a CSV export, with its CRLF. */
export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

/**
 * RFC 4180 CSV (CRLF, quotes doubled), with a header row unless `header` is false. Text cells
 * that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) get a leading `'`, since
 * answers are model output. Writes each row's `answer` as it is: an export puts the whole
 * answer back into a row whose preview was cut.
 */
export function toCsv(rows: Iterable<JoinedResult>, header = true): string {
  let text = header ? CSV_HEADER : '';
  for (const row of rows) {
    text += `${[
      csvText(row.customId),
      String(row.line),
      row.outcome,
      csvNumber(row.statusCode),
      csvText(row.answer ?? ''),
      csvNumber(row.usage?.input_tokens),
      csvNumber(row.usage?.output_tokens),
      csvNumber(row.usage?.total_tokens),
    ].join(',')}\r\n`;
  }
  return text;
}

/** A number cell: empty when there is none. */
export function csvNumber(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

/**
 * A text cell: a leading `'` before what a spreadsheet would run as a formula, quoted when it
 * holds a quote, comma, line break or edge whitespace. Every CSV export writes text through it.
 */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A row's request and result lines, read back and parsed: what a JSONL export writes whole. */
export interface FullResult {
  /** The input line (`{custom_id, method, url, body}`). */
  request?: unknown;
  /** The result line's `response` (`{status_code, request_id, body}`). */
  response?: unknown;
  /** The result line's `error`, when it has one. */
  error?: unknown;
  /** The whole answer. */
  answer?: string;
}

/**
 * One JSON object per row, with the full request, response and error of rows that carry them
 * (values nested too deep to write cut by {@link limitDepth}).
 */
export function toJsonl(rows: Iterable<JoinedResult & FullResult>): string {
  let text = '';
  for (const row of rows) {
    const record = {
      custom_id: row.customId,
      line: row.line,
      outcome: row.outcome,
      status_code: row.statusCode ?? null,
      answer: row.answer ?? null,
      usage: row.usage ?? null,
      request: row.request ?? null,
      response: row.response ?? null,
      error: row.error ?? null,
      ...(row.attempt !== undefined && { attempt: row.attempt, attempts: row.attempts ?? 1, batch_id: row.batchId ?? null }),
    };
    text += `${JSON.stringify(limitDepth(record))}\n`;
  }
  return text;
}
