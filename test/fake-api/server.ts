/**
 * A stateful fake of the OpenAI Batch + Files API, served over real HTTP on loopback.
 *
 * It behaves like the real API rather than replaying fixtures: cursor paging with validation,
 * auth with OpenAI's error shapes, multipart uploads, batch creation that validates its input
 * file, a fake clock that moves batches through their lifecycle and produces output/error
 * files, and streamed file downloads of any size. Tests inject faults (statuses, delays, hangs,
 * resets, HTML and truncated bodies, broken paging, endless, gzip-bomb and trickled bodies,
 * lying content-lengths) and read the request log.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Batch, BatchErrorItem, FileObject } from '../../src/core/api/types';
import { type BatchError, batchErrorItems } from '../../src/core/batches/batchFacts';
import { EnqueuedTokenLimits } from './queueLimits';
import {
  BATCH_ENDPOINTS,
  newBatchRecord,
  DEMO_NOW,
  MISSING_MODEL_FAILURE,
  FLAKY_MODEL,
  TRANSIENT_FAILURE,
  TERMINAL_STATUSES,
  compareNewestFirst,
  defaultModel,
  demoBatches,
  errorLine,
  expiredLine,
  fixtureBatches,
  generateBatches,
  generatedOutputChunks,
  hashString,
  inputLine,
  mulberry32,
  outputLine,
  zeroUsage,
} from './data';

export interface FakeApiOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 'sk-fake-test-key'. */
  apiKey?: string;
  /** Default 'fixture'. */
  seed?: 'fixture' | 'demo' | 'empty' | { generated: number } | Batch[];
  /** Which header carries the key: `Authorization: Bearer K` or Azure's `api-key: K`. Default 'bearer'. */
  authHeader?: 'bearer' | 'api-key';
  /** When set, every request must carry `?api-version=<this>`, else 400. */
  requireApiVersion?: string;
  /** Like Azure's v1 API, which takes no dated api-version: a request carrying one gets a 400. */
  refuseApiVersion?: boolean;
  /**
   * Where the API lives on the server: `/v1` (default, like OpenAI), `/openai/v1` (Azure's v1
   * API) or `/openai` (Azure's dated API, with `requireApiVersion`). `baseUrl` ends with it.
   */
  basePath?: string;
  /** Answer as other providers do, one flag per difference (see {@link QUIRKS}); `'all'` turns every one on. */
  quirks?: Quirks | 'all';
  /** Initial clock in unix seconds. Default: a fixed instant a little after the newest seeded batch. */
  now?: number;
  /**
   * Several accounts behind one base URL, each with its own batches and files: a request goes to
   * the account its key selects, and among accounts sharing a key, to the one whose `organization`
   * and `project` equal its `OpenAI-Organization` and `OpenAI-Project` headers (absent = none sent).
   * A key no account has gets the first account's 401; a key whose headers match none of its
   * accounts gets a 401 like OpenAI's for a mismatched organization or project. The other options
   * apply to every account; `seed` is each account's unless it has its own. Faults are added per
   * account (`FakeApi.accounts[i].addFault`); the request log is this server's.
   */
  accounts?: FakeAccountSpec[];
}

/** One account of {@link FakeApiOptions.accounts}. */
export interface FakeAccountSpec {
  apiKey: string;
  organization?: string;
  project?: string;
  seed?: FakeApiOptions['seed'];
}

/**
 * How OpenAI-compatible providers answer differently from OpenAI, one flag each (SPEC.md,
 * "Providers as they really answer"). They change what the fake sends, never its state.
 */
export const QUIRKS = [
  /** Statuses in other cases: `Completed`, `IN_PROGRESS`, `In Progress`. */
  'statusCase',
  /** Every `…_at` of batches and files as an ISO-8601 string instead of unix seconds. */
  'isoTimestamps',
  /** List pages without `has_more` (they hold every batch: paging by `after` still works). */
  'noHasMore',
  /** List pages of `limit` items, like OpenAI's, but without `has_more`: a full page may have more after it. */
  'pagedNoHasMore',
  /** `endpoint: null` on every batch. */
  'nullEndpoint',
  /** `request_counts: null` on every batch. */
  'nullCounts',
  /** Batch and file ids of 200+ characters, base64 like LiteLLM's (with `+`, `/` and `=`). */
  'longIds',
  /** Azure: a completed batch where nothing failed still gets an error file, of 0 bytes. */
  'azureEmptyErrorFile',
] as const;

export type Quirk = (typeof QUIRKS)[number];
export type Quirks = Partial<Record<Quirk, boolean>>;

/** `all`, or a comma-separated list of quirk names (the CLI's `--quirks`); throws on an unknown name. */
export function parseQuirks(text: string): Quirks {
  if (text.trim() === 'all') return Object.fromEntries(QUIRKS.map((quirk) => [quirk, true]));
  const quirks: Quirks = {};
  for (const name of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (!(QUIRKS as readonly string[]).includes(name)) throw new Error(`unknown quirk '${name}' (known: ${QUIRKS.join(', ')}, or all)`);
    quirks[name as Quirk] = true;
  }
  return quirks;
}

export interface LoggedRequest {
  method: string;
  /** Without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lowercase names. */
  headers: Record<string, string | undefined>;
  /** 0 while no response head was sent (in flight, hung or reset). */
  status: number;
  /**
   * What a POST sent, as read: the JSON body of a create, or the fields of a multipart upload
   * (the file part as `{ filename, bytes }`). For checking requests against the API description.
   */
  body?: unknown;
  /** Date.now() on arrival. */
  at: number;
  /** Body bytes handed to the socket by the streamed writers (file content, endless and trickled bodies); Date.now() when the response ended or the client went. */
  sentBytes?: number;
  endedAt?: number;
}

export interface FaultRule {
  /** Default: any method. */
  method?: string;
  /** Matched against the path without the query, e.g. '/v1/batches' or /^\/v1\/batches\/[^/]+$/. */
  path: string | RegExp;
  /** How many matching requests it affects. Default Infinity. */
  times?: number;
  /** Respond with this status and an OpenAI error body (or `body`). */
  status?: number;
  body?: string | object;
  /** Added to the response, e.g. {'retry-after': '1'}, {'retry-after-ms': '50'}, {'x-should-retry': 'false'}. */
  headers?: Record<string, string>;
  /** Wait this long before answering (normally, or with the fault). */
  delayMs?: number;
  /** Never answer; the socket stays open until the client gives up or the server closes. */
  hang?: boolean;
  /** Destroy the socket (TCP RST) without a response. */
  reset?: boolean;
  /** 200 with an HTML page, like a captive portal or a proxy error page. */
  html?: boolean;
  /** The normal response with its body cut in half: JSON replies get a matching content-length; file downloads stop halfway and the connection closes. */
  truncated?: boolean;
  /** List route: {data: [], has_more: true, first_id: null, last_id: null}. */
  emptyPageHasMore?: boolean;
  /** List route: ignore `after`, always return the first page (batches: with has_more: true; files: has_more as for the first page). */
  stuckCursor?: boolean;
  /** 200 with a JSON list that never ends (no content-length): batch after batch until the client goes, or 10 GiB. */
  endlessBody?: boolean;
  /** 200 with `content-encoding: gzip` and the compressed content-length: about 1 MiB that inflates to 1 GiB of zeros. */
  gzipBomb?: boolean;
  /**
   * File content: announce this content-length instead of the file's size. The whole file is sent
   * anyway; when that is short of the announced length, the connection then closes.
   */
  lyingContentLength?: number;
  /** Send the body (JSON replies, file content, endlessBody) one byte per `trickleIntervalMs`. */
  trickle?: boolean;
  /** Default 1000. */
  trickleIntervalMs?: number;
}

/**
 * A file to add; `expiresAt` (unix seconds) makes its content answer 404 from then on;
 * `createdAt` (unix seconds, default now) places it in the file list.
 */
export type FileSpec =
  | { id?: string; filename: string; purpose: string; content: string | Buffer; expiresAt?: number | null; createdAt?: number }
  | { id?: string; filename: string; purpose: string; generatedBytes: number; expiresAt?: number | null; createdAt?: number };

export interface FakeApi {
  readonly origin: string;
  readonly baseUrl: string;
  readonly port: number;
  /** Mutable: tests may change the accepted key. */
  apiKey: string;
  /** Every request in arrival order, including faulted and rejected ones. */
  readonly requests: LoggedRequest[];
  clearRequests(): void;
  /** Logged requests with this method ('*' for any) whose path equals the string or matches the RegExp. */
  count(method: string, pathPattern: string | RegExp): number;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Advancing moves active batches through their lifecycle. */
  readonly clock: { now(): number; advance(seconds: number): void };
  readonly store: {
    /** Newest first (created_at desc, then id desc). Copies: mutate through put(). */
    list(): Batch[];
    get(id: string): Batch | undefined;
    /** Insert or replace. */
    put(batch: Batch): void;
    remove(id: string): void;
    reset(seed: FakeApiOptions['seed']): void;
    addFile(file: FileSpec): FileObject;
  };
  /** Per-model enqueued-token limits: over one, a new batch fails validation with `token_limit_exceeded`. */
  readonly enqueuedTokenLimits: EnqueuedTokenLimits;
  /** Closes the server and destroys open (even hanging) sockets. */
  close(): Promise<void>;
  /** With {@link FakeApiOptions.accounts}: each account's state (store, clock, faults), in the order given; else empty. */
  readonly accounts: readonly FakeApi[];
}

