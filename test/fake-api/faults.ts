/**
 * Faults tests inject (FaultRule in types.ts): the list of rules and which one a request meets,
 * and the answers that replace a route's (delays, hangs, resets, error statuses, captive-portal
 * HTML, endless bodies, gzip bombs). Modifiers that change a route's own answer (truncated,
 * trickle, lyingContentLength, emptyPageHasMore, stuckCursor) act where that answer is written.
 */
import type * as http from 'node:http';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Batch } from '../../src/core/api/types';
import { CHUNK_BYTES, matchPath, type Responder } from './http';
import type { AccountState } from './state';
import type { FaultRule, LoggedRequest } from './types';

const ENDLESS_BODY_LIMIT = 10 * 1024 ** 3;
const GZIP_BOMB_MEMBER_MIB = 64;
/** Gzip members concatenated make one valid stream (RFC 1952): 16 × 64 MiB inflate to 1 GiB. */
const GZIP_BOMB_MEMBERS = 16;

/** The rules a test added, each counting down the requests it still affects. */
export class FaultList {
  private faults: { rule: FaultRule; remaining: number }[] = [];

  add(rule: FaultRule): void {
    this.faults.push({ rule, remaining: rule.times ?? Infinity });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first rule that matches and has requests left, which it then counts. */
  take(method: string, path: string): FaultRule | undefined {
    for (const fault of this.faults) {
      if (fault.remaining <= 0) continue;
      if (fault.rule.method !== undefined && fault.rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!matchPath(fault.rule.path, path)) continue;
      fault.remaining--;
      return fault.rule;
    }
    return undefined;
  }
}

/**
 * Answers the request as its fault says when the fault replaces the route's answer, and says
 * whether it did. A delay that the closing server cuts short ends the request too. Faults come
 * before api-version and auth checks, so a test can inject e.g. a 500 or a reset whatever
 * credentials the client sends.
 */
export async function answerFault(
  fault: FaultRule,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  entry: LoggedRequest,
  out: Responder,
  state: AccountState,
): Promise<boolean> {
  if (fault.delayMs !== undefined && fault.delayMs > 0 && !(await out.sleep(fault.delayMs))) return true;
  if (fault.hang) return true;
  if (fault.reset) {
    req.socket.resetAndDestroy();
    return true;
  }
  const extraHeaders = fault.headers ?? {};
  if (fault.status !== undefined) {
    await sendFault(out, res, entry, fault, extraHeaders);
    return true;
  }
  if (fault.html) {
    out.sendRaw(res, entry, 200, Buffer.from(CAPTIVE_PORTAL_HTML), { 'content-type': 'text/html; charset=utf-8', ...extraHeaders });
    return true;
  }
  if (fault.endlessBody) {
    await sendEndless(out, res, entry, extraHeaders, fault, state.sorted().list[0]);
    return true;
  }
  if (fault.gzipBomb) {
    await sendGzipBomb(out, res, entry, extraHeaders);
    return true;
  }
  return false;
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

async function sendFault(
  out: Responder,
  res: http.ServerResponse,
  entry: LoggedRequest,
  fault: FaultRule,
  extraHeaders: Record<string, string>,
): Promise<void> {
  const status = fault.status ?? 500;
  if (typeof fault.body === 'string') {
    out.sendRaw(res, entry, status, Buffer.from(fault.body, 'utf8'), { 'content-type': 'application/json', ...extraHeaders });
  } else {
    await out.sendJson(res, entry, { status, json: fault.body ?? { error: defaultFaultError(status) } }, extraHeaders);
  }
}

/** A list that never ends: the same batch over and over, as fast as the client reads, until it goes. */
async function sendEndless(
  out: Responder,
  res: http.ServerResponse,
  entry: LoggedRequest,
  extraHeaders: Record<string, string>,
  fault: FaultRule,
  first: Batch | undefined,
): Promise<void> {
  if (res.destroyed) return;
  out.writeHead(res, entry, 200, { 'content-type': 'application/json', ...extraHeaders });
  const item = JSON.stringify(first ?? { id: 'batch_endless', object: 'batch' });
  const chunk = Buffer.from(`${item},`.repeat(Math.ceil(CHUNK_BYTES / (item.length + 1))));
  if (!(await out.write(res, Buffer.from('{"object":"list","data":['), fault))) return;
  for (let sent = 0; sent < ENDLESS_BODY_LIMIT; sent += chunk.length) {
    if (!(await out.write(res, chunk, fault))) return;
  }
  res.end(`${item}],"has_more":false}`);
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

async function sendGzipBomb(
  out: Responder,
  res: http.ServerResponse,
  entry: LoggedRequest,
  extraHeaders: Record<string, string>,
): Promise<void> {
  const member = await bombMember();
  if (res.destroyed) return;
  out.writeHead(res, entry, 200, {
    'content-type': 'application/json',
    ...extraHeaders,
    'content-encoding': 'gzip',
    'content-length': String(member.length * GZIP_BOMB_MEMBERS),
  });
  for (let i = 0; i < GZIP_BOMB_MEMBERS; i++) {
    if (!(await out.write(res, member, undefined))) return;
  }
  res.end();
}
