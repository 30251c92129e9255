/**
 * Joins a batch's input, output and error JSONL by `custom_id`, one row per request in input
 * order. Output order differs from input order; requests without a result are `missing`.
 * Pure (no Node or `vscode` imports) so the webview page can share its types; callers feed
 * it lines, e.g. from `readLines` in `lineReader.ts`.
 */

import { formatBytes } from './format';
import { isRecord } from './json';
import { limitDepth } from './jsonDepth';

/** A line that was not read because it is longer than the reader's limit: only its size is known. */
export interface OversizedLine {
  bytes: number;
  limit: number;
}

export type LineSource = Iterable<string | OversizedLine> | AsyncIterable<string | OversizedLine>;

export type Outcome = 'succeeded' | 'failed' | 'missing';

/** Token counts, with chat-style `prompt_tokens`/`completion_tokens` read as input/output. */
export interface TokenUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
}

export interface JoinedResult {
  customId: string;
  /** 1-based line of the request in the input file, as editors number lines; -1 when it is not in the input. */
  line: number;
  /** The input line (`{custom_id, method, url, body}`). */
  request?: unknown;
  statusCode?: number;
  outcome: Outcome;
  /** A one-glance summary: the model's text, `embedding dims: N`, or the error message for failures. */
  answer?: string;
  usage?: TokenUsage;
  /** The result line's `response` (`{status_code, request_id, body}`). */
  response?: unknown;
  /** The result line's `error`, when it has one. */
  error?: unknown;
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
}

type Json = Record<string, unknown>;

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** At most this many skipped lines are listed; all are counted. */
const MAX_SKIPPED_LISTED = 100;

/**
 * Joins input, output and error lines. Any source may be absent (an input file the provider
 * will not serve, a batch with only an error file): without the input, rows follow result order.
 */
export async function joinResults(input?: LineSource, output?: LineSource, error?: LineSource): Promise<JoinReport> {
  const rows: JoinedResult[] = [];
  const skipped: SkippedLine[] = [];
  let skippedCount = 0;
  const skip = (entry: SkippedLine): void => {
    if (skippedCount++ < MAX_SKIPPED_LISTED) skipped.push(entry);
  };
  /** custom_id → row index; an id used on several input lines maps to all of them, in order. */
  const byId = new Map<string, number | number[]>();

  if (input) {
    let lineNumber = 0;
    for await (const text of input) {
      lineNumber++;
      if (typeof text !== 'string') {
        skip({ file: 'input', line: lineNumber, reason: oversized(text) });
        continue;
      }
      if (isBlank(text)) continue;
      const request = parseLine(text);
      if (!isRecord(request) || typeof request.custom_id !== 'string') {
        skip({ file: 'input', line: lineNumber, reason: isRecord(request) ? 'no string custom_id' : 'not a JSON object' });
        continue;
      }
      const index = rows.push({ customId: request.custom_id, line: lineNumber, request, outcome: 'missing' }) - 1;
      const known = byId.get(request.custom_id);
      if (known === undefined) byId.set(request.custom_id, index);
      else byId.set(request.custom_id, Array.isArray(known) ? [...known, index] : [known, index]);
    }
  }

  let unmatched = 0;
  const place = (result: Json, customId: string): void => {
    const known = byId.get(customId);
    const candidates = known === undefined ? [] : Array.isArray(known) ? known : [known];
    const index = candidates.find((i) => rows[i].outcome === 'missing');
    const row: JoinedResult = index !== undefined ? rows[index] : { customId, line: -1, outcome: 'missing' };
    applyResult(row, result);
    if (index === undefined) {
      rows.push(row);
      unmatched++;
    }
  };

  for (const [file, source] of [
    ['output', output],
    ['error', error],
  ] as const) {
    if (!source) continue;
    let lineNumber = 0;
    for await (const text of source) {
      lineNumber++;
      if (typeof text !== 'string') {
        skip({ file, line: lineNumber, reason: oversized(text) });
        continue;
      }
      if (isBlank(text)) continue;
      const result = parseLine(text);
      if (!isRecord(result) || typeof result.custom_id !== 'string') {
        skip({ file, line: lineNumber, reason: isRecord(result) ? 'no string custom_id' : 'not a JSON object' });
        continue;
      }
      place(result, result.custom_id);
    }
  }

  const counts = { succeeded: 0, failed: 0, missing: 0, unmatched };
  for (const row of rows) counts[row.outcome]++;
  return { rows, counts, skipped, skippedCount };
}

