/**
 * Checks a Batch API input file (JSONL, one request per line) the way the API will, so
 * mistakes show up while typing instead of as a `failed` batch minutes later.
 * Pure: no `vscode`, no I/O; fast enough to run on every keystroke (debounced) for 50,000 lines.
 */

import { isRecord } from '../util/json';
import { BATCH_ENDPOINTS, RETIRED_ENDPOINTS, retiredEndpointNote } from '../api/endpoints';

export const DEFAULT_MAX_REQUESTS = 50_000;
export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
/** An embeddings batch may embed at most this many inputs in all (an array `input` counts each item). */
export const DEFAULT_MAX_EMBEDDING_INPUTS = 50_000;
/** One embeddings request may embed at most this many inputs. */
const MAX_INPUTS_PER_EMBEDDING_REQUEST = 2048;

export type ProblemCode =
  | 'invalidJson'
  | 'notAnObject'
  | 'missingCustomId'
  | 'customIdNotString'
  | 'duplicateCustomId'
  | 'methodNotPost'
  | 'unsupportedUrl'
  | 'mixedUrl'
  | 'retiredEndpoint'
  | 'missingBody'
  | 'missingModel'
  | 'mixedModel'
  | 'missingMessages'
  | 'missingInput'
  | 'invalidInput'
  | 'invalidPrompt'
  | 'tooManyInputs'
  | 'tooManyRequests'
  | 'fileTooLarge';

export interface Problem {
  /** 0-based line in the text. */
  line: number;
  /** 0-based UTF-16 column where the problem starts; absent when it concerns the whole line. */
  column?: number;
  /** 0-based exclusive end column (same line). */
  endColumn?: number;
  severity: 'error' | 'warning';
  code: ProblemCode;
  message: string;
  /** Another line involved (the first use of a duplicated `custom_id`, the line that set the endpoint). */
  relatedLine?: number;
}

export interface ValidationOptions {
  maxRequests?: number;
  maxBytes?: number;
  /** Default 50,000: the inputs an embeddings batch may hold in all. */
  maxEmbeddingInputs?: number;
}

export interface ValidationResult {
  /** Non-empty lines, each one request. */
  requests: number;
  /** The first line's `url`, which the batch's `endpoint` must be. */
  endpoint?: string;
  /** In line order (file-level warnings first). */
  problems: Problem[];
}

/** Endpoints whose requests are checked: today's, and retired ones (warned about, not refused). */
const ENDPOINT_SET: ReadonlySet<string> = new Set([...BATCH_ENDPOINTS, ...RETIRED_ENDPOINTS.keys()]);

/**
 * Whether the text looks like Batch input: its first non-empty line is a JSON object with
 * `custom_id`, `method`, `url` and `body`. Reads only that line.
 */
export function looksLikeBatchInput(text: string): boolean {
  return classifyJsonl(text) === 'batch';
}

/**
 * What the first non-empty line says about a JSONL text: `batch` input, some `other` JSON
 * (a result file, say), or `undecided` (empty, or not JSON yet, as while typing it).
 */
export function classifyJsonl(text: string): 'batch' | 'other' | 'undecided' {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text
      .slice(start, end)
      .replace(/^\uFEFF/, '')
      .trim();
    if (line) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return 'undecided';
      }
      return isRecord(value) && 'custom_id' in value && 'method' in value && 'url' in value && 'body' in value ? 'batch' : 'other';
    }
    start = end + 1;
  }
  return 'undecided';
}

