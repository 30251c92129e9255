import axios, { AxiosInstance } from 'axios';
import type { LookupFunction } from 'node:net';
import * as http from 'node:http';
import * as https from 'node:https';
import { finished, pipeline, type Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import * as zlib from 'node:zlib';
import { isLoopbackHost, loopbackOnlyLookup, validateBaseUrl } from './baseUrl';
import { ApiError } from './errors';
import { formatBytes } from '../util/text';
import { isRecord } from '../util/json';
import { DEFAULT_RETRY_POLICY, RetryPolicy, requestedDelayMs, retryDelayMs, shouldRetryStatus, sleep } from './retry';
import { allowedBytes, type SizeLimit, tooLarge } from './sizeLimit';
import type { ApiErrorBody, Batch, BatchList, CreateBatchParams, ExpiresAfter, FileList, FileObject } from './types';

export type AuthHeaderStyle = 'bearer' | 'api-key';

const MiB = 1024 * 1024;

/**
 * The largest JSON response accepted, counted after decompression. A full page of 100 batches
 * with the most metadata the API allows is about 1 MiB; anything this much larger is a server
 * that does not stop (or a compression bomb), and is abandoned before it costs more memory.
 */
const MAX_RESPONSE_BYTES = 32 * MiB;

/**
 * The slowest average upload speed waited for: an upload's deadline grows by its size at this
 * rate, so a 200 MB batch input file gets about 100 minutes on top of the request timeout. A
 * stalled upload still ends after the request timeout of silence.
 */
const MIN_UPLOAD_BYTES_PER_SECOND = 32 * 1024;

export interface ClientOptions {
  /** e.g. `https://api.openai.com/v1`; checked by {@link validateBaseUrl}. */
  baseUrl: string;
  apiKey: string;
  organization?: string;
  project?: string;
  /**
   * Default 30 s. For JSON calls, the deadline of each whole attempt (a server that trickles a
   * byte a second gets no longer). For file content, the deadline for the response headers,
   * then the longest silence while the body streams: downloads may rightly take longer.
   */
  timeoutMs?: number;
  /** Default {@link MAX_RESPONSE_BYTES}; lower in tests. */
  maxResponseBytes?: number;
  /** `bearer` sends `Authorization: Bearer`, `api-key` sends Azure's `api-key` header. */
  authHeader?: AuthHeaderStyle;
  /** Azure's `api-version` query parameter, added to every request when set. */
  apiVersion?: string;
  retry?: Partial<RetryPolicy>;
  /** Receives one line per request attempt; never the key. */
  log?: (line: string) => void;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

interface CallSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Names the thing being fetched in error messages, e.g. `batch batch_123`. */
  resource: string;
  signal?: AbortSignal;
  responseType?: 'text' | 'stream';
  /** Size of an upload body, which extends the deadline (see {@link MIN_UPLOAD_BYTES_PER_SECOND}). */
  uploadBytes?: number;
}

/** Connection failures that prove a request never reached the server, so that even a POST may be sent again. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What one attempt brought back, from either transport: the body as text, or as a stream for file content. */
interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  data: unknown;
}

/**
 * VS Code's extension host patches `http.request` and `https.request` to route through its
 * `http.proxy`, sending only the names localhost, 127.0.0.1 and ::1 direct: a `*.localhost`
 * name or another loopback address such as 127.0.0.2 would reach the proxy, with the key in
 * clear. Building the ClientRequest directly skips that patch (and Node's environment proxy);
 * the loopback agent and lookup still apply.
 */
const DIRECT_TRANSPORT = {
  request(options: http.RequestOptions, callback?: (response: http.IncomingMessage) => void): http.ClientRequest {
    const defaultAgent = options.protocol === 'https:' ? https.globalAgent : http.globalAgent;
    return new http.ClientRequest({ ...options, _defaultAgent: defaultAgent }, callback);
  },
};

/**
 * A small client for the OpenAI Batch and Files API (and compatible providers).
 * Every failure surfaces as an {@link ApiError}; transient ones are retried within a bounded budget.
 */
