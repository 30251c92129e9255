/**
 * The checks of one request line of a Batch input file, in the order their problems are listed.
 * {@link validateBatchInput} (jsonlValidation.ts) runs them line by line; what they must remember
 * across lines (ids seen, the endpoint and model of the first line, embeddings counted) is an
 * {@link InputState}.
 */

import { isRecord } from '../util/json';
import { BATCH_ENDPOINTS, RETIRED_ENDPOINTS, retiredEndpointNote } from '../api/endpoints';

/** One request may embed at most this many inputs. */
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

/** Where the checks of one line report: `at` places a problem on the line, `member` finds a member's columns. */
export interface LineReport {
  /** 0-based line number. */
  line: number;
  readonly at: (problem: Omit<Problem, 'line'>) => void;
  readonly member: (path: string[]) => { column: number; endColumn: number } | undefined;
}

/** What the checks remember from line to line. */
export class InputState {
  readonly firstLineOfId = new Map<string, number>();
  /** Lines of first uses that already point at a duplicate, so each first use gets one problem. */
  readonly reportedFirstUse = new Set<number>();
  endpoint: string | undefined;
  endpointLine = -1;
  readonly warnedRetired = new Set<string>();
  model: string | undefined;
  modelLine = -1;
  embeddingInputs = 0;

  constructor(
    /** Problems placed on earlier lines (a first use of a duplicated id), in with the others. */
    readonly problems: Problem[],
    readonly maxEmbeddingInputs: number,
  ) {}
}

/** Endpoints whose requests are checked: today's, and retired ones (warned about, not refused). */
const ENDPOINT_SET: ReadonlySet<string> = new Set([...BATCH_ENDPOINTS, ...RETIRED_ENDPOINTS.keys()]);

/** The line as a JSON object, or undefined after reporting why it is not one. */
export function parseRequest(raw: string, report: LineReport): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    const position = jsonErrorPosition(error, raw);
    report.at({
      severity: 'error',
      code: 'invalidJson',
      message: `Not valid JSON: ${jsonErrorText(error)}`,
      ...(position !== undefined ? { column: position, endColumn: position + 1 } : {}),
    });
    return undefined;
  }
  if (!isRecord(value)) {
    report.at({
      severity: 'error',
      code: 'notAnObject',
      message: `Each line must be a JSON object (one request), not ${describeJsonType(value)}.`,
    });
    return undefined;
  }
  return value;
}

/** `custom_id`: present, a string, and not used on an earlier line (both lines get a problem). */
export function checkCustomId(customId: unknown, report: LineReport, state: InputState): void {
  const { at, member, line } = report;
  if (customId === undefined || customId === null) {
    at({
      severity: 'error',
      code: 'missingCustomId',
      message: 'Missing "custom_id": every request needs a unique id to match it to its result.',
    });
    return;
  }
  if (typeof customId !== 'string') {
    at({
      severity: 'error',
      code: 'customIdNotString',
      message: `"custom_id" must be a string, not ${describeJsonType(customId)}.`,
      ...member(['custom_id']),
    });
    return;
  }
  const first = state.firstLineOfId.get(customId);
  if (first === undefined) {
    state.firstLineOfId.set(customId, line);
    return;
  }
  at({
    severity: 'error',
    code: 'duplicateCustomId',
    message: `Duplicate "custom_id" ${quote(customId)}, first used on line ${first + 1}.`,
    relatedLine: first,
    ...member(['custom_id']),
  });
  if (!state.reportedFirstUse.has(first)) {
    state.reportedFirstUse.add(first);
    state.problems.push({
      line: first,
      severity: 'error',
      code: 'duplicateCustomId',
      message: `"custom_id" ${quote(customId)} is used again on line ${line + 1}.`,
      relatedLine: line,
    });
  }
}

export function checkMethod(method: unknown, report: LineReport): void {
  if (method === 'POST') return;
  const got = method === undefined ? 'missing' : typeof method === 'string' ? quote(method) : describeJsonType(method);
  report.at({ severity: 'error', code: 'methodNotPost', message: `"method" must be "POST" (got ${got}).`, ...report.member(['method']) });
}