/** Validates every line of a Batch input file. Never throws. */
export function validateBatchInput(text: string, options: ValidationOptions = {}): ValidationResult {
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxEmbeddingInputs = options.maxEmbeddingInputs ?? DEFAULT_MAX_EMBEDDING_INPUTS;
  let embeddingInputs = 0;
  const problems: Problem[] = [];
  const fileProblems: Problem[] = [];
  const firstLineOfId = new Map<string, number>();
  /** Lines of first uses that already point at a duplicate, so each first use gets one problem. */
  const reportedFirstUse = new Set<number>();
  let endpoint: string | undefined;
  let endpointLine = -1;
  const warnedRetired = new Set<string>();
  let model: string | undefined;
  let modelLine = -1;
  let requests = 0;

  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNumber = 0;
  let start = bom;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    // Columns are relative to the line as the editor shows it, which still holds the BOM.
    const offset = lineNumber === 0 ? bom : 0;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    const line = lineNumber;
    start = end + 1;
    lineNumber++;
    if (isBlank(raw)) continue;
    requests++;

    const at = (problem: Omit<Problem, 'line'>): void => {
      const shifted =
        problem.column !== undefined
          ? { ...problem, column: problem.column + offset, endColumn: (problem.endColumn ?? problem.column + 1) + offset }
          : problem;
      problems.push({ line, ...shifted });
    };
    const member = (path: string[]): { column: number; endColumn: number } | undefined => locateMember(raw, path);

    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const position = jsonErrorPosition(error, raw);
      at({
        severity: 'error',
        code: 'invalidJson',
        message: `Not valid JSON: ${jsonErrorText(error)}`,
        ...(position !== undefined ? { column: position, endColumn: position + 1 } : {}),
      });
      continue;
    }
    if (!isRecord(value)) {
      at({
        severity: 'error',
        code: 'notAnObject',
        message: `Each line must be a JSON object (one request), not ${describeJsonType(value)}.`,
      });
      continue;
    }

    const customId = value.custom_id;
    if (customId === undefined || customId === null) {
      at({
        severity: 'error',
        code: 'missingCustomId',
        message: 'Missing "custom_id": every request needs a unique id to match it to its result.',
      });
    } else if (typeof customId !== 'string') {
      at({
        severity: 'error',
        code: 'customIdNotString',
        message: `"custom_id" must be a string, not ${describeJsonType(customId)}.`,
        ...member(['custom_id']),
      });
    } else {
      const first = firstLineOfId.get(customId);
      if (first === undefined) {
        firstLineOfId.set(customId, line);
      } else {
        at({
          severity: 'error',
          code: 'duplicateCustomId',
          message: `Duplicate "custom_id" ${quote(customId)}, first used on line ${first + 1}.`,
          relatedLine: first,
          ...member(['custom_id']),
        });
        if (!reportedFirstUse.has(first)) {
          reportedFirstUse.add(first);
          problems.push({
            line: first,
            severity: 'error',
            code: 'duplicateCustomId',
            message: `"custom_id" ${quote(customId)} is used again on line ${line + 1}.`,
            relatedLine: line,
          });
        }
      }
    }

    if (value.method !== 'POST') {
      const method =
        value.method === undefined ? 'missing' : typeof value.method === 'string' ? quote(value.method) : describeJsonType(value.method);
      at({ severity: 'error', code: 'methodNotPost', message: `"method" must be "POST" (got ${method}).`, ...member(['method']) });
    }

    const url = value.url;
    const supported = typeof url === 'string' && ENDPOINT_SET.has(url);
    if (!supported) {
      const got = typeof url === 'string' ? quote(url) : url === undefined ? 'missing' : describeJsonType(url);
      at({
        severity: 'error',
        code: 'unsupportedUrl',
        message: `"url" must be one of ${BATCH_ENDPOINTS.join(', ')} (got ${got}).`,
        ...member(['url']),
      });
    }
    if (typeof url === 'string') {
      const retired = retiredEndpointNote(url);
      // Once per endpoint, at its first line: the whole file is sent to one endpoint.
      if (retired && !warnedRetired.has(url)) {
        warnedRetired.add(url);
        at({ severity: 'warning', code: 'retiredEndpoint', message: retired, ...member(['url']) });
      }
      if (endpoint === undefined) {
        endpoint = url;
        endpointLine = line;
      } else if (url !== endpoint && supported) {
        at({
          severity: 'error',
          code: 'mixedUrl',
          message: `All requests of a batch must use one endpoint: this line uses ${quote(url)}, line ${endpointLine + 1} uses ${quote(endpoint)}.`,
          relatedLine: endpointLine,
          ...member(['url']),
        });
      }
    }

    const body = value.body;
    if (!isRecord(body)) {
      const got = body === undefined ? 'missing' : describeJsonType(body);
      at({
        severity: 'error',
        code: 'missingBody',
        message: `"body" must be a JSON object with the request parameters (got ${got}).`,
        ...member(['body']),
      });
      continue;
    }
    // The moderations endpoint defaults its model (omni-moderation-latest); every other one needs it named.
    const modelOptional = url === '/v1/moderations' && body.model === undefined;
    if (modelOptional) {
      // Nothing to check, nor to compare with the other lines.
    } else if (typeof body.model !== 'string' || body.model === '') {
      const message =
        body.model === undefined
          ? '"body.model" is missing: every request must name its model.'
          : `"body.model" must be a model name (got ${typeof body.model === 'string' ? 'an empty string' : describeJsonType(body.model)}).`;
      at({ severity: 'error', code: 'missingModel', message, ...(member(['body', 'model']) ?? member(['body'])) });
    } else if (model === undefined) {
      model = body.model;
      modelLine = line;
    } else if (body.model !== model) {
      at({
        severity: 'warning',
        code: 'mixedModel',
        message: `A batch should use one model: this line uses ${quote(body.model)}, line ${modelLine + 1} uses ${quote(model)}.`,
        relatedLine: modelLine,
        ...member(['body', 'model']),
      });
    }
    if (url === '/v1/chat/completions' && !(Array.isArray(body.messages) && body.messages.length > 0)) {
      const got =
        body.messages === undefined ? 'missing' : Array.isArray(body.messages) ? 'an empty array' : describeJsonType(body.messages);
      at({
        severity: 'error',
        code: 'missingMessages',
        message: `"body.messages" must be a non-empty array for ${url} (got ${got}).`,
        ...(member(['body', 'messages']) ?? member(['body'])),
      });
    }
    if (url === '/v1/responses' && (body.input === undefined || body.input === null)) {
      at({
        severity: 'error',
        code: 'missingInput',
        message: `"body.input" is missing: ${url} requests need an input.`,
        ...member(['body']),
      });
    }
    const bodyProblem = typeof url === 'string' ? checkBody(url, body) : undefined;
    if (bodyProblem) at({ severity: 'error', ...bodyProblem, ...(member(['body', bodyProblem.field]) ?? member(['body'])) });
    if (url === '/v1/embeddings') {
      const before = embeddingInputs;
      embeddingInputs += embeddingInputCount(body.input);
      if (before <= maxEmbeddingInputs && embeddingInputs > maxEmbeddingInputs) {
        at({
          severity: 'error',
          code: 'tooManyInputs',
          message: `An embeddings batch may embed at most ${maxEmbeddingInputs.toLocaleString('en-US')} inputs in all; with this line the file has ${embeddingInputs.toLocaleString('en-US')} (each item of an "input" array counts).`,
          ...(member(['body', 'input']) ?? member(['body'])),
        });
      }
    }
  }

  if (requests > maxRequests) {
    fileProblems.push({
      line: 0,
      severity: 'warning',
      code: 'tooManyRequests',
      message: `${requests.toLocaleString('en-US')} requests: a batch may hold at most ${maxRequests.toLocaleString('en-US')}.`,
    });
  }
  const bytes = utf8LengthBeyond(text, maxBytes);
  if (bytes !== undefined) {
    fileProblems.push({
      line: 0,
      severity: 'warning',
      code: 'fileTooLarge',
      message: `The file is ${formatMegabytes(bytes)}: a batch input file may be at most ${formatMegabytes(maxBytes)}.`,
    });
  }
  // Problems on first uses of duplicated ids were added out of line order.
  const ordered = reportedFirstUse.size > 0 ? problems.sort((a, b) => a.line - b.line) : problems;
  return { requests, endpoint, problems: fileProblems.concat(ordered) };
}