export class BatchApiClient {
  readonly baseUrl: string;
  private readonly http: AxiosInstance;
  private readonly retry: RetryPolicy;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly headers: Record<string, string>;
  /** Set for loopback base URLs only: the connections that must stay on this machine (see DIRECT_TRANSPORT). */
  private readonly loopbackAgents?: { httpAgent: http.Agent; httpsAgent: https.Agent };

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = validateBaseUrl(options.baseUrl);
    const url = new URL(this.baseUrl);
    this.host = url.host;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.authHeader === 'api-key') headers['api-key'] = options.apiKey;
    else headers.Authorization = `Bearer ${options.apiKey}`;
    if (options.organization) headers['OpenAI-Organization'] = options.organization;
    if (options.project) headers['OpenAI-Project'] = options.project;
    this.headers = headers;
    if (isLoopbackHost(url.hostname)) {
      // Fresh agents (set up like Node's global ones), because a global one may carry Node's own environment proxy.
      this.loopbackAgents = {
        httpAgent: new http.Agent({ keepAlive: true, timeout: 5_000 }),
        httpsAgent: new https.Agent({ keepAlive: true, timeout: 5_000 }),
      };
    }
    this.http = axios.create({
      headers,
      // A socket idle timeout only; the whole-attempt deadline is in call().
      timeout: this.timeoutMs,
      // Statuses and bodies are interpreted here, once, so nothing downstream sees axios shapes.
      validateStatus: () => true,
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      maxContentLength: this.maxResponseBytes,
      transitional: { clarifyTimeoutError: true },
      ...(this.loopbackAgents && {
        // HTTP_PROXY would otherwise receive the key, in clear over http://.
        proxy: false as const,
        ...this.loopbackAgents,
        lookup: loopbackOnlyLookup,
        transport: DIRECT_TRANSPORT,
      }),
    });
  }

  /** One page of `GET /batches`, newest first. */
  async listBatches(params: { limit?: number; after?: string } = {}, options: RequestOptions = {}): Promise<BatchList> {
    const body = await this.json<Partial<BatchList>>({
      method: 'GET',
      path: '/batches',
      query: { limit: params.limit, after: params.after },
      resource: 'the batch list',
      signal: options.signal,
    });
    return normalizeList(body);
  }

  async getBatch(id: string, options: RequestOptions = {}): Promise<Batch> {
    const batch = await this.json<Batch>({
      method: 'GET',
      path: `/batches/${encodeURIComponent(id)}`,
      resource: `batch ${id}`,
      signal: options.signal,
    });
    return requireBatch(batch, this.host);
  }

  async cancelBatch(id: string, options: RequestOptions = {}): Promise<Batch> {
    const batch = await this.json<Batch>({
      method: 'POST',
      path: `/batches/${encodeURIComponent(id)}/cancel`,
      resource: `batch ${id}`,
      signal: options.signal,
    });
    return requireBatch(batch, this.host);
  }

  async createBatch(params: CreateBatchParams, options: RequestOptions = {}): Promise<Batch> {
    const batch = await this.json<Batch>({
      method: 'POST',
      path: '/batches',
      body: params,
      resource: 'a new batch',
      signal: options.signal,
    });
    return requireBatch(batch, this.host);
  }

  async getFile(id: string, options: RequestOptions = {}): Promise<FileObject> {
    const file = await this.json<FileObject>({
      method: 'GET',
      path: `/files/${encodeURIComponent(id)}`,
      resource: `file ${id}`,
      signal: options.signal,
    });
    if (!file || typeof file !== 'object' || typeof file.id !== 'string') throw this.unexpected(200, 'not a file object');
    return file;
  }

  /**
   * One page of `GET /files`. `after` is a file id: the page starts after that file, in the
   * order asked for (OpenAI's description: "an object ID that defines your place in the list").
   * Some providers ignore it and send the first page again; {@link Pager} stops on that.
   */
  async listFiles(
    params: { purpose?: string; order?: 'asc' | 'desc'; limit?: number; after?: string } = {},
    options: RequestOptions = {},
  ): Promise<FileList> {
    const body = await this.json<Partial<FileList>>({
      method: 'GET',
      path: '/files',
      query: { purpose: params.purpose, order: params.order, limit: params.limit, after: params.after },
      resource: 'the file list',
      signal: options.signal,
    });
    const data = Array.isArray(body?.data)
      ? body.data.filter((f): f is FileObject => isRecord(f) && typeof f.id === 'string' && f.id !== '')
      : [];
    return {
      object: 'list',
      data,
      first_id: body?.first_id ?? null,
      last_id: body?.last_id ?? null,
      has_more: listHasMore(body?.has_more),
    };
  }

  /** `DELETE /files/{id}`. Not retried once it may have reached the server (like a POST). */
  async deleteFile(id: string, options: RequestOptions = {}): Promise<{ id: string; deleted: boolean }> {
    const body = await this.json<{ id?: unknown; deleted?: unknown }>({
      method: 'DELETE',
      path: `/files/${encodeURIComponent(id)}`,
      resource: `file ${id}`,
      signal: options.signal,
    });
    if (!isRecord(body)) throw this.unexpected(200, 'not a deletion result');
    return { id: typeof body.id === 'string' ? body.id : id, deleted: body.deleted === true };
  }

  /**
   * Uploads a batch input file (`purpose=batch`). `data` may be a file-backed Blob so it streams
   * from disk. `expiresAfter` is sent as `expires_after[anchor]` and `expires_after[seconds]`.
   */
  async uploadFile(
    data: Blob,
    filename: string,
    purpose = 'batch',
    options: RequestOptions & { expiresAfter?: ExpiresAfter } = {},
  ): Promise<FileObject> {
    const form = new FormData();
    form.append('purpose', purpose);
    if (options.expiresAfter) {
      form.append('expires_after[anchor]', options.expiresAfter.anchor);
      form.append('expires_after[seconds]', String(options.expiresAfter.seconds));
    }
    form.append('file', data, filename);
    const file = await this.json<FileObject>({
      method: 'POST',
      path: '/files',
      body: form,
      resource: `upload of ${filename}`,
      signal: options.signal,
      uploadBytes: data.size,
    });
    if (!file || typeof file !== 'object' || typeof file.id !== 'string') throw this.unexpected(200, 'not a file object');
    return file;
  }

  /**
   * Streams `GET /files/{id}/content`; the caller consumes (or destroys) the stream. The bytes
   * come as stored, uncompressed, so `contentLength` counts exactly what the stream yields. The
   * stream fails with a timeout {@link ApiError} after `timeoutMs` without a byte.
   *
   * `limit` is required: an announced length past it is refused before a byte is read, and the
   * caller stops reading at the `maxBytes` returned (a body without Content-Length can be endless).
   */
  async fileContent(
    id: string,
    options: RequestOptions & { limit: SizeLimit },
  ): Promise<{ stream: Readable; contentLength?: number; maxBytes: number }> {
    const resource = `file ${id}`;
    const response = await this.call({
      method: 'GET',
      path: `/files/${encodeURIComponent(id)}/content`,
      resource,
      signal: options.signal,
      responseType: 'stream',
    });
    const stream = response.data as http.IncomingMessage;
    const encoding = String(response.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    if (encoding !== 'identity' && encoding !== '') {
      // Asked for identity. Inflating anyway would make Content-Length meaningless and let a few
      // compressed megabytes fill a disk.
      stream.destroy();
      throw this.unexpected(
        response.status,
        `${resource} came ${clipped(encoding)}-encoded although an uncompressed download was asked for`,
      );
    }
    stream.setTimeout(this.timeoutMs, () => {
      stream.destroy(
        new ApiError('timeout', `${this.host} sent nothing for ${Math.round(this.timeoutMs / 1000)} s while sending ${resource}.`),
      );
    });
    const length = Number(response.headers['content-length']);
    const contentLength = Number.isFinite(length) ? length : undefined;
    const maxBytes = allowedBytes(options.limit);
    if (contentLength !== undefined && contentLength > maxBytes) {
      stream.destroy();
      throw tooLarge(id, options.limit, { announced: contentLength });
    }
    return { stream, contentLength, maxBytes };
  }

  private async json<T>(spec: CallSpec): Promise<T> {
    const response = await this.call({ ...spec, responseType: 'text' });
    return this.parse(response) as T;
  }

  private parse(response: Received): unknown {
    const text = typeof response.data === 'string' ? response.data : '';
    const contentType = String(response.headers['content-type'] ?? '');
    if (/text\/html/i.test(contentType) || /^\s*</.test(text)) throw this.unexpected(response.status, 'HTML instead of JSON');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.unexpected(response.status, text.length === 0 ? 'empty body' : 'invalid or truncated JSON');
    }
  }

  private unexpected(status: number, detail: string): ApiError {
    return new ApiError('badResponse', `Unexpected response from ${this.host} (HTTP ${status}): ${detail}.`, status);
  }

  /** Sends one logical request, retrying transient failures within the policy. Resolves only on 2xx. */
  private async call(spec: CallSpec): Promise<Received> {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      const streamed = spec.responseType === 'stream';
      const deadline = new Deadline(this.timeoutMs + ((spec.uploadBytes ?? 0) / MIN_UPLOAD_BYTES_PER_SECOND) * 1000, spec.signal);
      let response: Received | undefined;
      let failure: ApiError | undefined;
      let delivered = true;
      try {
        const viaAxios = spec.method !== 'GET' || (!this.loopbackAgents && environmentProxy());
        const received = viaAxios ? await this.axiosAttempt(spec, deadline.signal) : await this.get(spec, deadline.signal);
        response = received;
        if (received.status < 200 || received.status >= 300) failure = await this.statusError(received, spec);
      } catch (error) {
        failure = this.transportError(error, spec, deadline.expired);
        delivered = !NOT_DELIVERED.has((error as { code?: string } | undefined)?.code ?? '');
      }
      this.log(spec, attempt, response?.status, failure, Date.now() - started);
      if (!failure && response) {
        if (streamed) {
          // The body is bounded by silence instead (fileContent); a cancel still reaches it.
          deadline.stopClock();
          (response.data as Readable).once('close', () => deadline.dispose());
        } else {
          deadline.dispose();
        }
        return response;
      }
      deadline.dispose();
      failure ??= new ApiError('network', `No response from ${this.host}.`);

      const headers = response?.headers ?? {};
      // A POST that may have reached the server (a timeout, a reset) is not sent again: a second create is a second bill.
      const retryable = response
        ? shouldRetryStatus(response.status, spec.method, headers)
        : failure.transient && failure.kind !== 'cancelled' && (spec.method === 'GET' || !delivered);
      if (!response && failure.transient && spec.method !== 'GET' && delivered) {
        throw new ApiError(
          failure.kind,
          `${failure.message} It may have reached ${this.host} all the same: refresh before trying again.`,
          failure.status,
          failure.code,
        );
      }
      if (!retryable || attempt >= this.retry.maxRetries) throw failure;
      const delay = retryDelayMs(attempt + 1, this.retry, headers);
      if (waited + delay > this.retry.maxTotalWaitMs) {
        // Retrying sooner than the server asked would only be refused again: give up now and say when it will answer.
        throw requestedDelayMs(headers) === undefined ? failure : withRequestedWait(failure, delay);
      }
      waited += delay;
      try {
        await sleep(delay, spec.signal);
      } catch {
        throw new ApiError('cancelled', 'Request cancelled.');
      }
    }
  }

  private query(query: CallSpec['query']): Record<string, string> {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params[key] = String(value);
    if (this.options.apiVersion) params['api-version'] = this.options.apiVersion;
    return params;
  }

  /** The query as a URL's search part: `?limit=100&after=…`, or empty. */
  private search(spec: CallSpec): string {
    const query = new URLSearchParams(this.query(spec.query)).toString();
    return query ? `?${query}` : '';
  }

  /**
   * One GET attempt on node:http(s) itself rather than axios, whose own work per request cost as
   * much CPU as everything else our client does, and made listing slower than the SDK's on a busy
   * machine. Same headers, agents, lookup and transport rules as the axios instance; a JSON body
   * is read whole, inflated and held to maxResponseBytes; file content comes as stored, as a stream.
   * Remote requests still go through axios when an environment proxy is set ({@link environmentProxy}).
   */
  private get(spec: CallSpec, signal: AbortSignal): Promise<Received> {
    const streamed = spec.responseType === 'stream';
    const url = new URL(`${this.baseUrl}${spec.path}${this.search(spec)}`);
    const agents = this.loopbackAgents;
    const options: http.RequestOptions = {
      ...urlToHttpOptions(url),
      method: 'GET',
      // Content-Length must count what the file stream yields, so file content is never compressed.
      headers: { ...this.headers, 'Accept-Encoding': streamed ? 'identity' : 'gzip, deflate, br' },
      signal,
      ...(agents && { agent: url.protocol === 'https:' ? agents.httpsAgent : agents.httpAgent, lookup: loopbackLookup }),
    };
    const transport = agents ? DIRECT_TRANSPORT : url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(options, (response) => {
        const head = { status: response.statusCode ?? 0, headers: response.headers };
        if (streamed) return resolve({ ...head, data: response });
        readText(inflated(response), this.maxResponseBytes).then((text) => {
          if (text !== undefined) return resolve({ ...head, data: text });
          request.destroy();
          reject(this.tooLarge(spec));
        }, reject);
      });
      request.on('error', reject);
      request.end();
    });
  }

  /**
   * One attempt through axios, for what it does and {@link get} does not: POSTs (it encodes the
   * multipart upload, with its Content-Length, from a file-backed Blob), and remote hosts behind
   * an environment proxy (HTTPS_PROXY, NO_PROXY).
   */
  private async axiosAttempt(spec: CallSpec, signal: AbortSignal): Promise<Received> {
    const { status, headers, data } = await this.http.request<unknown>({
      method: spec.method,
      url: this.baseUrl + spec.path,
      params: this.query(spec.query),
      data: spec.body,
      signal,
      responseType: spec.responseType,
      // File content is counted against Content-Length by its reader, and held to no size here.
      ...(spec.responseType === 'stream' && { headers: { 'Accept-Encoding': 'identity' }, decompress: false, maxContentLength: -1 }),
    });
    return { status, headers: headers as http.IncomingHttpHeaders, data };
  }

  private tooLarge(spec: CallSpec): ApiError {
    const limit = formatBytes(this.maxResponseBytes);
    return new ApiError(
      'badResponse',
      `The response from ${this.host} exceeded ${limit} (request for ${spec.resource}) and was abandoned.`,
    );
  }

  private async statusError(response: Received, spec: CallSpec): Promise<ApiError> {
    const text =
      spec.responseType === 'stream' ? await readSome(response.data as Readable) : typeof response.data === 'string' ? response.data : '';
    let apiMessage: string | undefined;
    let code: string | undefined;
    try {
      const body = JSON.parse(text) as ApiErrorBody;
      apiMessage = body?.error?.message ?? undefined;
      code = body?.error?.code ?? undefined;
    } catch {
      // Not JSON: a proxy page or a bare status. The status alone decides the message.
    }
    const status = response.status;
    const detail = apiMessage ? `: ${apiMessage}` : '';
    if (status === 401) return new ApiError('auth', `Invalid or missing API key (HTTP 401)${detail}`, status, code);
    if (status === 403) return new ApiError('forbidden', `Access to ${spec.resource} was denied (HTTP 403)${detail}`, status, code);
    if (status === 404) return new ApiError('notFound', `${capitalize(spec.resource)} was not found (HTTP 404)${detail}`, status, code);
    if (status === 408)
      return new ApiError('timeout', `${this.host} timed out the request for ${spec.resource} (HTTP 408)${detail}`, status, code);
    if (status === 409) return new ApiError('conflict', apiMessage ?? `Conflict on ${spec.resource} (HTTP 409).`, status, code);
    if (status === 429) return new ApiError('rateLimited', `Rate limited by ${this.host} (HTTP 429)${detail}`, status, code);
    if (status >= 500) return new ApiError('server', `${this.host} had a server error (HTTP ${status})${detail}`, status, code);
    if (!apiMessage && text.trim().startsWith('<')) return this.unexpected(status, 'HTML instead of JSON');
    return new ApiError('badRequest', `Request for ${spec.resource} was rejected (HTTP ${status})${detail}`, status, code);
  }

  private transportError(error: unknown, spec: CallSpec, deadlineExpired: boolean): ApiError {
    if (error instanceof ApiError) return error;
    const timeout = (): ApiError =>
      new ApiError('timeout', `${this.host} did not answer within ${Math.round(this.timeoutMs / 1000)} s (request for ${spec.resource}).`);
    if (deadlineExpired) return timeout();
    if (axios.isCancel(error) || spec.signal?.aborted) return new ApiError('cancelled', 'Request cancelled.');
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    if (cause instanceof ApiError) return cause; // e.g. the loopback lookup's refusal
    const code = (error as { code?: string } | undefined)?.code;
    if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') return timeout();
    // axios says so only in its message; its code (ERR_BAD_RESPONSE) also covers aborted streams.
    if (/^maxContentLength size of \d+ exceeded/.test(String((error as Error | undefined)?.message))) return this.tooLarge(spec);
    const reason = code ?? 'connection failed';
    return new ApiError('network', `Could not reach ${this.host} (${reason}) while loading ${spec.resource}.`);
  }

  private log(spec: CallSpec, attempt: number, status: number | undefined, failure: ApiError | undefined, ms: number): void {
    if (!this.options.log) return;
    const outcome = status !== undefined ? `HTTP ${status}` : (failure?.kind ?? 'ok');
    this.options.log(`${spec.method} ${spec.path}${this.search(spec)} → ${outcome} in ${ms} ms${attempt ? ` (retry ${attempt})` : ''}`);
  }
}