export async function startFakeApi(options: FakeApiOptions = {}): Promise<FakeApi> {
  const api = new FakeApiServer(options);
  await api.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return api;
}

// ---------------------------------------------------------------------------------------------

const DEFAULT_KEY = 'sk-fake-test-key';
/** OpenAI's limit for batch input files; also bounds what the fake buffers per upload. */
const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
const MAX_JSON_BODY_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const FILE_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'];
const CANCELLABLE: ReadonlySet<string> = new Set(['validating', 'in_progress', 'finalizing']);
const MAX_VALIDATION_ERRORS = 100;
const ENDLESS_BODY_LIMIT = 10 * 1024 ** 3;
const GZIP_BOMB_MEMBER_MIB = 64;
/** Gzip members concatenated make one valid stream (RFC 1952): 16 × 64 MiB inflate to 1 GiB. */
const GZIP_BOMB_MEMBERS = 16;

/** Validation and finalizing take 2 s plus 1 s per 1,000 requests (at most 60 s). */
function stageSeconds(total: number): number {
  return 2 + Math.min(58, Math.floor(total / 1000));
}

/** Fast enough that any batch runs within about five fake minutes, slow enough that counts visibly grow. */
function requestsPerSecond(total: number): number {
  return Math.max(2, total / 300);
}

type FileBody =
  | { kind: 'buffer'; data: Buffer }
  | { kind: 'lines'; count: number; line: (i: number) => string | null }
  | { kind: 'generated'; seed: number };

interface FileEntry {
  object: FileObject;
  body: FileBody;
  /** Derived from a seeded batch on first access; forgotten when that batch is replaced. */
  derived: boolean;
}

/** What is known about the requests of a batch created through POST /v1/batches. */
interface BatchInput {
  customIds: string[];
  models: (string | null)[];
  /** Requests that will fail when run (no model). */
  failing: boolean[];
  /** Of the failing ones, those that fail only this once ({@link FLAKY_MODEL}). */
  transient?: boolean[];
  /** Validation errors: the batch will fail when validation ends. */
  errors: BatchErrorItem[];
}

/** Which requests of a batch fail, by position: failedAmong(m) = failures among the first m requests. */
interface FailurePlan {
  failedAmong(m: number): number;
}

interface Progress {
  /** Fake time up to which requests were counted. */
  last: number;
  /** Fractional requests carried over between clock advances. */
  carry: number;
}

interface JsonReply {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}
type Reply = JsonReply | { status: 200; file: FileEntry };

interface ErrorOptions {
  param?: string | null;
  code?: string | null;
  type?: string;
  headers?: Record<string, string>;
}

function errorReply(status: number, message: string, opts: ErrorOptions = {}): JsonReply {
  return {
    status,
    json: { error: { message, type: opts.type ?? 'invalid_request_error', param: opts.param ?? null, code: opts.code ?? null } },
    headers: opts.headers,
  };
}

function defaultFaultError(status: number): { message: string; type: string; param: null; code: string | null } {
  switch (status) {
    case 401:
      return {
        message: 'Incorrect API key provided: sk-****abcd. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      };
    case 403:
      return {
        message: 'You are not allowed to access this resource with the current API key.',
        type: 'invalid_request_error',
        param: null,
        code: null,
      };
    case 404:
      return { message: 'The requested resource was not found.', type: 'invalid_request_error', param: null, code: null };
    case 429:
      return {
        message: 'Rate limit reached for requests. Please try again in 1s.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      };
    case 500:
      return {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      };
    case 502:
      return { message: 'Bad gateway.', type: 'server_error', param: null, code: null };
    case 503:
      return { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null };
    default:
      return {
        message: `Injected fault: HTTP ${status}.`,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: null,
      };
  }
}

const CAPTIVE_PORTAL_HTML =
  '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Network login required</title></head>\n' +
  '<body><h1>Sign in to continue</h1><p>This network requires you to sign in before you can access the internet.</p>\n' +
  '<form action="/login" method="post"><input name="user"><input name="password" type="password"><button>Sign in</button></form></body></html>\n';

/** Like OpenAI: enough to recognise the key, never enough to reuse it. */
export function maskKey(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 3)}****${key.slice(-4)}` : '****';
}

function newBatchId(createdAt: number): string {
  return `batch_${(createdAt >>> 0).toString(16).padStart(8, '0').slice(-8)}${randomBytes(12).toString('hex')}`;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function newFileId(): string {
  let id = 'file-';
  for (const byte of randomBytes(22)) id += BASE62[byte % 62];
  return id;
}

/**
 * An id as LiteLLM's proxy makes them: its routing facts, base64-encoded (standard alphabet, so
 * `+`, `/` and `=` occur), well over 200 characters. Like LiteLLM's, they begin alike and differ
 * at the end, where the provider's own id is encoded.
 */
function liteLlmId(inner: string): string {
  const hash = createHash('sha256').update(inner).digest('hex');
  // 15 bytes, so the marker below starts a base64 group.
  const head = 'litellm_proxy;;';
  // Encodes as `++++////`, so every long id holds a `+` and a `/`.
  const marker = Buffer.from([0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff]);
  const facts = inner.startsWith('batch_')
    ? `model_id:${hash};deployment:azure-eastus-gpt-4o-mini;llm_batch_id:${inner}`
    : `unified_id,${hash};target_model_names,gpt-4o-mini,gpt-4.1-mini;llm_output_file_id,${inner}`;
  // A length of 3n+1 bytes in all makes the base64 end in `==`.
  const tail = `${';'.repeat((((1 - facts.length) % 3) + 3) % 3)}${facts}`;
  return Buffer.concat([Buffer.from(head), marker, Buffer.from(tail)]).toString('base64');
}

/** What `expires_after` and `output_expires_after` accept: one hour to 30 days after creation. */
const EXPIRES_AFTER_SECONDS = { min: 3600, max: 2_592_000 } as const;

/** Checks an expiry policy (`{anchor: "created_at", seconds}`) as the API does; the seconds, or an error reply. */
function parseExpiresAfter(value: unknown, param: string): { seconds: number } | JsonReply {
  if (!isRecord(value)) {
    return errorReply(400, `Invalid type for '${param}': expected an object, but got ${value === null ? 'null' : typeof value} instead.`, {
      param,
      code: 'invalid_type',
    });
  }
  const { anchor, seconds } = value;
  if (anchor === undefined) {
    return errorReply(400, `Missing required parameter: '${param}.anchor'.`, {
      param: `${param}.anchor`,
      code: 'missing_required_parameter',
    });
  }
  if (anchor !== 'created_at') {
    return errorReply(
      400,
      `Invalid value: '${clip(typeof anchor === 'string' ? anchor : JSON.stringify(anchor), 40)}'. Supported values are: 'created_at'.`,
      {
        param: `${param}.anchor`,
        code: 'invalid_value',
      },
    );
  }
  if (seconds === undefined) {
    return errorReply(400, `Missing required parameter: '${param}.seconds'.`, {
      param: `${param}.seconds`,
      code: 'missing_required_parameter',
    });
  }
  if (typeof seconds !== 'number' || !Number.isInteger(seconds)) {
    return errorReply(400, `Invalid type for '${param}.seconds': expected an integer, but got ${typeof seconds} instead.`, {
      param: `${param}.seconds`,
      code: 'invalid_type',
    });
  }
  if (seconds < EXPIRES_AFTER_SECONDS.min || seconds > EXPIRES_AFTER_SECONDS.max) {
    const below = seconds < EXPIRES_AFTER_SECONDS.min;
    return errorReply(
      400,
      `Invalid '${param}.seconds': integer ${below ? 'below minimum' : 'above maximum'} value. Expected a value ${below ? `>= ${EXPIRES_AFTER_SECONDS.min}` : `<= ${EXPIRES_AFTER_SECONDS.max}`}, but got ${seconds} instead.`,
      { param: `${param}.seconds`, code: below ? 'integer_below_min_value' : 'integer_above_max_value' },
    );
  }
  return { seconds };
}

const TIME_FIELDS = [
  'created_at',
  'in_progress_at',
  'expires_at',
  'finalizing_at',
  'completed_at',
  'failed_at',
  'expired_at',
  'cancelling_at',
  'cancelled_at',
] as const;

/** Unix seconds as ISO-8601, in the spellings compatible servers use (with and without milliseconds, `Z` or `+00:00`). */
function isoTime(seconds: number, variant: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return variant % 3 === 0 ? iso : variant % 3 === 1 ? iso.replace('.000Z', 'Z') : iso.replace('Z', '+00:00');
}

