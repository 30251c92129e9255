/**
 * Checks a Batch API input file (JSONL, one request per line) the way the API will, so
 * mistakes show up while typing instead of as a `failed` batch minutes later.
 * Pure: no `vscode`, no I/O; fast enough to run on every keystroke (debounced) for 50,000 lines.
 */

import { isRecord } from '../util/json';
import { locateMember } from './jsonMember';
import {
  checkCustomId,
  checkEndpointFields,
  checkMethod,
  checkModel,
  checkUrl,
  countEmbeddingInputs,
  InputState,
  type LineReport,
  parseRequest,
  type Problem,
  requestBody,
} from './requestChecks';

export { embeddingInputCount, type Problem, type ProblemCode } from './requestChecks';

export const DEFAULT_MAX_REQUESTS = 50_000;
export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
/** An embeddings batch may embed at most this many inputs in all (an array `input` counts each item). */
export const DEFAULT_MAX_EMBEDDING_INPUTS = 50_000;

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
  const problems: Problem[] = [];
  const state = new InputState(problems, options.maxEmbeddingInputs ?? DEFAULT_MAX_EMBEDDING_INPUTS);
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
    checkRequest(raw, lineReport(problems, line, offset, raw), state);
  }

  const fileProblems = checkFile(text, requests, options);
  // Problems on first uses of duplicated ids were added out of line order.
  const ordered = state.reportedFirstUse.size > 0 ? problems.sort((a, b) => a.line - b.line) : problems;
  return { requests, endpoint: state.endpoint, problems: fileProblems.concat(ordered) };
}

/** Every check of one request line, in the order their problems are listed. */
function checkRequest(raw: string, report: LineReport, state: InputState): void {
  const value = parseRequest(raw, report);
  if (!value) return;
  checkCustomId(value.custom_id, report, state);
  checkMethod(value.method, report);
  checkUrl(value.url, report, state);
  const body = requestBody(value.body, report);
  if (!body) return;
  checkModel(value.url, body, report, state);
  checkEndpointFields(value.url, body, report);
  countEmbeddingInputs(value.url, body, report, state);
}

/** Problems of line `line` go into `problems`, their columns shifted by `offset` (the BOM on the first line). */
function lineReport(problems: Problem[], line: number, offset: number, raw: string): LineReport {
  return {
    line,
    at: (problem) => {
      const shifted =
        problem.column !== undefined
          ? { ...problem, column: problem.column + offset, endColumn: (problem.endColumn ?? problem.column + 1) + offset }
          : problem;
      problems.push({ line, ...shifted });
    },
    member: (path) => locateMember(raw, path),
  };
}

/** The whole file's limits: requests and bytes (warnings, listed first). */
function checkFile(text: string, requests: number, options: ValidationOptions): Problem[] {
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const fileProblems: Problem[] = [];
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
  return fileProblems;
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
