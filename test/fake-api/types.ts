/**
 * The fake's public surface, as tests, the bench, the demo and the CLI see it: the options of
 * startFakeApi (with the provider quirk flags), the request log, fault rules, file specs and the
 * FakeApi interface. Types and the quirk list only; no behaviour lives here.
 */
import type { Batch, FileObject } from '../../src/core/api/types';
import type { EnqueuedTokenLimits } from './queueLimits';

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