function oversized(line: OversizedLine): string {
  return `${formatBytes(line.bytes)}, over the ${formatBytes(line.limit)} line limit`;
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Fills a row from one output/error line `{id, custom_id, response: {status_code, body} | null, error: {code, message} | null}`. */
function applyResult(row: JoinedResult, result: Json): void {
  const response = isRecord(result.response) ? result.response : undefined;
  const statusCode = finiteNumber(response?.status_code);
  const body = response?.body;
  const error = result.error ?? undefined;
  const ok = error === undefined && statusCode !== undefined && statusCode >= 200 && statusCode < 300;
  row.statusCode = statusCode;
  row.response = response;
  if (error !== undefined) row.error = error;
  row.outcome = ok ? 'succeeded' : 'failed';
  row.answer = ok ? answerOf(body) : failureMessage(error, body, statusCode);
  const usage = isRecord(body) ? usageOf(body.usage) : undefined;
  if (usage) row.usage = usage;
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
  return usage;
}

/**
 * The gist of a successful response body, recognised by shape so it works whatever the endpoint:
 * chat and legacy completions, Responses API, embeddings, moderations, images, videos.
 */
export function answerOf(body: unknown): string | undefined {
  if (!isRecord(body)) return typeof body === 'string' ? body : undefined;
  if (Array.isArray(body.choices)) {
    const choice: unknown = body.choices[0];
    if (!isRecord(choice)) return undefined;
    if (isRecord(choice.message)) return messageText(choice.message);
    if (typeof choice.text === 'string') return choice.text;
    return undefined;
  }
  if (typeof body.output_text === 'string') return body.output_text;
  if (Array.isArray(body.output)) return responsesText(body.output);
  if (Array.isArray(body.data)) {
    const first: unknown = body.data[0];
    if (isRecord(first) && 'embedding' in first) {
      const dims = Array.isArray(first.embedding)
        ? first.embedding.length
        : typeof first.embedding === 'string'
          ? base64Floats(first.embedding)
          : undefined;
      const prefix = body.data.length > 1 ? `${body.data.length} embeddings, ` : '';
      return dims !== undefined ? `${prefix}embedding dims: ${dims}` : `${prefix}embedding`;
    }
    if (isRecord(first) && ('url' in first || 'b64_json' in first)) return `${body.data.length} image${body.data.length === 1 ? '' : 's'}`;
    return undefined;
  }
  if (Array.isArray(body.results)) {
    const first: unknown = body.results[0];
    if (!isRecord(first)) return undefined;
    if (first.flagged !== true) return 'not flagged';
    const categories = isRecord(first.categories)
      ? Object.entries(first.categories)
          .filter(([, on]) => on === true)
          .map(([name]) => name)
      : [];
    return categories.length ? `flagged: ${categories.join(', ')}` : 'flagged';
  }
  if (body.object === 'video' && typeof body.id === 'string')
    return `video ${body.id}${typeof body.status === 'string' ? ` (${body.status})` : ''}`;
  return undefined;
}

function messageText(message: Json): string | undefined {
  const content = message.content;
  if (typeof content === 'string' && content) return content;
  if (Array.isArray(content)) {
    const text = content.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
    if (text) return text;
  }
  if (typeof message.refusal === 'string' && message.refusal) return `refusal: ${message.refusal}`;
  if (Array.isArray(message.tool_calls) && message.tool_calls.length) {
    return message.tool_calls
      .map((call) => (isRecord(call) && isRecord(call.function) ? toolCall(call.function.name, call.function.arguments) : 'tool call'))
      .join('; ');
  }
  return typeof content === 'string' ? content : undefined;
}

function responsesText(output: unknown[]): string | undefined {
  const texts: string[] = [];
  const calls: string[] = [];
  for (const item of output) {
    if (!isRecord(item)) continue;
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (!isRecord(part)) continue;
        if (part.type === 'output_text' && typeof part.text === 'string') texts.push(part.text);
        else if (part.type === 'refusal' && typeof part.refusal === 'string') texts.push(`refusal: ${part.refusal}`);
      }
    } else if (item.type === 'function_call') {
      calls.push(toolCall(item.name, item.arguments));
    }
  }
  if (texts.length) return texts.join('\n');
  return calls.length ? calls.join('; ') : undefined;
}

function toolCall(name: unknown, args: unknown): string {
  return `tool call: ${typeof name === 'string' ? name : '?'}(${typeof args === 'string' ? args : ''})`;
}

/** Dimensions of a base64-encoded float32 embedding (`encoding_format: "base64"`). */
function base64Floats(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor(((text.length * 3) / 4 - padding) / 4);
}

const CSV_COLUMNS = ['custom_id', 'line', 'outcome', 'status_code', 'answer', 'input_tokens', 'output_tokens', 'total_tokens'] as const;

/**
 * RFC 4180 CSV (CRLF, quotes doubled) with a header row. Text cells that a spreadsheet would run
 * as a formula (`=`, `+`, `-`, `@` first) get a leading `'`, since answers are model output.
 */
export function toCsv(rows: Iterable<JoinedResult>): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      [
        csvText(row.customId),
        String(row.line),
        row.outcome,
        csvNumber(row.statusCode),
        csvText(row.answer ?? ''),
        csvNumber(row.usage?.input_tokens),
        csvNumber(row.usage?.output_tokens),
        csvNumber(row.usage?.total_tokens),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvNumber(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One JSON object per row, with the full request, response and error (values nested too deep to write cut by {@link limitDepth}). */
export function toJsonl(rows: Iterable<JoinedResult>): string {
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
    };
    text += `${JSON.stringify(limitDepth(record))}\n`;
  }
  return text;
}
