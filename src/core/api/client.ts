import type * as http from 'node:http';
import type { Readable } from 'node:stream';
import { validateBaseUrl } from './baseUrl';
import { ApiError } from './errors';
import { isRecord } from '../util/json';
import { statusError, transportError, unexpectedResponse, withRequestedWait, type ErrorContext } from './responseErrors';
import { DEFAULT_RETRY_POLICY, RetryPolicy, requestedDelayMs, retryDelayMs, shouldRetryStatus, sleep } from './retry';
import { allowedBytes, type SizeLimit, tooLarge } from './sizeLimit';
import { Deadline, HttpTransport, neverDelivered, type Received, type TransportRequest } from './transport';
import type { Batch, BatchList, CreateBatchParams, ExpiresAfter, FileList, FileObject } from './types';

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

interface CallSpec extends TransportRequest {
  signal?: AbortSignal;
  /** Size of an upload body, which extends the deadline (see {@link MIN_UPLOAD_BYTES_PER_SECOND}). */
  uploadBytes?: number;
}

/**
 * A small client for the OpenAI Batch and Files API (and compatible providers).
 * Every failure surfaces as an {@link ApiError}; transient ones are retried within a bounded budget.
 */
export class BatchApiClient {
  readonly baseUrl: string;
  private readonly transport: HttpTransport;
  private readonly retry: RetryPolicy;
  private readonly host: string;
  private readonly timeoutMs: number;
  /** What error messages name: the host and the limits. */
  private readonly errors: ErrorContext;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = validateBaseUrl(options.baseUrl);
    this.host = new URL(this.baseUrl).host;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.errors = { host: this.host, timeoutMs: this.timeoutMs, maxResponseBytes: options.maxResponseBytes ?? MAX_RESPONSE_BYTES };
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.authHeader === 'api-key') headers['api-key'] = options.apiKey;
    else headers.Authorization = `Bearer ${options.apiKey}`;
    if (options.organization) headers['OpenAI-Organization'] = options.organization;
    if (options.project) headers['OpenAI-Project'] = options.project;
    this.transport = new HttpTransport({ ...this.errors, baseUrl: this.baseUrl, headers, apiVersion: options.apiVersion });
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
    return normalizeList<Batch>(body);
  }

  async getBatch(id: string, options: RequestOptions = {}): Promise<Batch> {
    return this.batchCall({ method: 'GET', path: `/batches/${encodeURIComponent(id)}`, resource: `batch ${id}` }, options);
  }

  async cancelBatch(id: string, options: RequestOptions = {}): Promise<Batch> {
    return this.batchCall({ method: 'POST', path: `/batches/${encodeURIComponent(id)}/cancel`, resource: `batch ${id}` }, options);
  }

  async createBatch(params: CreateBatchParams, options: RequestOptions = {}): Promise<Batch> {
    return this.batchCall({ method: 'POST', path: '/batches', body: params, resource: 'a new batch' }, options);
  }

  /** A call whose answer must be one batch object. */
  private async batchCall(spec: Omit<CallSpec, 'signal'>, options: RequestOptions): Promise<Batch> {
    return requireBatch(await this.json<Batch>({ ...spec, signal: options.signal }), this.host);
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
    return normalizeList<FileObject>(body);
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
    return unexpectedResponse(this.host, status, detail);
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
        const received = await this.transport.send(spec, deadline.signal);
        response = received;
        if (received.status < 200 || received.status >= 300) failure = await statusError(this.errors, received, spec.resource, streamed);
      } catch (error) {
        failure = transportError(this.errors, error, spec.resource, spec.signal, deadline.expired);
        delivered = !neverDelivered(error);
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

  private log(spec: CallSpec, attempt: number, status: number | undefined, failure: ApiError | undefined, ms: number): void {
    if (!this.options.log) return;
    const outcome = status !== undefined ? `HTTP ${status}` : (failure?.kind ?? 'ok');
    this.options.log(
      `${spec.method} ${spec.path}${this.transport.search(spec.query)} → ${outcome} in ${ms} ms${attempt ? ` (retry ${attempt})` : ''}`,
    );
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
function normalizeList<T extends { id: string }>(
  body: { data?: unknown; first_id?: string | null; last_id?: string | null; has_more?: unknown } | null,
): { object: 'list'; data: T[]; first_id: string | null; last_id: string | null; has_more?: boolean } {
  const data = Array.isArray(body?.data)
    ? body.data.filter((item): item is T => isRecord(item) && typeof item.id === 'string' && item.id !== '')
    : [];
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

function clipped(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