/** `in_progress` as `IN_PROGRESS`, `In_progress` or `In Progress`, chosen by `variant`. */
function oddCase(status: string, variant: number): string {
  if (variant % 3 === 0) return status.toUpperCase();
  if (variant % 3 === 1) return status.charAt(0).toUpperCase() + status.slice(1);
  return status
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

function latestTimestamp(batches: Batch[]): number {
  let latest = 0;
  for (const b of batches) {
    for (const t of [
      b.created_at,
      b.in_progress_at,
      b.finalizing_at,
      b.completed_at,
      b.failed_at,
      b.expired_at,
      b.cancelling_at,
      b.cancelled_at,
    ]) {
      if (typeof t === 'number' && t > latest) latest = t;
    }
  }
  return latest;
}

function defaultNow(seed: FakeApiOptions['seed']): number {
  if (Array.isArray(seed)) return seed.length > 0 ? latestTimestamp(seed) + 3600 : DEMO_NOW;
  if (seed === undefined || seed === 'fixture') return latestTimestamp(fixtureBatches()) + 3600;
  return DEMO_NOW;
}

function seedBatches(seed: FakeApiOptions['seed'], now: number): Batch[] {
  if (Array.isArray(seed)) return structuredClone(seed);
  if (seed === undefined || seed === 'fixture') return fixtureBatches();
  if (seed === 'demo') return demoBatches(Math.floor(now));
  if (seed === 'empty') return [];
  return generateBatches(seed.generated, { now: Math.floor(now) });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function matchPath(pattern: string | RegExp, path: string): boolean {
  if (typeof pattern === 'string') return pattern === path;
  pattern.lastIndex = 0;
  return pattern.test(path);
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Reads a request body; resolves null once it exceeds `limit` (the rest is discarded). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settled = true;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.on('close', () => {
      if (settled) return;
      settled = true;
      reject(new Error('request aborted before its body was read'));
    });
  });
}

interface MultipartPart {
  name: string;
  filename?: string;
  data: Buffer;
}

/** Enough of RFC 7578 for what HTTP clients send: parts separated by the boundary, each with a Content-Disposition. */
function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | null {
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) return null;
  const parts: MultipartPart[] = [];
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts;
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd < 0) return null;
    const headerEnd = body.indexOf('\r\n\r\n', lineEnd);
    if (headerEnd < 0) return null;
    const end = body.indexOf(nextDelimiter, headerEnd + 4);
    if (end < 0) return null;
    const headers = body.subarray(lineEnd + 2, headerEnd).toString('utf8');
    const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) parts.push({ name, filename, data: body.subarray(headerEnd + 4, end) });
    pos = end + 2;
  }
}

/** Parses and validates a batch input file the way the Batch API's validation step does. */
function parseBatchInput(text: string, endpoint: string): BatchInput {
  const input: BatchInput = { customIds: [], models: [], failing: [], errors: [] };
  const seen = new Set<string>();
  const fail = (item: BatchErrorItem): void => {
    if (input.errors.length < MAX_VALIDATION_ERRORS) input.errors.push(item);
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const lineNo = i + 1;
    const position = input.customIds.length;
    input.customIds.push(`line-${lineNo}`);
    input.models.push(null);
    input.failing.push(false);
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      request = undefined;
    }
    if (!isRecord(request)) {
      fail({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line: lineNo });
      continue;
    }
    const customId = request.custom_id;
    if (typeof customId !== 'string' || customId === '') {
      fail({ code: 'missing_required_parameter', message: "Missing required parameter: 'custom_id'.", param: 'custom_id', line: lineNo });
      continue;
    }
    if (seen.has(customId)) {
      fail({
        code: 'duplicate_custom_id',
        message:
          'The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.',
        param: 'custom_id',
        line: lineNo,
      });
      continue;
    }
    seen.add(customId);
    input.customIds[position] = customId;
    if (request.method !== 'POST') {
      fail({
        code: 'invalid_method',
        message: `Invalid value: '${String(request.method)}'. Supported values are: 'POST'.`,
        param: 'method',
        line: lineNo,
      });
      continue;
    }
    if (request.url !== endpoint) {
      fail({
        code: 'invalid_url',
        message: `The URL provided for this request does not match the batch endpoint '${endpoint}'.`,
        param: 'url',
        line: lineNo,
      });
      continue;
    }
    if (!isRecord(request.body)) {
      fail({ code: 'missing_required_parameter', message: "Missing required parameter: 'body'.", param: 'body', line: lineNo });
      continue;
    }
    const model = request.body.model;
    input.models[position] = typeof model === 'string' && model !== '' ? model : null;
    // Like the real API, a missing model is not a validation error but a failed request in the error file.
    input.failing[position] = input.models[position] === null && endpoint !== '/v1/moderations';
  }
  return input;
}

/** The `url`s the parseable requests of a batch input file name. */
function requestUrls(text: string): Set<string> {
  const urls = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const request: unknown = JSON.parse(line);
      if (isRecord(request) && typeof request.url === 'string') urls.add(request.url);
    } catch {
      // Invalid lines are the validation step's business.
    }
  }
  return urls;
}

function validateMetadata(metadata: unknown): JsonReply | null {
  if (metadata === undefined || metadata === null) return null;
  if (!isRecord(metadata))
    return errorReply(400, "Invalid type for 'metadata': expected an object.", { param: 'metadata', code: 'invalid_type' });
  const keys = Object.keys(metadata);
  if (keys.length > 16) {
    return errorReply(
      400,
      `Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with ${keys.length} properties instead.`,
      {
        param: 'metadata',
        code: 'object_above_max_properties',
      },
    );
  }
  for (const key of keys) {
    const value = metadata[key];
    if (key.length > 64)
      return errorReply(400, `Invalid 'metadata': key '${clip(key, 20)}' is longer than 64 characters.`, {
        param: 'metadata',
        code: 'invalid_value',
      });
    if (typeof value !== 'string')
      return errorReply(400, `Invalid type for 'metadata.${clip(key, 20)}': expected a string.`, {
        param: `metadata.${key}`,
        code: 'invalid_type',
      });
    if (value.length > 512)
      return errorReply(400, `Invalid 'metadata.${clip(key, 20)}': string too long. Expected a string with maximum length 512.`, {
        param: `metadata.${key}`,
        code: 'string_above_max_length',
      });
  }
  return null;
}

function* fileChunks(entry: FileEntry): Generator<Buffer> {
  const body = entry.body;
  if (body.kind === 'buffer') {
    for (let offset = 0; offset < body.data.length; offset += CHUNK_BYTES) yield body.data.subarray(offset, offset + CHUNK_BYTES);
  } else if (body.kind === 'generated') {
    yield* generatedOutputChunks(entry.object.bytes ?? 0, body.seed, CHUNK_BYTES);
  } else {
    let parts: string[] = [];
    let pending = 0;
    for (let i = 0; i < body.count; i++) {
      const line = body.line(i);
      if (line === null) continue;
      parts.push(line);
      pending += line.length;
      if (pending >= CHUNK_BYTES) {
        yield Buffer.from(parts.join(''), 'utf8');
        parts = [];
        pending = 0;
      }
    }
    if (parts.length > 0) yield Buffer.from(parts.join(''), 'utf8');
  }
}

let gzipBombMember: Promise<Buffer> | undefined;

/** One gzip member of 64 MiB of zeros (about 64 KiB), compressed from a reused 1 MiB buffer on first use and kept. */
function bombMember(): Promise<Buffer> {
  gzipBombMember ??= (async () => {
    const zeros = Buffer.alloc(1024 * 1024);
    const parts: Buffer[] = [];
    for await (const part of Readable.from(Array<Buffer>(GZIP_BOMB_MEMBER_MIB).fill(zeros)).pipe(createGzip({ level: 9 })))
      parts.push(part as Buffer);
    return Buffer.concat(parts);
  })();
  return gzipBombMember;
}

