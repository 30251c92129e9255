import axios, { AxiosInstance } from 'axios';
import type { LookupFunction } from 'node:net';
import * as http from 'node:http';
import * as https from 'node:https';
import { finished, pipeline, type Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import * as zlib from 'node:zlib';
import { isLoopbackHost, loopbackOnlyLookup } from './baseUrl';
import { tooLarge, type ErrorContext } from './responseErrors';

/** One request as the transport sends it; the client decides retries, deadlines and what the body means. */
export interface TransportRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Names the thing being fetched in error messages, e.g. `batch batch_123`. */
  resource: string;
  responseType?: 'text' | 'stream';
}

/** What one attempt brought back, from either transport: the body as text, or as a stream for file content. */
export interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  data: unknown;
}

export interface TransportOptions extends ErrorContext {
  /** Already validated (validateBaseUrl). */
  baseUrl: string;
  /** Sent with every request: Accept and the authentication headers. */
  headers: Record<string, string>;
  /** Azure's `api-version` query parameter, added to every request when set. */
  apiVersion?: string;
}

/** Connection failures that prove a request never reached the server, so that even a POST may be sent again. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether a failed attempt provably never reached the server ({@link NOT_DELIVERED}). */
export function neverDelivered(error: unknown): boolean {
  return NOT_DELIVERED.has((error as { code?: string } | undefined)?.code ?? '');
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
 * Sends one attempt of a request, and nothing more: GETs on node:http(s) itself, the rest (and
 * remote hosts behind an environment proxy) through axios. Loopback base URLs get their own
 * agents, lookup and transport, so the key never leaves this machine through a proxy.
 */
export class HttpTransport {
  private readonly http: AxiosInstance;
  /** Set for loopback base URLs only: the connections that must stay on this machine (see DIRECT_TRANSPORT). */
  private readonly loopbackAgents?: { httpAgent: http.Agent; httpsAgent: https.Agent };

  constructor(private readonly options: TransportOptions) {
    if (isLoopbackHost(new URL(options.baseUrl).hostname)) {
      // Fresh agents (set up like Node's global ones), because a global one may carry Node's own environment proxy.
      this.loopbackAgents = {
        httpAgent: new http.Agent({ keepAlive: true, timeout: 5_000 }),
        httpsAgent: new https.Agent({ keepAlive: true, timeout: 5_000 }),
      };
    }
    this.http = axios.create({
      headers: options.headers,
      // A socket idle timeout only; the whole-attempt deadline is the client's (Deadline).
      timeout: options.timeoutMs,
      // Statuses and bodies are interpreted by the client, once, so nothing downstream sees axios shapes.
      validateStatus: () => true,
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      maxContentLength: options.maxResponseBytes,
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

  /** One attempt, any status; rejects only when no response came (or a JSON body passed maxResponseBytes). */
  send(spec: TransportRequest, signal: AbortSignal): Promise<Received> {
    const viaAxios = spec.method !== 'GET' || (!this.loopbackAgents && environmentProxy());
    return viaAxios ? this.axiosAttempt(spec, signal) : this.get(spec, signal);
  }

  /** The query as a URL's search part: `?limit=100&after=…`, or empty. */
  search(query: TransportRequest['query']): string {
    const params = new URLSearchParams(this.query(query)).toString();
    return params ? `?${params}` : '';
  }

  private query(query: TransportRequest['query']): Record<string, string> {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params[key] = String(value);
    if (this.options.apiVersion) params['api-version'] = this.options.apiVersion;
    return params;
  }

  /**
   * One GET attempt on node:http(s) itself rather than axios, whose own work per request cost as
   * much CPU as everything else our client does, and made listing slower than the SDK's on a busy
   * machine. Same headers, agents, lookup and transport rules as the axios instance; a JSON body
   * is read whole, inflated and held to maxResponseBytes; file content comes as stored, as a stream.
   * Remote requests still go through axios when an environment proxy is set ({@link environmentProxy}).
   */
  private get(spec: TransportRequest, signal: AbortSignal): Promise<Received> {
    const streamed = spec.responseType === 'stream';
    const url = new URL(`${this.options.baseUrl}${spec.path}${this.search(spec.query)}`);
    const agents = this.loopbackAgents;
    const options: http.RequestOptions = {
      ...urlToHttpOptions(url),
      method: 'GET',
      // Content-Length must count what the file stream yields, so file content is never compressed.
      headers: { ...this.options.headers, 'Accept-Encoding': streamed ? 'identity' : 'gzip, deflate, br' },
      signal,
      ...(agents && { agent: url.protocol === 'https:' ? agents.httpsAgent : agents.httpAgent, lookup: loopbackLookup }),
    };
    const transport = agents ? DIRECT_TRANSPORT : url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(options, (response) => {
        const head = { status: response.statusCode ?? 0, headers: response.headers };
        if (streamed) return resolve({ ...head, data: response });
        readText(inflated(response), this.options.maxResponseBytes).then((text) => {
          if (text !== undefined) return resolve({ ...head, data: text });
          request.destroy();
          reject(tooLarge(this.options, spec.resource));
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
  private async axiosAttempt(spec: TransportRequest, signal: AbortSignal): Promise<Received> {
    const { status, headers, data } = await this.http.request<unknown>({
      method: spec.method,
      url: this.options.baseUrl + spec.path,
      params: this.query(spec.query),
      data: spec.body,
      signal,
      responseType: spec.responseType,
      // File content is counted against Content-Length by its reader, and held to no size here.
      ...(spec.responseType === 'stream' && { headers: { 'Accept-Encoding': 'identity' }, decompress: false, maxContentLength: -1 }),
    });
    return { status, headers: headers as http.IncomingHttpHeaders, data };
  }
}

/**
 * The signal for one attempt: aborts when the caller's signal does, or when the clock runs out
 * first (then `expired` is true, which is how a timeout is told from a cancel).
 */
export class Deadline {
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