/**
 * `has_more` as the provider sent it, or undefined when it sent none (or not a boolean): some page
 * without saying whether more follows, so a full page may not be the last (`page.listPage`).
 */
function listHasMore(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Providers differ: tolerate a missing `data`, null ids and missing or non-boolean `has_more`. Items without an id are dropped. */
function normalizeList(body: Partial<BatchList> | null): BatchList {
  const data = Array.isArray(body?.data) ? body.data.filter((b): b is Batch => isRecord(b) && typeof b.id === 'string' && b.id !== '') : [];
  return {
    object: 'list',
    data,
    first_id: body?.first_id ?? null,
    last_id: body?.last_id ?? null,
    has_more: listHasMore(body?.has_more),
  };
}

function requireBatch(batch: Batch | null, host: string): Batch {
  if (!batch || typeof batch !== 'object' || typeof batch.id !== 'string') {
    throw new ApiError('badResponse', `Unexpected response from ${host} (HTTP 200): not a batch object.`, 200);
  }
  return batch;
}

/** The variables axios (proxy-from-env) reads for an https:// URL; remote base URLs are always https. */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'];

/** Whether a proxy from the environment may apply to a remote request (then axios sends it, NO_PROXY and all). */
function environmentProxy(): boolean {
  return PROXY_VARIABLES.some((name) => !!process.env[name]);
}

/** {@link loopbackOnlyLookup} answered in the shape the connection asked for: the list, or its first address. */
const loopbackLookup: LookupFunction = (hostname, options, callback) => {
  loopbackOnlyLookup(hostname, options, (error, addresses) => {
    if (options.all) callback(error, addresses);
    else callback(error, addresses[0]?.address ?? '', addresses[0]?.family);
  });
};

/** A response body decoded as its Content-Encoding says (the encodings a JSON GET accepts). */
function inflated(response: http.IncomingMessage): Readable {
  const encoding = String(response.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate'
      ? zlib.createUnzip()
      : encoding === 'br'
        ? zlib.createBrotliDecompress()
        : undefined;
  if (!decoder) return response;
  // Errors on either side reach the decoder, where readText hears them.
  pipeline(response, decoder, () => undefined);
  return decoder;
}

/** The whole body as UTF-8, or undefined as soon as it passes `limit` bytes (the rest is not read). */
function readText(body: Readable, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      } else {
        body.destroy();
        resolve(undefined);
      }
    });
    finished(body, (error) => (error ? reject(error) : resolve(Buffer.concat(chunks, size).toString('utf8'))));
  });
}