/**
 * What the body of a request to `url` holds of the wrong type, for the endpoints whose main
 * parameter is not checked above: the embeddings/moderations `input`, the completions, image and
 * video `prompt`, the image edit's `image`. Missing ones are left to the API, which may default them.
 */
function checkBody(url: string, body: Record<string, unknown>): { code: ProblemCode; message: string; field: string } | undefined {
  const wrong = (code: ProblemCode, field: string, expected: string): { code: ProblemCode; message: string; field: string } => ({
    code,
    field,
    message: `"body.${field}" must be ${expected} for ${url} (got ${describeJsonType(body[field])}).`,
  });
  switch (url) {
    case '/v1/embeddings': {
      const input = body.input;
      if (input === undefined) return undefined;
      if (embeddingInputCount(input) === 0)
        return wrong('invalidInput', 'input', 'a non-empty string or a non-empty array of strings or token arrays');
      if (Array.isArray(input) && input.length > MAX_INPUTS_PER_EMBEDDING_REQUEST && typeof input[0] !== 'number') {
        return {
          code: 'invalidInput',
          field: 'input',
          message: `"body.input" holds ${input.length.toLocaleString('en-US')} inputs: one ${url} request may embed at most ${MAX_INPUTS_PER_EMBEDDING_REQUEST.toLocaleString('en-US')}.`,
        };
      }
      return undefined;
    }
    case '/v1/moderations':
      return body.input === undefined || typeof body.input === 'string' || Array.isArray(body.input)
        ? undefined
        : wrong('invalidInput', 'input', 'a string or an array');
    case '/v1/completions':
      return body.prompt === undefined || typeof body.prompt === 'string' || Array.isArray(body.prompt)
        ? undefined
        : wrong('invalidPrompt', 'prompt', 'a string or an array');
    case '/v1/images/generations':
    case '/v1/images/edits':
    case '/v1/videos':
      if (body.prompt !== undefined && (typeof body.prompt !== 'string' || body.prompt === '')) {
        return wrong('invalidPrompt', 'prompt', 'a non-empty string');
      }
      if (
        url === '/v1/images/edits' &&
        body.image !== undefined &&
        !(typeof body.image === 'string' || Array.isArray(body.image) || isRecord(body.image))
      ) {
        return wrong('invalidInput', 'image', 'an image reference (a URL or data URL, a file id object, or an array of them)');
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * How many inputs an embeddings request's `input` embeds: a string or one token array is one,
 * an array of strings or of token arrays is one per item; 0 when it is empty or of another type.
 */
export function embeddingInputCount(input: unknown): number {
  if (typeof input === 'string') return input === '' ? 0 : 1;
  if (!Array.isArray(input) || input.length === 0) return 0;
  if (input.every((item) => typeof item === 'number')) return 1;
  return input.every((item) => (typeof item === 'string' && item !== '') || (Array.isArray(item) && item.length > 0)) ? input.length : 0;
}

/** `Line 12: Duplicate "custom_id" …` (1-based, for messages to people). */
export function formatProblem(problem: Problem): string {
  return `Line ${problem.line + 1}: ${problem.message}`;
}

export function errorCount(result: ValidationResult): number {
  let count = 0;
  for (const problem of result.problems) if (problem.severity === 'error') count++;
  return count;
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function quote(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 59)}…` : text;
  return JSON.stringify(shown);
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  return `a ${typeof value}`;
}

function jsonErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/\s*\(line \d+ column \d+\)\s*$/, '')
    .replace(/ in JSON at position \d+/, '')
    .replace(/^JSON\.parse: /, '');
}

/** V8 says `… in JSON at position 17`; an unexpected end has no position and points past the text. */
function jsonErrorPosition(error: unknown, line: string): number | undefined {
  const message = error instanceof Error ? error.message : '';
  const match = /at position (\d+)/.exec(message);
  if (match) return Math.min(Number(match[1]), line.length);
  if (/end of JSON input/i.test(message)) return line.trimEnd().length;
  return undefined;
}

/** The UTF-8 size of `text` if it is larger than `limit`, else undefined, without encoding it. */
function utf8LengthBeyond(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes > limit ? bytes : undefined;
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
}

/**
 * Where a member sits in one JSON line: `['body', 'model']` finds the `"model": …` pair inside
 * the top-level `body` object, from its key to the end of its value. Only called for lines that
 * have a problem, so it may scan.
 */
export function locateMember(line: string, path: readonly string[]): { column: number; endColumn: number } | undefined {
  let objectStart = skipSpace(line, 0);
  let found: MemberSpan | undefined;
  for (let depth = 0; depth < path.length; depth++) {
    if (line[objectStart] !== '{') return undefined;
    found = findKey(line, objectStart, path[depth]);
    if (!found) return undefined;
    objectStart = found.valueStart;
  }
  return found && { column: found.column, endColumn: found.endColumn };
}

interface MemberSpan {
  column: number;
  endColumn: number;
  valueStart: number;
}

function findKey(line: string, objectStart: number, key: string): MemberSpan | undefined {
  let i = objectStart + 1;
  for (;;) {
    i = skipSpace(line, i);
    if (line[i] !== '"') return undefined;
    const keyStart = i;
    const keyEnd = skipString(line, i);
    if (keyEnd < 0) return undefined;
    let name: unknown;
    try {
      name = JSON.parse(line.slice(keyStart, keyEnd));
    } catch {
      return undefined;
    }
    i = skipSpace(line, keyEnd);
    if (line[i] !== ':') return undefined;
    const valueStart = skipSpace(line, i + 1);
    const valueEnd = skipValue(line, valueStart);
    if (valueEnd < 0) return undefined;
    if (name === key) return { column: keyStart, endColumn: valueEnd, valueStart };
    i = skipSpace(line, valueEnd);
    if (line[i] !== ',') return undefined;
    i++;
  }
}

function skipSpace(line: string, i: number): number {
  while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r')) i++;
  return i;
}

/** Index just past the string starting at `i` (a `"`), or -1. */
function skipString(line: string, i: number): number {
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`, or -1. */
function skipValue(line: string, i: number): number {
  const c = line[i];
  if (c === '"') return skipString(line, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < line.length; j++) {
      const d = line[j];
      if (d === '"') {
        j = skipString(line, j) - 1;
        if (j < 0) return -1;
      } else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < line.length && !/[\s,}\]]/.test(line[j])) j++;
  return j > i ? j : -1;
}