/** Resolves true when `res` can take more data, false when the connection went away first. */
function drained(res: http.ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (ok: boolean): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => settle(true);
    const onClose = (): void => settle(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

// ---------------------------------------------------------------------------------------------

class FakeApiServer implements FakeApi {
  origin = '';
  baseUrl = '';
  port = 0;
  apiKey: string;
  readonly requests: LoggedRequest[] = [];
  readonly clock: FakeApi['clock'];
  readonly store: FakeApi['store'];
  readonly enqueuedTokenLimits = new EnqueuedTokenLimits();

  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly entryOf = new WeakMap<http.ServerResponse, LoggedRequest>();
  private readonly sleepers = new Set<{ timer?: NodeJS.Timeout; wake: (ok: boolean) => void }>();
  private closing: Promise<void> | undefined;
  private readonly authHeader: 'bearer' | 'api-key';
  private readonly requireApiVersion: string | undefined;
  private readonly refuseApiVersion: boolean;
  private readonly basePath: string;
  private readonly quirks: Quirks;
  /** `output_expires_after.seconds` of the batches created with one. */
  private readonly outputExpiry = new Map<string, number>();
  /** Deleted file ids, so that a batch's derived files are not derived again. */
  private readonly deleted = new Set<string>();
  private faults: { rule: FaultRule; remaining: number }[] = [];
  /** See {@link FakeApiOptions.accounts}: requests are answered by these, logged here. */
  readonly accounts: FakeApiServer[] = [];
  private readonly accountSpecs: FakeAccountSpec[] = [];

  private nowSeconds: number;
  private readonly batches = new Map<string, Batch>();
  private sortedCache: { list: Batch[]; index: Map<string, number> } | undefined;
  private readonly files = new Map<string, FileEntry>();
  private readonly inputs = new Map<string, BatchInput>();
  /** custom_ids of {@link FLAKY_MODEL} requests already sent once. */
  private readonly flakySent = new Set<string>();
  private readonly plans = new Map<string, FailurePlan>();
  private readonly progress = new Map<string, Progress>();

  constructor(options: FakeApiOptions) {
    this.apiKey = options.apiKey ?? DEFAULT_KEY;
    this.authHeader = options.authHeader ?? 'bearer';
    this.requireApiVersion = options.requireApiVersion;
    this.refuseApiVersion = options.refuseApiVersion ?? false;
    this.basePath = (options.basePath ?? '/v1').replace(/\/+$/, '');
    this.quirks = options.quirks === 'all' ? parseQuirks('all') : { ...options.quirks };
    this.nowSeconds = options.now ?? defaultNow(options.seed);
    this.reset(options.seed);
    for (const spec of options.accounts ?? []) {
      this.accountSpecs.push(spec);
      this.accounts.push(new FakeApiServer({ ...options, accounts: undefined, apiKey: spec.apiKey, seed: spec.seed ?? options.seed }));
    }

    this.clock = {
      now: () => this.nowSeconds,
      advance: (seconds: number) => this.advance(seconds),
    };
    this.store = {
      list: () => this.sorted().list.map((b) => structuredClone(b)),
      get: (id: string) => {
        const batch = this.batches.get(id);
        return batch && structuredClone(batch);
      },
      put: (batch: Batch) => this.put(batch),
      remove: (id: string) => this.remove(id),
      reset: (seed: FakeApiOptions['seed']) => this.reset(seed),
      addFile: (spec: FileSpec) => structuredClone(this.addFile(spec).object),
    };

    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        this.port = address.port;
        const hostPart = host.includes(':') ? `[${host}]` : host;
        this.origin = `http://${hostPart}:${address.port}`;
        this.baseUrl = `${this.origin}${this.basePath}`;
        for (const account of this.accounts) Object.assign(account, { origin: this.origin, port: this.port, baseUrl: this.baseUrl });
        resolve();
      });
    });
  }

  close(): Promise<void> {
    if (!this.closing) {
      for (const sleeper of this.sleepers) {
        clearTimeout(sleeper.timer);
        sleeper.wake(false);
      }
      this.sleepers.clear();
      for (const account of this.accounts) void account.close();
      this.closing = new Promise((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    }
    return this.closing;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  count(method: string, pathPattern: string | RegExp): number {
    const wanted = method.toUpperCase();
    return this.requests.filter((r) => (wanted === '*' || r.method === wanted) && matchPath(pathPattern, r.path)).length;
  }

  addFault(rule: FaultRule): void {
    this.faults.push({ rule, remaining: rule.times ?? Infinity });
  }

  clearFaults(): void {
    this.faults = [];
  }

  // --- HTTP ------------------------------------------------------------------------------------

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const headers: Record<string, string | undefined> = {};
    for (const name of Object.keys(req.headers)) headers[name] = header(req, name);
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(query),
      headers,
      status: 0,
      at: Date.now(),
    };
    this.requests.push(entry);

    const account = this.accounts.length ? this.accountFor(req) : this;
    if (!account) {
      void this.sendJson(
        res,
        entry,
        errorReply(401, 'The OpenAI-Organization or OpenAI-Project header does not match any organization or project of this API key.', {
          code: 'mismatched_project',
        }),
        {},
      );
      return;
    }
    account.handle(req, res, entry, query).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      void this.sendJson(res, entry, errorReply(500, `Fake API internal error: ${message}`, { type: 'server_error' }), {});
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, entry: LoggedRequest, query: URLSearchParams): Promise<void> {
    // Faults come before api-version and auth checks, so a test can inject e.g. a 500 or a reset
    // whatever credentials the client sends. Modifiers (truncated, emptyPageHasMore, stuckCursor,
    // a bare delayMs) then go through normal handling, auth included.
    const fault = this.takeFault(entry.method, entry.path);
    if (fault?.delayMs !== undefined && fault.delayMs > 0 && !(await this.sleep(fault.delayMs))) return;
    if (fault?.hang) return;
    if (fault?.reset) {
      req.socket.resetAndDestroy();
      return;
    }
    const extraHeaders = fault?.headers ?? {};
    if (fault?.status !== undefined) {
      await this.sendFault(res, entry, fault, extraHeaders);
      return;
    }
    if (fault?.html) {
      this.sendRaw(res, entry, 200, Buffer.from(CAPTIVE_PORTAL_HTML), { 'content-type': 'text/html; charset=utf-8', ...extraHeaders });
      return;
    }
    if (fault?.endlessBody) {
      await this.sendEndless(res, entry, extraHeaders, fault);
      return;
    }
    if (fault?.gzipBomb) {
      await this.sendGzipBomb(res, entry, extraHeaders);
      return;
    }
    const reply = await this.route(req, entry, query, fault);
    if ('file' in reply) {
      await this.sendFile(res, entry, reply.file, extraHeaders, fault);
    } else {
      await this.sendJson(res, entry, reply, extraHeaders, fault);
    }
  }

  private takeFault(method: string, path: string): FaultRule | undefined {
    for (const fault of this.faults) {
      if (fault.remaining <= 0) continue;
      if (fault.rule.method !== undefined && fault.rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!matchPath(fault.rule.path, path)) continue;
      fault.remaining--;
      return fault.rule;
    }
    return undefined;
  }

  /** Resolves false instead of waking up if the server closes meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    return new Promise((resolve) => {
      const sleeper: { timer?: NodeJS.Timeout; wake: (ok: boolean) => void } = { wake: resolve };
      sleeper.timer = setTimeout(() => {
        this.sleepers.delete(sleeper);
        resolve(true);
      }, ms);
      this.sleepers.add(sleeper);
    });
  }

  private writeHead(res: http.ServerResponse, entry: LoggedRequest, status: number, headers: Record<string, string>): void {
    entry.status = status;
    this.entryOf.set(res, entry);
    res.once('close', () => (entry.endedAt = Date.now()));
    res.writeHead(status, { 'x-request-id': `req_${randomBytes(16).toString('hex')}`, ...headers });
  }

  private sendRaw(res: http.ServerResponse, entry: LoggedRequest, status: number, body: Buffer, headers: Record<string, string>): void {
    if (res.destroyed) return;
    this.writeHead(res, entry, status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  }

  /** With `trickle` (of `fault`), the body goes out a byte at a time. */
  private async sendJson(
    res: http.ServerResponse,
    entry: LoggedRequest,
    reply: JsonReply,
    extraHeaders: Record<string, string>,
    fault?: FaultRule,
  ): Promise<void> {
    let body = Buffer.from(JSON.stringify(reply.json), 'utf8');
    if (fault?.truncated) body = body.subarray(0, Math.floor(body.length / 2));
    if (!fault?.trickle) {
      this.sendRaw(res, entry, reply.status, body, { 'content-type': 'application/json', ...reply.headers, ...extraHeaders });
      return;
    }
    if (res.destroyed) return;
    this.writeHead(res, entry, reply.status, {
      'content-type': 'application/json',
      ...reply.headers,
      ...extraHeaders,
      'content-length': String(body.length),
    });
    if (await this.write(res, body, fault)) res.end();
  }

  private async sendFault(
    res: http.ServerResponse,
    entry: LoggedRequest,
    fault: FaultRule,
    extraHeaders: Record<string, string>,
  ): Promise<void> {
    const status = fault.status ?? 500;
    if (typeof fault.body === 'string') {
      this.sendRaw(res, entry, status, Buffer.from(fault.body, 'utf8'), { 'content-type': 'application/json', ...extraHeaders });
    } else {
      await this.sendJson(res, entry, { status, json: fault.body ?? { error: defaultFaultError(status) } }, extraHeaders);
    }
  }

  /** Streams with backpressure, so even generated GiB-sized files never sit in memory. */
  private async sendFile(
    res: http.ServerResponse,
    entry: LoggedRequest,
    file: FileEntry,
    extraHeaders: Record<string, string>,
    fault: FaultRule | undefined,
  ): Promise<void> {
    if (res.destroyed) return;
    const total = file.object.bytes ?? 0;
    const announced = fault?.lyingContentLength ?? total;
    const filename = (file.object.filename ?? file.object.id).replace(/[^\w.-]/g, '_');
    this.writeHead(res, entry, 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${filename}"`,
      ...extraHeaders,
      'content-length': String(announced),
    });
    const limit = fault?.truncated ? Math.floor(total / 2) : total;
    let sent = 0;
    for (const chunk of fileChunks(file)) {
      if (sent >= limit) break;
      const piece = sent + chunk.length > limit ? chunk.subarray(0, limit - sent) : chunk;
      sent += piece.length;
      if (!(await this.write(res, piece, fault))) return;
    }
    if (sent < announced) {
      // Flush what was written, then close the connection short of content-length, like a dropped download.
      res.socket?.end();
      return;
    }
    res.end();
  }

  /** Writes with backpressure, or a byte per `trickleIntervalMs` with `trickle`. False once the client has gone. */
  private async write(res: http.ServerResponse, data: Buffer, fault: FaultRule | undefined): Promise<boolean> {
    const entry = this.entryOf.get(res);
    if (entry && !res.destroyed) entry.sentBytes = (entry.sentBytes ?? 0) + data.length;
    if (!fault?.trickle) return !res.destroyed && (res.write(data) || (await drained(res)));
    // The head goes out at once, as from a server that answers and then drags its feet.
    if (!res.destroyed) res.flushHeaders();
    for (let i = 0; i < data.length; i++) {
      if (res.destroyed || !(await this.sleep(fault.trickleIntervalMs ?? 1000)) || res.destroyed) return false;
      res.write(data.subarray(i, i + 1));
    }
    return true;
  }

  /** A list that never ends: the same batch over and over, as fast as the client reads, until it goes. */
  private async sendEndless(
    res: http.ServerResponse,
    entry: LoggedRequest,
    extraHeaders: Record<string, string>,
    fault: FaultRule,
  ): Promise<void> {
    if (res.destroyed) return;
    this.writeHead(res, entry, 200, { 'content-type': 'application/json', ...extraHeaders });
    const item = JSON.stringify(this.sorted().list[0] ?? { id: 'batch_endless', object: 'batch' });
    const chunk = Buffer.from(`${item},`.repeat(Math.ceil(CHUNK_BYTES / (item.length + 1))));
    if (!(await this.write(res, Buffer.from('{"object":"list","data":['), fault))) return;
    for (let sent = 0; sent < ENDLESS_BODY_LIMIT; sent += chunk.length) {
      if (!(await this.write(res, chunk, fault))) return;
    }
    res.end(`${item}],"has_more":false}`);
  }

  private async sendGzipBomb(res: http.ServerResponse, entry: LoggedRequest, extraHeaders: Record<string, string>): Promise<void> {
    const member = await bombMember();
    if (res.destroyed) return;
    this.writeHead(res, entry, 200, {
      'content-type': 'application/json',
      ...extraHeaders,
      'content-encoding': 'gzip',
      'content-length': String(member.length * GZIP_BOMB_MEMBERS),
    });
    for (let i = 0; i < GZIP_BOMB_MEMBERS; i++) {
      if (!(await this.write(res, member, undefined))) return;
    }
    res.end();
  }

  // --- Routes ----------------------------------------------------------------------------------

  private async route(
    req: http.IncomingMessage,
    entry: LoggedRequest,
    query: URLSearchParams,
    fault: FaultRule | undefined,
  ): Promise<Reply> {
    if (this.requireApiVersion !== undefined) {
      const version = query.get('api-version');
      if (version !== this.requireApiVersion) {
        const message =
          version === null
            ? `Missing required query parameter 'api-version'. Supported value: '${this.requireApiVersion}'.`
            : `Unsupported api-version '${clip(version, 40)}'. Supported value: '${this.requireApiVersion}'.`;
        return errorReply(400, message, {
          param: 'api-version',
          code: version === null ? 'missing_required_parameter' : 'unsupported_api_version',
        });
      }
    }
    if (this.refuseApiVersion && query.get('api-version') !== null && /^\d{4}-\d{2}-\d{2}/.test(query.get('api-version') ?? '')) {
      return errorReply(400, `The v1 API takes no dated api-version ('${clip(query.get('api-version') ?? '', 40)}'): remove it.`, {
        param: 'api-version',
        code: 'unsupported_api_version',
      });
    }
    const authFailure = this.authenticate(req);
    if (authFailure) return authFailure;
    const reply = await this.dispatch(req, entry, query, fault);
    return 'json' in reply && reply.status === 200 && this.quirky() ? { ...reply, json: this.present(reply.json) } : reply;
  }

  private async dispatch(
    req: http.IncomingMessage,
    entry: LoggedRequest,
    query: URLSearchParams,
    fault: FaultRule | undefined,
  ): Promise<Reply> {
    const method = entry.method.toUpperCase();
    // The routes below are written for `/v1`; Azure's APIs live under `/openai/v1` or `/openai`.
    const path = entry.path.startsWith(`${this.basePath}/`) ? `/v1${entry.path.slice(this.basePath.length)}` : entry.path;
    const match = /^\/v1\/(batches|files)(?:\/([^/]+))?(?:\/(cancel|content))?$/.exec(path);
    let id: string | undefined;
    try {
      id = match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
    } catch {
      id = undefined;
    }
    const [, collection, , action] = match ?? [];
    if (collection === 'batches') {
      if (method === 'GET' && id === undefined && action === undefined) return this.listBatches(query, fault);
      if (method === 'POST' && id === undefined && action === undefined) return this.createBatch(req, entry);
      if (method === 'GET' && id !== undefined && action === undefined) return this.getBatch(id);
      if (method === 'POST' && id !== undefined && action === 'cancel') return this.cancelBatch(id);
    } else if (collection === 'files') {
      if (method === 'GET' && id === undefined && action === undefined) return this.listFiles(query, fault);
      if (method === 'POST' && id === undefined && action === undefined) return this.uploadFile(req, entry);
      if (method === 'GET' && id !== undefined && action === undefined) return this.getFile(id);
      if (method === 'DELETE' && id !== undefined && action === undefined) return this.deleteFile(id);
      if (method === 'GET' && id !== undefined && action === 'content') return this.getFileContent(id);
    }
    return errorReply(404, `Invalid URL (${method} ${clip(entry.path, 200)})`);
  }

  private quirky(): boolean {
    return QUIRKS.some((quirk) => this.quirks[quirk]);
  }

  /** A 200 reply as a quirky provider sends it (see {@link QUIRKS}): copies, so the store keeps the API's own shapes. */
  private present(json: unknown): unknown {
    if (!isRecord(json)) return json;
    if (json.object === 'batch') return this.presentBatch(json as unknown as Batch);
    if (json.object === 'file') return this.presentFile(json as unknown as FileObject);
    if (json.object === 'list' && Array.isArray(json.data)) {
      const list: Record<string, unknown> = { ...json, data: json.data.map((item: unknown) => this.present(item)) };
      if (this.quirks.noHasMore || this.quirks.pagedNoHasMore) delete list.has_more;
      return list;
    }
    return json;
  }

  private presentBatch(batch: Batch): Record<string, unknown> {
    // Untyped: these are the shapes Batch does not describe.
    const shown: Record<string, unknown> = structuredClone(batch) as unknown as Record<string, unknown>;
    const variant = hashString(batch.id);
    if (this.quirks.statusCase && typeof shown.status === 'string') shown.status = oddCase(shown.status, variant);
    if (this.quirks.isoTimestamps) {
      TIME_FIELDS.forEach((field, i) => {
        const value = shown[field];
        if (typeof value === 'number') shown[field] = isoTime(value, variant + i);
      });
    }
    if (this.quirks.nullEndpoint) shown.endpoint = null;
    if (this.quirks.nullCounts) shown.request_counts = null;
    return shown;
  }

  private presentFile(file: FileObject): Record<string, unknown> {
    const shown: Record<string, unknown> = { ...file };
    if (this.quirks.isoTimestamps) {
      for (const field of ['created_at', 'expires_at'] as const) {
        const value = shown[field];
        if (typeof value === 'number') shown[field] = isoTime(value, hashString(file.id));
      }
    }
    return shown;
  }

  /** The account of {@link FakeApiOptions.accounts} a request is for (see there); undefined: its key's accounts have other headers. */
  private accountFor(req: http.IncomingMessage): FakeApiServer | undefined {
    const key =
      this.authHeader === 'api-key'
        ? header(req, 'api-key')?.trim()
        : /^Bearer\s+(\S.*)$/i.exec(header(req, 'authorization') ?? '')?.[1].trim();
    const candidates = this.accountSpecs.map((spec, i) => ({ spec, account: this.accounts[i] })).filter(({ spec }) => spec.apiKey === key);
    if (candidates.length === 0) return this.accounts[0];
    const organization = header(req, 'openai-organization')?.trim() || undefined;
    const project = header(req, 'openai-project')?.trim() || undefined;
    return candidates.find(({ spec }) => (spec.organization || undefined) === organization && (spec.project || undefined) === project)
      ?.account;
  }

  private authenticate(req: http.IncomingMessage): JsonReply | null {
    let key: string | undefined;
    let missing: string;
    if (this.authHeader === 'api-key') {
      key = header(req, 'api-key')?.trim();
      missing = "You didn't provide an API key. Provide your API key in an 'api-key' header.";
    } else {
      key = /^Bearer\s+(\S.*)$/i.exec(header(req, 'authorization') ?? '')?.[1].trim();
      missing =
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). " +
        'You can obtain an API key from https://platform.openai.com/account/api-keys.';
    }
    if (!key) return errorReply(401, missing, { code: 'invalid_api_key' });
    if (key !== this.apiKey) {
      return errorReply(
        401,
        `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        { code: 'invalid_api_key' },
      );
    }
    return null;
  }

  private listBatches(query: URLSearchParams, fault: FaultRule | undefined): Reply {
    let limit = 20;
    const rawLimit = query.get('limit');
    if (rawLimit !== null) {
      if (!/^-?\d+$/.test(rawLimit.trim())) {
        return errorReply(400, `Invalid 'limit': expected an integer, but got '${clip(rawLimit, 40)}' instead.`, {
          param: 'limit',
          code: 'invalid_type',
        });
      }
      limit = Number(rawLimit);
      if (limit < 1) {
        return errorReply(400, `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`, {
          param: 'limit',
          code: 'integer_below_min_value',
        });
      }
      if (limit > 100) {
        return errorReply(400, `Invalid 'limit': integer above maximum value. Expected a value <= 100, but got ${limit} instead.`, {
          param: 'limit',
          code: 'integer_above_max_value',
        });
      }
    }
    if (fault?.emptyPageHasMore) {
      return { status: 200, json: { object: 'list', data: [], first_id: null, last_id: null, has_more: true } };
    }
    const { list, index } = this.sorted();
    let start = 0;
    const after = query.get('after');
    if (after !== null && !fault?.stuckCursor) {
      const position = index.get(after);
      if (position === undefined) {
        return errorReply(400, `Invalid 'after': no batch found with id '${clip(after, 100)}'.`, { param: 'after' });
      }
      start = position + 1;
    }
    // noHasMore: providers that send no has_more send no pages either: everything after the cursor (pagedNoHasMore: they do).
    const end = this.quirks.noHasMore ? list.length : start + limit;
    const data = list.slice(start, end);
    return {
      status: 200,
      json: {
        object: 'list',
        data,
        first_id: data[0]?.id ?? null,
        last_id: data[data.length - 1]?.id ?? null,
        has_more: fault?.stuckCursor ? true : end < list.length,
      },
    };
  }

  /** `GET /files?purpose=&order=asc|desc&limit=1..10000&after=`: uploaded files and those of batches that finished. */
  private listFiles(query: URLSearchParams, fault?: FaultRule): Reply {
    let limit = 10_000;
    const rawLimit = query.get('limit');
    if (rawLimit !== null) {
      limit = Number(rawLimit);
      if (!/^\d+$/.test(rawLimit.trim()) || limit < 1 || limit > 10_000) {
        return errorReply(400, `Invalid 'limit': expected an integer from 1 to 10000, but got '${clip(rawLimit, 40)}' instead.`, {
          param: 'limit',
          code: 'invalid_value',
        });
      }
    }
    const order = query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') {
      return errorReply(400, `Invalid value: '${clip(order, 20)}'. Supported values are: 'asc' and 'desc'.`, {
        param: 'order',
        code: 'invalid_value',
      });
    }
    const purpose = query.get('purpose');
    // Files of batches are derived on first access: list those that exist by now.
    for (const batch of this.batches.values()) {
      for (const id of [batch.input_file_id, batch.output_file_id, batch.error_file_id]) if (id) this.resolveFile(id);
    }
    const files = [...this.files.values()]
      .map((entry) => entry.object)
      .filter((file) => purpose === null || file.purpose === purpose)
      .sort((a, b) => (order === 'asc' ? 1 : -1) * ((a.created_at ?? 0) - (b.created_at ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    let start = 0;
    const after = query.get('after');
    // stuckCursor: a provider that ignores `after` and sends the first page again.
    if (after !== null && !fault?.stuckCursor) {
      const position = files.findIndex((file) => file.id === after);
      if (position < 0) return errorReply(400, `Invalid 'after': no file found with id '${clip(after, 100)}'.`, { param: 'after' });
      start = position + 1;
    }
    const data = files.slice(start, start + limit);
    return {
      status: 200,
      json: {
        object: 'list',
        data,
        first_id: data[0]?.id ?? null,
        last_id: data[data.length - 1]?.id ?? null,
        has_more: start + limit < files.length,
      },
    };
  }

  private deleteFile(id: string): Reply {
    if (!this.resolveFile(id)) return errorReply(404, `No such File object: ${clip(id, 100)}`, { param: 'id' });
    this.files.delete(id);
    this.deleted.add(id);
    return { status: 200, json: { id, object: 'file', deleted: true } };
  }

  private getBatch(id: string): Reply {
    const batch = this.batches.get(id);
    if (!batch) return errorReply(404, `No batch found with id '${clip(id, 100)}'.`);
    return { status: 200, json: batch };
  }

  private cancelBatch(id: string): Reply {
    const batch = this.batches.get(id);
    if (!batch) return errorReply(404, `No batch found with id '${clip(id, 100)}'.`);
    if (!CANCELLABLE.has(batch.status ?? '')) {
      return errorReply(409, `Cannot cancel a batch with status '${batch.status ?? 'unknown'}'.`);
    }
    batch.status = 'cancelling';
    batch.cancelling_at = Math.floor(this.nowSeconds);
    this.progress.delete(id);
    return { status: 200, json: batch };
  }

  private async createBatch(req: http.IncomingMessage, entry: LoggedRequest): Promise<Reply> {
    const raw = await readBody(req, MAX_JSON_BODY_BYTES);
    if (raw === null) return errorReply(413, 'Request body too large.', { headers: { connection: 'close' } });
    let params: unknown;
    try {
      params = JSON.parse(raw.toString('utf8'));
      entry.body = params;
    } catch {
      params = undefined;
    }
    if (!isRecord(params)) {
      return errorReply(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      );
    }
    const missing = (param: string): Reply =>
      errorReply(400, `Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' });
    const { input_file_id: inputFileId, endpoint, completion_window: window, metadata, output_expires_after: outputExpiresAfter } = params;
    if (typeof inputFileId !== 'string' || inputFileId === '') return missing('input_file_id');
    if (typeof endpoint !== 'string' || endpoint === '') return missing('endpoint');
    if (!(BATCH_ENDPOINTS as readonly string[]).includes(endpoint)) {
      return errorReply(
        400,
        `Invalid value: '${clip(endpoint, 60)}'. Supported values are: ${BATCH_ENDPOINTS.map((e) => `'${e}'`).join(', ')}.`,
        { param: 'endpoint', code: 'invalid_value' },
      );
    }
    if (typeof window !== 'string' || window === '') return missing('completion_window');
    if (window !== '24h') {
      return errorReply(400, `Invalid value: '${clip(window, 20)}'. Supported values are: '24h'.`, {
        param: 'completion_window',
        code: 'invalid_value',
      });
    }
    const metadataProblem = validateMetadata(metadata);
    if (metadataProblem) return metadataProblem;
    let outputExpirySeconds: number | undefined;
    if (outputExpiresAfter !== undefined) {
      const policy = parseExpiresAfter(outputExpiresAfter, 'output_expires_after');
      if (!('seconds' in policy)) return policy;
      outputExpirySeconds = policy.seconds;
    }

    const file = this.resolveFile(inputFileId);
    if (!file)
      return errorReply(400, `Invalid 'input_file_id': no file found with id '${clip(inputFileId, 60)}'.`, { param: 'input_file_id' });
    if (file.object.purpose !== 'batch') {
      return errorReply(
        400,
        `Invalid 'input_file_id': the file must have purpose 'batch', but it has purpose '${file.object.purpose ?? ''}'.`,
        { param: 'input_file_id' },
      );
    }
    const expiresAt = file.object.expires_at;
    if (typeof expiresAt === 'number' && expiresAt <= this.nowSeconds) {
      return errorReply(400, `Invalid 'input_file_id': the file '${clip(inputFileId, 60)}' has expired.`, { param: 'input_file_id' });
    }
    const content = this.fileContent(file);
    if (content === null)
      return errorReply(400, "Invalid 'input_file_id': the file exceeds the 200 MB limit for batch input files.", {
        param: 'input_file_id',
      });
    const text = content.toString('utf8');
    const urls = requestUrls(text);
    // Requests that all name another endpoint are a wrong `endpoint`, not a batch that fails validation line by line.
    if (urls.size > 0 && !urls.has(endpoint) && [...urls].every((url) => (BATCH_ENDPOINTS as readonly string[]).includes(url))) {
      return errorReply(
        400,
        `Invalid 'endpoint': the requests in the input file are for ${[...urls].map((url) => `'${clip(url, 40)}'`).join(', ')}, not '${endpoint}'.`,
        { param: 'endpoint', code: 'invalid_value' },
      );
    }

    const input = parseBatchInput(text, endpoint);
    this.markFlaky(input);
    const limit = await this.enqueuedTokenLimits.check(input.models[0], text, this.batches.values());
    if (input.errors.length === 0) input.errors.push(...limit.errors);
    const now = Math.floor(this.nowSeconds);
    const batch: Batch = {
      ...newBatchRecord({
        id: this.newBatchId(now),
        endpoint,
        inputFileId,
        status: 'validating',
        createdAt: now,
        total: input.customIds.length,
        metadata: (metadata as Record<string, string> | null | undefined) ?? null,
      }),
      model: input.models[0] ?? null,
      usage: zeroUsage(),
    };
    this.batches.set(batch.id, batch);
    this.inputs.set(batch.id, input);
    limit.admit(batch.id);
    if (outputExpirySeconds !== undefined) this.outputExpiry.set(batch.id, outputExpirySeconds);
    this.sortedCache = undefined;
    return { status: 200, json: batch };
  }

  /** Requests for {@link FLAKY_MODEL} fail the first time their custom_id is sent, and succeed after. */
  private markFlaky(input: BatchInput): void {
    input.customIds.forEach((customId, i) => {
      if (input.models[i] !== FLAKY_MODEL || this.flakySent.has(customId)) return;
      this.flakySent.add(customId);
      input.failing[i] = true;
      (input.transient ??= [])[i] = true;
    });
  }

  private async uploadFile(req: http.IncomingMessage, entry: LoggedRequest): Promise<Reply> {
    const contentType = header(req, 'content-type') ?? '';
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    if (!/^multipart\/form-data/i.test(contentType) || !boundary) {
      return errorReply(400, `Invalid Content-Type header (${clip(contentType || 'none', 60)}), expected multipart/form-data.`);
    }
    const body = await readBody(req, MAX_UPLOAD_BYTES + 64 * 1024);
    if (body === null)
      return errorReply(413, 'File is too large. The maximum size for batch input files is 200 MB.', {
        param: 'file',
        headers: { connection: 'close' },
      });
    const parts = parseMultipart(body, boundary[1] ?? boundary[2]);
    if (!parts) return errorReply(400, 'Could not parse the multipart/form-data body.');
    entry.body = Object.fromEntries(
      parts.map((part) => [
        part.name,
        part.filename !== undefined ? { filename: part.filename, bytes: part.data.length } : part.data.toString('utf8'),
      ]),
    );
    const purpose = parts
      .find((p) => p.name === 'purpose')
      ?.data.toString('utf8')
      .trim();
    const filePart = parts.find((p) => p.name === 'file');
    if (!purpose)
      return errorReply(400, "Missing required parameter: 'purpose'.", { param: 'purpose', code: 'missing_required_parameter' });
    if (!FILE_PURPOSES.includes(purpose)) {
      return errorReply(400, `'${clip(purpose, 40)}' is not one of [${FILE_PURPOSES.map((p) => `'${p}'`).join(', ')}] - 'purpose'`, {
        param: 'purpose',
        code: 'invalid_value',
      });
    }
    if (!filePart) return errorReply(400, "Missing required parameter: 'file'.", { param: 'file', code: 'missing_required_parameter' });
    const filename = filePart.filename || 'upload';
    if (purpose === 'batch' && !filename.toLowerCase().endsWith('.jsonl')) {
      return errorReply(400, 'Invalid file format for Batch API. Must be .jsonl', { param: 'file' });
    }
    // Multipart spells the object as `expires_after[anchor]` and `expires_after[seconds]` (how the SDKs send it).
    const field = (name: string): string | undefined =>
      parts
        .find((p) => p.name === name)
        ?.data.toString('utf8')
        .trim();
    const anchor = field('expires_after[anchor]');
    const seconds = field('expires_after[seconds]');
    let expiresAt: number | undefined;
    if (anchor !== undefined || seconds !== undefined) {
      const policy = parseExpiresAfter(
        { anchor, seconds: seconds !== undefined && /^-?\d+$/.test(seconds) ? Number(seconds) : seconds },
        'expires_after',
      );
      if (!('seconds' in policy)) return policy;
      expiresAt = Math.floor(this.nowSeconds) + policy.seconds;
    }
    // Copy out of the request body so the rest of it can be garbage-collected.
    const added = this.addFile({ filename, purpose, content: Buffer.from(filePart.data), expiresAt });
    return { status: 200, json: added.object };
  }

  private getFile(id: string): Reply {
    const file = this.resolveFile(id);
    if (!file) return errorReply(404, `No such File object: ${clip(id, 100)}`, { param: 'id' });
    return { status: 200, json: file.object };
  }

  private getFileContent(id: string): Reply {
    const file = this.resolveFile(id);
    if (!file) return errorReply(404, `No such File object: ${clip(id, 100)}`, { param: 'id' });
    // Like the API: an expired file still has its object, but its content is gone.
    const expiresAt = file.object.expires_at;
    if (typeof expiresAt === 'number' && expiresAt <= this.nowSeconds)
      return errorReply(404, `No such File object: ${clip(id, 100)}`, { param: 'id' });
    return { status: 200, file };
  }

  // --- Store -----------------------------------------------------------------------------------

  private sorted(): { list: Batch[]; index: Map<string, number> } {
    if (!this.sortedCache) {
      const list = [...this.batches.values()].sort(compareNewestFirst);
      this.sortedCache = { list, index: new Map(list.map((b, i) => [b.id, i])) };
    }
    return this.sortedCache;
  }

  private reset(seed: FakeApiOptions['seed']): void {
    this.batches.clear();
    this.files.clear();
    this.inputs.clear();
    this.flakySent.clear();
    this.plans.clear();
    this.progress.clear();
    this.outputExpiry.clear();
    this.deleted.clear();
    for (const batch of seedBatches(seed, this.nowSeconds).map((seeded) => this.seeded(seeded))) this.batches.set(batch.id, batch);
    this.sortedCache = undefined;
  }

  /** A seeded batch as this provider would have it: long ids, Azure's empty error file. */
  private seeded(batch: Batch): Batch {
    if (this.quirks.longIds) {
      batch.id = liteLlmId(batch.id);
      for (const field of ['input_file_id', 'output_file_id', 'error_file_id'] as const) {
        const id = batch[field];
        if (id) batch[field] = liteLlmId(id);
      }
    }
    const counts = batch.request_counts;
    if (
      this.quirks.azureEmptyErrorFile &&
      batch.status === 'completed' &&
      batch.output_file_id &&
      !batch.error_file_id &&
      !counts?.failed
    ) {
      batch.error_file_id = this.newFileId();
    }
    return batch;
  }

  private newBatchId(createdAt: number): string {
    const id = newBatchId(createdAt);
    return this.quirks.longIds ? liteLlmId(id) : id;
  }

  private newFileId(): string {
    const id = newFileId();
    return this.quirks.longIds ? liteLlmId(id) : id;
  }

  private put(batch: Batch): void {
    const previous = this.batches.get(batch.id);
    if (previous) this.forgetDerivedFiles(previous);
    const copy = structuredClone(batch);
    this.forgetDerivedFiles(copy);
    this.batches.set(copy.id, copy);
    this.plans.delete(copy.id);
    this.progress.delete(copy.id);
    this.sortedCache = undefined;
  }

  private remove(id: string): void {
    const batch = this.batches.get(id);
    if (batch) this.forgetDerivedFiles(batch);
    this.batches.delete(id);
    this.inputs.delete(id);
    this.plans.delete(id);
    this.progress.delete(id);
    this.sortedCache = undefined;
  }

  private forgetDerivedFiles(batch: Batch): void {
    for (const id of [batch.input_file_id, batch.output_file_id, batch.error_file_id]) {
      if (id && this.files.get(id)?.derived) this.files.delete(id);
    }
  }

  private addFile(spec: FileSpec): FileEntry {
    const id = spec.id ?? this.newFileId();
    let body: FileBody;
    let bytes: number;
    if ('generatedBytes' in spec) {
      if (!Number.isSafeInteger(spec.generatedBytes) || spec.generatedBytes < 0)
        throw new RangeError('generatedBytes must be a non-negative integer');
      body = { kind: 'generated', seed: hashString(id) };
      bytes = spec.generatedBytes;
    } else {
      const data = typeof spec.content === 'string' ? Buffer.from(spec.content, 'utf8') : spec.content;
      body = { kind: 'buffer', data };
      bytes = data.length;
    }
    const object: FileObject = {
      id,
      object: 'file',
      bytes,
      created_at: Math.floor(spec.createdAt ?? this.nowSeconds),
      // Only files given an expiry have the field, as the fake's files always had (see README note in the report).
      ...(typeof spec.expiresAt === 'number' && { expires_at: spec.expiresAt }),
      filename: spec.filename,
      purpose: spec.purpose,
      status: 'processed',
    };
    const entry: FileEntry = { object, body, derived: false };
    this.files.set(id, entry);
    return entry;
  }

  /** Whole content, for reading a batch input file; null when too large to hold. */
  private fileContent(file: FileEntry): Buffer | null {
    if (file.body.kind === 'buffer') return file.body.data;
    if ((file.object.bytes ?? 0) > MAX_UPLOAD_BYTES) return null;
    return Buffer.concat([...fileChunks(file)]);
  }

  /** Uploaded files, or files referenced by a batch (seeded or finished), whose content is derived on first access. */
  private resolveFile(id: string): FileEntry | undefined {
    if (this.deleted.has(id)) return undefined;
    const known = this.files.get(id);
    if (known) return known;
    for (const batch of this.batches.values()) {
      const role =
        batch.input_file_id === id ? 'input' : batch.output_file_id === id ? 'output' : batch.error_file_id === id ? 'error' : undefined;
      if (role) {
        const entry = this.deriveFile(batch, id, role);
        this.files.set(id, entry);
        return entry;
      }
    }
    return undefined;
  }

  private deriveFile(batch: Batch, id: string, role: 'input' | 'output' | 'error'): FileEntry {
    const seed = hashString(batch.id);
    const endpoint = batch.endpoint ?? '/v1/chat/completions';
    const model = batch.model ?? defaultModel(endpoint);
    const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
    const processed = counts.completed + counts.failed;
    const input = this.inputs.get(batch.id);
    const plan = this.planOf(batch);
    const customId = (i: number): string => input?.customIds[i] ?? `request-${i + 1}`;
    const modelOf = (i: number): string => input?.models[i] ?? model;
    const isFailed = (i: number): boolean => plan.failedAmong(i + 1) > plan.failedAmong(i);
    // One generator per line, so a line is the same whether it is measured or streamed.
    const rngFor = (i: number) => mulberry32(seed ^ Math.imul(i + 1, 0x9e3779b1));
    const startedAt = batch.in_progress_at ?? batch.created_at ?? 0;
    const rate = requestsPerSecond(counts.total);
    const finishedAt = batch.completed_at ?? batch.cancelled_at ?? batch.expired_at ?? batch.finalizing_at ?? Math.floor(this.nowSeconds);

    let count: number;
    let line: (i: number) => string | null;
    let object: FileObject;
    if (role === 'input') {
      const broken = new Map<number, BatchError>();
      for (const item of batchErrorItems(batch)) if (item.line !== undefined) broken.set(item.line, item);
      count = Math.max(counts.total, ...broken.keys(), batch.status === 'failed' ? 5 : 0);
      line = (i) => {
        const problem = broken.get(i + 1);
        const good = inputLine(endpoint, model, customId(i), i);
        if (problem?.code === 'invalid_json_line') return `${good.slice(0, Math.floor(good.length * 0.6))}\n`;
        if (problem?.code === 'missing_required_parameter') return `${good.replace(/^\{"custom_id":"[^"]*",/, '{')}\n`;
        if (problem?.code === 'invalid_url') return `${good.replace(`"url":"${endpoint}"`, '"url":"/v1/chat/completion"')}\n`;
        return `${good}\n`;
      };
      const description = batch.metadata?.description ?? batch.metadata?.name;
      const slug = description
        ?.toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
      object = {
        id,
        object: 'file',
        bytes: 0,
        created_at: (batch.created_at ?? 0) - 7,
        filename: `${slug || 'batch-requests'}.jsonl`,
        purpose: 'batch',
        status: 'processed',
      };
    } else if (role === 'output') {
      count = processed;
      line = (i) => (isFailed(i) ? null : outputLine(rngFor(i), endpoint, modelOf(i), customId(i), startedAt + Math.floor(i / rate)));
      object = {
        id,
        object: 'file',
        bytes: 0,
        created_at: finishedAt,
        filename: `${batch.id}_output.jsonl`,
        purpose: 'batch_output',
        status: 'processed',
      };
    } else {
      count = batch.status === 'expired' ? counts.total : processed;
      line = (i) => {
        if (i >= processed) return expiredLine(rngFor(i), customId(i));
        if (!isFailed(i)) return null;
        return errorLine(
          rngFor(i),
          customId(i),
          input?.failing[i] ? (input.transient?.[i] ? TRANSIENT_FAILURE : MISSING_MODEL_FAILURE) : undefined,
        );
      };
      object = {
        id,
        object: 'file',
        bytes: 0,
        created_at: finishedAt,
        filename: `${batch.id}_error.jsonl`,
        purpose: 'batch_output',
        status: 'processed',
      };
    }
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const text = line(i);
      if (text !== null) bytes += Buffer.byteLength(text, 'utf8');
    }
    object.bytes = bytes;
    // output_expires_after counts from the output (or error) file's creation.
    const expirySeconds = this.outputExpiry.get(batch.id);
    if (role !== 'input' && expirySeconds !== undefined) object.expires_at = (object.created_at ?? finishedAt) + expirySeconds;
    return { object, body: { kind: 'lines', count, line }, derived: true };
  }

  // --- Lifecycle -------------------------------------------------------------------------------

  /** Seeded batches keep the failure ratio they were seeded with; created ones fail where their input lacks a model. */
  private planOf(batch: Batch): FailurePlan {
    let plan = this.plans.get(batch.id);
    if (!plan) {
      const input = this.inputs.get(batch.id);
      if (input) {
        const prefix = [0];
        for (const failing of input.failing) prefix.push(prefix[prefix.length - 1] + (failing ? 1 : 0));
        plan = { failedAmong: (m) => prefix[Math.min(m, prefix.length - 1)] };
      } else {
        const counts = batch.request_counts;
        const done = counts ? counts.completed + counts.failed : 0;
        const ratio = counts && done > 0 ? counts.failed / done : 0;
        plan = { failedAmong: (m) => Math.floor(m * ratio + 1e-9) };
      }
      this.plans.set(batch.id, plan);
    }
    return plan;
  }

  private advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new RangeError(`clock.advance needs a finite, non-negative number of seconds, got ${seconds}`);
    const from = this.nowSeconds;
    const to = from + seconds;
    this.nowSeconds = to;
    for (const batch of this.batches.values()) {
      if (!TERMINAL_STATUSES.has(batch.status ?? '')) this.step(batch, from, to);
    }
  }

  /**
   * Moves one batch from fake time `from` to `to`. Each stage is scheduled from the batch's own
   * timestamps, but never before `from`, so seeded batches don't jump through stages they would
   * have passed while the clock stood still.
   */
  private step(batch: Batch, from: number, to: number): void {
    const counts = (batch.request_counts ??= { total: 0, completed: 0, failed: 0 });
    const expiresAt = batch.expires_at ?? Infinity;
    for (;;) {
      switch (batch.status) {
        case 'validating': {
          const at = Math.max(from, (batch.created_at ?? from) + stageSeconds(counts.total));
          if (expiresAt <= Math.min(at, to)) return this.finish(batch, 'expired', expiresAt);
          if (at > to) return;
          this.startProcessing(batch, at);
          break;
        }
        case 'in_progress': {
          let progress = this.progress.get(batch.id);
          if (!progress) {
            progress = { last: Math.max(from, batch.in_progress_at ?? from), carry: 0 };
            this.progress.set(batch.id, progress);
          }
          const rate = requestsPerSecond(counts.total);
          const remaining = Math.max(0, counts.total - counts.completed - counts.failed);
          const doneAt = progress.last + Math.max(0, remaining - progress.carry) / rate;
          const end = Math.min(to, doneAt, expiresAt);
          if (end >= doneAt) {
            this.process(batch, remaining);
            this.progress.delete(batch.id);
            batch.status = 'finalizing';
            batch.finalizing_at = Math.floor(doneAt);
            break;
          }
          const work = (end - progress.last) * rate + progress.carry;
          const n = Math.min(remaining, Math.floor(work));
          progress.carry = work - n;
          progress.last = end;
          this.process(batch, n);
          if (end >= expiresAt) return this.finish(batch, 'expired', expiresAt);
          return;
        }
        case 'finalizing': {
          const at = Math.max(from, (batch.finalizing_at ?? from) + stageSeconds(counts.total));
          if (at <= to) this.finish(batch, 'completed', at);
          return;
        }
        case 'cancelling': {
          const at = Math.max(from, (batch.cancelling_at ?? from) + 1);
          if (at <= to) this.finish(batch, 'cancelled', at);
          return;
        }
        default:
          return;
      }
    }
  }

  private startProcessing(batch: Batch, at: number): void {
    const input = this.inputs.get(batch.id);
    if (input && (input.errors.length > 0 || input.customIds.length === 0)) {
      batch.status = 'failed';
      batch.failed_at = Math.floor(at);
      batch.request_counts = { total: 0, completed: 0, failed: 0 };
      batch.errors = {
        object: 'list',
        data:
          input.errors.length > 0
            ? input.errors
            : [{ code: 'empty_file', message: 'The batch input file is empty.', param: null, line: null }],
      };
      return;
    }
    batch.status = 'in_progress';
    batch.in_progress_at = Math.floor(at);
    this.progress.set(batch.id, { last: at, carry: 0 });
  }

  /** Runs the next `n` requests of a batch. */
  private process(batch: Batch, n: number): void {
    const counts = batch.request_counts;
    if (n <= 0 || !counts) return;
    const plan = this.planOf(batch);
    const before = counts.completed + counts.failed;
    const failed = plan.failedAmong(before + n) - plan.failedAmong(before);
    counts.failed += failed;
    counts.completed += n - failed;
    const usage = batch.usage;
    if (usage) {
      const succeeded = n - failed;
      const embeddingsLike = batch.endpoint === '/v1/embeddings' || batch.endpoint === '/v1/moderations';
      const input = succeeded * 150;
      const output = embeddingsLike ? 0 : succeeded * 60;
      usage.input_tokens = (usage.input_tokens ?? 0) + input;
      usage.output_tokens = (usage.output_tokens ?? 0) + output;
      usage.total_tokens = (usage.total_tokens ?? 0) + input + output;
      if (usage.input_tokens_details)
        usage.input_tokens_details.cached_tokens = (usage.input_tokens_details.cached_tokens ?? 0) + Math.floor(input / 10);
    }
  }

  /** Enters a terminal status and attaches output/error files, as the API does when a batch stops. */
  private finish(batch: Batch, status: 'completed' | 'cancelled' | 'expired', at: number): void {
    const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
    const t = Math.floor(at);
    batch.status = status;
    if (status === 'completed') batch.completed_at = t;
    else if (status === 'cancelled') batch.cancelled_at = t;
    else batch.expired_at = t;
    const unprocessed = counts.total - counts.completed - counts.failed;
    batch.output_file_id = counts.completed > 0 ? this.newFileId() : null;
    // Azure gives a completed batch an error file even when nothing failed (then it is empty).
    const errorFile =
      counts.failed > 0 || (status === 'expired' && unprocessed > 0) || (status === 'completed' && !!this.quirks.azureEmptyErrorFile);
    batch.error_file_id = errorFile ? this.newFileId() : null;
    this.progress.delete(batch.id);
  }
}
