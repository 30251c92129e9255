/**
 * HTTP plumbing shared by every route: reading requests (headers, bounded bodies, path
 * patterns), JSON error replies in OpenAI's shape, parameter checks more than one route makes,
 * and writing responses (Responder: heads with a request id, JSON bodies, streamed writes with
 * backpressure or a trickle, and the Sleepers a closing server wakes).
 */
import type * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { FaultRule, LoggedRequest } from './types';

/** The size of the pieces streamed bodies (file content, endless lists) are written in. */
export const CHUNK_BYTES = 64 * 1024;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function matchPath(pattern: string | RegExp, path: string): boolean {
  if (typeof pattern === 'string') return pattern === path;
  pattern.lastIndex = 0;
  return pattern.test(path);
}

export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Reads a request body; resolves null once it exceeds `limit` (the rest is discarded). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
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

export interface JsonReply {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

/** A 200 list page as the API sends it: its items, the ids at either end, and whether more follow. */
export function listPage(data: readonly { id: string }[], hasMore: boolean): JsonReply {
  return {
    status: 200,
    json: { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: hasMore },
  };
}

interface ErrorOptions {
  param?: string | null;
  code?: string | null;
  type?: string;
  headers?: Record<string, string>;
}

export function errorReply(status: number, message: string, opts: ErrorOptions = {}): JsonReply {
  return {
    status,
    json: { error: { message, type: opts.type ?? 'invalid_request_error', param: opts.param ?? null, code: opts.code ?? null } },
    headers: opts.headers,
  };
}

/** What `expires_after` and `output_expires_after` accept: one hour to 30 days after creation. */
const EXPIRES_AFTER_SECONDS = { min: 3600, max: 2_592_000 } as const;

/** Checks an expiry policy (`{anchor: "created_at", seconds}`) as the API does; the seconds, or an error reply. */
export function parseExpiresAfter(value: unknown, param: string): { seconds: number } | JsonReply {
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

type Sleeper = { timer?: NodeJS.Timeout; wake: (ok: boolean) => void };

/** The waits of requests (fault delays, trickled bytes); a closing server wakes them all, unsuccessfully. */
export class Sleepers {
  private readonly sleepers = new Set<Sleeper>();
  private closed = false;

  /** Resolves false instead of waking up if the server closes meanwhile. */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const sleeper: Sleeper = { wake: resolve };
      sleeper.timer = setTimeout(() => {
        this.sleepers.delete(sleeper);
        resolve(true);
      }, ms);
      this.sleepers.add(sleeper);
    });
  }

  wakeAll(): void {
    this.closed = true;
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake(false);
    }
    this.sleepers.clear();
  }
}

/** Writes responses and records in each request's log entry what was sent. */
export class Responder {
  private readonly entryOf = new WeakMap<http.ServerResponse, LoggedRequest>();

  /** `sleep` is the server's (Sleepers.sleep): false once it closes. */
  constructor(readonly sleep: (ms: number) => Promise<boolean>) {}

  writeHead(res: http.ServerResponse, entry: LoggedRequest, status: number, headers: Record<string, string>): void {
    entry.status = status;
    this.entryOf.set(res, entry);
    res.once('close', () => (entry.endedAt = Date.now()));
    res.writeHead(status, { 'x-request-id': `req_${randomBytes(16).toString('hex')}`, ...headers });
  }

  sendRaw(res: http.ServerResponse, entry: LoggedRequest, status: number, body: Buffer, headers: Record<string, string>): void {
    if (res.destroyed) return;
    this.writeHead(res, entry, status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  }

  /** With `trickle` (of `fault`), the body goes out a byte at a time. */
  async sendJson(
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

  /** Writes with backpressure, or a byte per `trickleIntervalMs` with `trickle`. False once the client has gone. */
  async write(res: http.ServerResponse, data: Buffer, fault: FaultRule | undefined): Promise<boolean> {
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
}
