/**
 * A stateful fake of the OpenAI Batch + Files API, served over real HTTP on loopback.
 *
 * It behaves like the real API rather than replaying fixtures: cursor paging with validation,
 * auth with OpenAI's error shapes, multipart uploads, batch creation that validates its input
 * file, a fake clock that moves batches through their lifecycle and produces output/error
 * files, and streamed file downloads of any size. Tests inject faults (statuses, delays, hangs,
 * resets, HTML and truncated bodies, broken paging, endless, gzip-bomb and trickled bodies,
 * lying content-lengths) and read the request log.
 *
 * This file is the entry tests, the bench, the demo and the CLI import: startFakeApi, and the
 * server that accepts connections, logs each request, picks its account, lets faults answer
 * first, checks api-version and the key, routes to the resource modules (batches.ts, files.ts,
 * uploads.ts) and writes the answer as the provider's quirks say. Each account's state lives in
 * state.ts; the public types in types.ts.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { accountFor, type AuthHeader, authenticate, checkApiVersion, noMatchingAccount } from './accounts';
import { cancelBatch, createBatch, getBatch, listBatches } from './batches';
import { clockControl, countRequests, storeControl } from './control';
import { answerFault, FaultList } from './faults';
import { deleteFile, getFile, getFileContent, listFiles, type Reply, sendFile } from './files';
import { clip, errorReply, header, Responder, Sleepers } from './http';
import { parseQuirks, present, quirky } from './quirks';
import { AccountState, defaultNow } from './state';
import type { FakeAccountSpec, FakeApi, FakeApiOptions, FaultRule, LoggedRequest } from './types';
import { uploadFile } from './uploads';

export { maskKey } from './accounts';
export { parseQuirks } from './quirks';
export {
  type FakeAccountSpec,
  type FakeApi,
  type FakeApiOptions,
  type FaultRule,
  type FileSpec,
  type LoggedRequest,
  QUIRKS,
  type Quirk,
  type Quirks,
} from './types';

export async function startFakeApi(options: FakeApiOptions = {}): Promise<FakeApi> {
  const api = new FakeApiServer(options);
  await api.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return api;
}

const DEFAULT_KEY = 'sk-fake-test-key';

class FakeApiServer implements FakeApi {
  origin = '';
  baseUrl = '';
  port = 0;
  apiKey: string;
  readonly requests: LoggedRequest[] = [];
  readonly clock: FakeApi['clock'];
  readonly store: FakeApi['store'];
  readonly enqueuedTokenLimits: FakeApi['enqueuedTokenLimits'];
  /** See {@link FakeApiOptions.accounts}: requests are answered by these, logged here. */
  readonly accounts: FakeApiServer[] = [];

  private readonly state: AccountState;
  private readonly faults = new FaultList();
  private readonly sleepers = new Sleepers();
  private readonly responder = new Responder((ms) => this.sleepers.sleep(ms));
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private closing: Promise<void> | undefined;
  private readonly authHeader: AuthHeader;
  private readonly requireApiVersion: string | undefined;
  private readonly refuseApiVersion: boolean;
  private readonly basePath: string;
  private readonly accountSpecs: FakeAccountSpec[] = [];

  constructor(options: FakeApiOptions) {
    this.apiKey = options.apiKey ?? DEFAULT_KEY;
    this.authHeader = options.authHeader ?? 'bearer';
    this.requireApiVersion = options.requireApiVersion;
    this.refuseApiVersion = options.refuseApiVersion ?? false;
    this.basePath = (options.basePath ?? '/v1').replace(/\/+$/, '');
    this.state = new AccountState(
      options.quirks === 'all' ? parseQuirks('all') : { ...options.quirks },
      options.now ?? defaultNow(options.seed),
    );
    this.state.reset(options.seed);
    for (const spec of options.accounts ?? []) {
      this.accountSpecs.push(spec);
      this.accounts.push(new FakeApiServer({ ...options, accounts: undefined, apiKey: spec.apiKey, seed: spec.seed ?? options.seed }));
    }
    this.clock = clockControl(this.state);
    this.store = storeControl(this.state);
    this.enqueuedTokenLimits = this.state.enqueuedTokenLimits;

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
      this.sleepers.wakeAll();
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
    return countRequests(this.requests, method, pathPattern);
  }

  addFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

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

    const account = this.accounts.length ? accountFor(req, this.authHeader, this.accountSpecs, this.accounts) : this;
    if (!account) {
      void this.responder.sendJson(res, entry, noMatchingAccount(), {});
      return;
    }
    account.handle(req, res, entry, query).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      void this.responder.sendJson(res, entry, errorReply(500, `Fake API internal error: ${message}`, { type: 'server_error' }), {});
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, entry: LoggedRequest, query: URLSearchParams): Promise<void> {
    // Faults come first (see answerFault). Modifiers (truncated, emptyPageHasMore, stuckCursor, a
    // bare delayMs) then go through normal handling, auth included.
    const fault = this.faults.take(entry.method, entry.path);
    if (fault && (await answerFault(fault, req, res, entry, this.responder, this.state))) return;
    const extraHeaders = fault?.headers ?? {};
    const reply = await this.route(req, entry, query, fault);
    if ('file' in reply) {
      await sendFile(this.responder, res, entry, reply.file, extraHeaders, fault);
    } else {
      await this.responder.sendJson(res, entry, reply, extraHeaders, fault);
    }
  }

  private async route(
    req: http.IncomingMessage,
    entry: LoggedRequest,
    query: URLSearchParams,
    fault: FaultRule | undefined,
  ): Promise<Reply> {
    const refused =
      checkApiVersion(query, this.requireApiVersion, this.refuseApiVersion) ?? authenticate(req, this.authHeader, this.apiKey);
    if (refused) return refused;
    const reply = await this.dispatch(req, entry, query, fault);
    const quirks = this.state.quirks;
    return 'json' in reply && reply.status === 200 && quirky(quirks) ? { ...reply, json: present(quirks, reply.json) } : reply;
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
      if (method === 'GET' && id === undefined && action === undefined) return listBatches(this.state, query, fault);
      if (method === 'POST' && id === undefined && action === undefined) return createBatch(this.state, req, entry);
      if (method === 'GET' && id !== undefined && action === undefined) return getBatch(this.state, id);
      if (method === 'POST' && id !== undefined && action === 'cancel') return cancelBatch(this.state, id);
    } else if (collection === 'files') {
      if (method === 'GET' && id === undefined && action === undefined) return listFiles(this.state, query, fault);
      if (method === 'POST' && id === undefined && action === undefined) return uploadFile(this.state, req, entry);
      if (method === 'GET' && id !== undefined && action === undefined) return getFile(this.state, id);
      if (method === 'DELETE' && id !== undefined && action === undefined) return deleteFile(this.state, id);
      if (method === 'GET' && id !== undefined && action === 'content') return getFileContent(this.state, id);
    }
    return errorReply(404, `Invalid URL (${method} ${clip(entry.path, 200)})`);
  }
}