/** `url`: one of the batch endpoints, and the same as the first line's (which sets the batch's endpoint). */
export function checkUrl(url: unknown, report: LineReport, state: InputState): void {
  const supported = typeof url === 'string' && ENDPOINT_SET.has(url);
  if (!supported) {
    const got = typeof url === 'string' ? quote(url) : url === undefined ? 'missing' : describeJsonType(url);
    report.at({
      severity: 'error',
      code: 'unsupportedUrl',
      message: `"url" must be one of ${BATCH_ENDPOINTS.join(', ')} (got ${got}).`,
      ...report.member(['url']),
    });
  }
  if (typeof url !== 'string') return;
  const retired = retiredEndpointNote(url);
  // Once per endpoint, at its first line: the whole file is sent to one endpoint.
  if (retired && !state.warnedRetired.has(url)) {
    state.warnedRetired.add(url);
    report.at({ severity: 'warning', code: 'retiredEndpoint', message: retired, ...report.member(['url']) });
  }
  if (state.endpoint === undefined) {
    state.endpoint = url;
    state.endpointLine = report.line;
  } else if (url !== state.endpoint && supported) {
    report.at({
      severity: 'error',
      code: 'mixedUrl',
      message: `All requests of a batch must use one endpoint: this line uses ${quote(url)}, line ${state.endpointLine + 1} uses ${quote(state.endpoint)}.`,
      relatedLine: state.endpointLine,
      ...report.member(['url']),
    });
  }
}

/** `body` as an object, or undefined after reporting it (the body's own checks are then skipped). */
export function requestBody(body: unknown, report: LineReport): Record<string, unknown> | undefined {
  if (isRecord(body)) return body;
  const got = body === undefined ? 'missing' : describeJsonType(body);
  report.at({
    severity: 'error',
    code: 'missingBody',
    message: `"body" must be a JSON object with the request parameters (got ${got}).`,
    ...report.member(['body']),
  });
  return undefined;
}

/** `body.model`: named (but for moderations, which default it), and the same on every line (a warning). */
export function checkModel(url: unknown, body: Record<string, unknown>, report: LineReport, state: InputState): void {
  const { at, member } = report;
  // The moderations endpoint defaults its model (omni-moderation-latest); every other one needs it named.
  if (url === '/v1/moderations' && body.model === undefined) return;
  if (typeof body.model !== 'string' || body.model === '') {
    const message =
      body.model === undefined
        ? '"body.model" is missing: every request must name its model.'
        : `"body.model" must be a model name (got ${typeof body.model === 'string' ? 'an empty string' : describeJsonType(body.model)}).`;
    at({ severity: 'error', code: 'missingModel', message, ...(member(['body', 'model']) ?? member(['body'])) });
  } else if (state.model === undefined) {
    state.model = body.model;
    state.modelLine = report.line;
  } else if (body.model !== state.model) {
    at({
      severity: 'warning',
      code: 'mixedModel',
      message: `A batch should use one model: this line uses ${quote(body.model)}, line ${state.modelLine + 1} uses ${quote(state.model)}.`,
      relatedLine: state.modelLine,
      ...member(['body', 'model']),
    });
  }
}

/** What the endpoint needs in the body: chat `messages`, a responses `input`, and the parameters {@link bodyProblem} checks. */
export function checkEndpointFields(url: unknown, body: Record<string, unknown>, report: LineReport): void {
  const { at, member } = report;
  if (url === '/v1/chat/completions' && !(Array.isArray(body.messages) && body.messages.length > 0)) {
    const got = body.messages === undefined ? 'missing' : Array.isArray(body.messages) ? 'an empty array' : describeJsonType(body.messages);
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
  const problem = typeof url === 'string' ? bodyProblem(url, body) : undefined;
  if (problem) at({ severity: 'error', ...problem, ...(member(['body', problem.field]) ?? member(['body'])) });
}

/** The embeddings of the whole file, counted line by line: the line that passes the limit gets the problem. */
export function countEmbeddingInputs(url: unknown, body: Record<string, unknown>, report: LineReport, state: InputState): void {
  if (url !== '/v1/embeddings') return;
  const before = state.embeddingInputs;
  state.embeddingInputs += embeddingInputCount(body.input);
  const max = state.maxEmbeddingInputs;
  if (before <= max && state.embeddingInputs > max) {
    report.at({
      severity: 'error',
      code: 'tooManyInputs',
      message: `An embeddings batch may embed at most ${max.toLocaleString('en-US')} inputs in all; with this line the file has ${state.embeddingInputs.toLocaleString('en-US')} (each item of an "input" array counts).`,
      ...(report.member(['body', 'input']) ?? report.member(['body'])),
    });
  }
}

/**
 * What the body of a request to `url` holds of the wrong type, for the endpoints whose main
 * parameter is not checked above: the embeddings/moderations `input`, the completions, image and
 * video `prompt`, the image edit's `image`. Missing ones are left to the API, which may default them.
 */
function bodyProblem(url: string, body: Record<string, unknown>): { code: ProblemCode; message: string; field: string } | undefined {
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