async function readSome(stream: Readable, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

/** The same error, saying how long the server asked to wait (when that is long enough to matter). */
function withRequestedWait(error: ApiError, ms: number): ApiError {
  const seconds = Math.round(ms / 1000);
  if (seconds < 1) return error;
  const minutes = Math.round(seconds / 60);
  const hours = Math.round(minutes / 60);
  const wait = seconds < 60 ? `${seconds} s` : minutes < 60 ? plural(minutes, 'minute') : plural(hours, 'hour');
  return new ApiError(
    error.kind,
    `${error.message.replace(/\.?$/, '.')} The server asked to wait about ${wait} before retrying.`,
    error.status,
    error.code,
  );
}

/**
 * The signal for one attempt: aborts when the caller's signal does, or when the clock runs out
 * first (then `expired` is true, which is how a timeout is told from a cancel).
 */
class Deadline {
  private readonly controller = new AbortController();
  private readonly forward = (): void => this.controller.abort();
  private readonly timer: NodeJS.Timeout;
  private clockRanOut = false;

  constructor(
    ms: number,
    private readonly parent?: AbortSignal,
  ) {
    this.timer = setTimeout(() => {
      this.clockRanOut = !this.controller.signal.aborted;
      this.controller.abort();
    }, ms);
    if (parent?.aborted) this.controller.abort();
    else parent?.addEventListener('abort', this.forward, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.clockRanOut;
  }

  /** From now on only the caller's signal aborts. */
  stopClock(): void {
    clearTimeout(this.timer);
  }

  dispose(): void {
    this.stopClock();
    this.parent?.removeEventListener('abort', this.forward);
  }
}

function clipped(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
