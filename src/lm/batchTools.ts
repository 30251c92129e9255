import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { AccountFiles } from '../core/files/accountFiles';
import { batchText, listText, resultsText } from '../core/agents/agentText';
import { fileIdOf, TERMINAL_STATUSES } from '../core/batches/batchFacts';
import type { AccountConnection, BatchStore } from '../core/batches/batchStore';
import { downloadFile } from '../core/files/download';
import { ApiError, errorMessage, isCancellation } from '../core/api/errors';
import { describeFilter, matchesFilter, type BatchFilter } from '../core/batches/filter';
import { formatBytes, ID_MAX, plainText } from '../core/util/text';
import { canonicalStatus, statusOf } from '../core/batches/grouping';
import type { ProgressTracker } from '../core/batches/progressTracker';
import { summarizeResultsInWorker } from '../core/input/scans';
import type { Batch } from '../core/api/types';
import { dataBlock } from '../core/agents/dataBlock';
import { allowedBytes, AUTOMATIC_READ_CEILING_BYTES, automaticReadLimit, TooLargeError, userDownloadLimit } from '../core/api/sizeLimit';
import { ToolName } from '../ids';
import type { Logger } from '../log';
import type { LanguageModelTool, LmToolsApi, PreparedToolInvocation } from './lmApi';
import { pickAccount, type ToolAccount, withCancellation } from './toolAccounts';

/** What the tools read from. They only read: list, get, download result files into the cache. */
export interface BatchToolDeps {
  /** The first account's store (the only one without `accounts`). */
  store: BatchStore;
  files: AccountFiles;
  log: Logger;
  progress?: ProgressTracker;
  /** Every account, the first one first; absent: only `store`'s. */
  accounts?: () => readonly ToolAccount[];
}

/** Every account the tools may read. */
function accountsOf(deps: BatchToolDeps): readonly ToolAccount[] {
  return deps.accounts?.() ?? [];
}

/**
 * The deps of the account an input names (`account`); without one, of the account whose store
 * has `batchId` loaded, else the first. Undefined with the refusal when no account has that name.
 */
function accountDeps(deps: BatchToolDeps, input: unknown, batchId?: string): { deps: BatchToolDeps } | { refusal: string } {
  const accounts = accountsOf(deps);
  if (accounts.length === 0) return { deps };
  const picked = pickAccount(accounts, (input as { account?: unknown } | undefined)?.account, (account) =>
    batchId ? account.store.get(batchId) !== undefined : false,
  );
  if (!picked.ok) return { refusal: picked.reason };
  return { deps: { ...deps, store: picked.account.store, progress: picked.account.progress } };
}

export interface ListBatchesInput {
  account?: string;
  status?: string | string[];
  text?: string;
  endpoint?: string | string[];
  limit?: number;
  refresh?: boolean;
}

export interface BatchIdInput {
  batchId: string;
  account?: string;
}

export interface BatchResultsInput extends BatchIdInput {
  topErrors?: number;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const DEFAULT_TOP_ERRORS = 5;
const MAX_TOP_ERRORS = 20;
/** Result lines (output and error together) batchResults reads at most: as many as the largest batch has requests (Azure's 100,000). */
export const MAX_RESULT_LINES = 100_000;
/** How long a confirmation given in prepareInvocation stands for the invocation that follows it. */
const APPROVAL_MS = 10 * 60_000;

/**
 * Registers the read-only language model tools when this VS Code has the API (1.95+: pass
 * `lmToolsApi()`, undefined explicitly meaning "none"); on older
 * ones it registers nothing and says so in the log, and the rest of the extension works as before.
 */
export function registerBatchTools(deps: BatchToolDeps, api: LmToolsApi | undefined): vscode.Disposable {
  if (!api) {
    deps.log.info('This VS Code has no language model tools API (it needs 1.95 or later): the agent tools are not registered.');
    return new vscode.Disposable(() => undefined);
  }
  const tool = <T>(
    name: string,
    invocationMessage: (input: T) => string,
    run: (input: T, signal: AbortSignal) => Promise<string>,
    confirmation?: (input: T, signal: AbortSignal) => Promise<PreparedToolInvocation['confirmationMessages']>,
  ): vscode.Disposable =>
    api.registerTool<T>(name, {
      prepareInvocation: async ({ input }, token) => {
        const confirmationMessages = confirmation
          ? await withCancellation(token, (signal) => confirmation(input, signal)).catch(() => undefined)
          : undefined;
        return { invocationMessage: invocationMessage(input), ...(confirmationMessages && { confirmationMessages }) };
      },
      invoke: async ({ input }, token) => {
        const started = Date.now();
        const text = deps.log.redactor.redact(await withCancellation(token, (signal) => run(input, signal)));
        deps.log.info(`Agent tool ${name} answered ${text.length} characters in ${Date.now() - started} ms.`);
        return api.textResult(text);
      },
    } satisfies LanguageModelTool<T>);
  return vscode.Disposable.from(
    tool<ListBatchesInput>(
      ToolName.listBatches,
      () => vscode.l10n.t('Listing OpenAI batches'),
      (input) => listEveryAccount(deps, input),
    ),
    tool<BatchIdInput>(
      ToolName.getBatch,
      (input) => vscode.l10n.t('Reading batch {0}', idOf(input) ?? '').trim(),
      (input, signal) => withAccount(deps, input, (chosen) => getBatch(chosen, input, signal)),
    ),
    tool<BatchResultsInput>(
      ToolName.batchResults,
      (input) => vscode.l10n.t('Summarizing the results of batch {0}', idOf(input) ?? '').trim(),
      (input, signal) => withAccount(deps, input, (chosen) => batchResults(chosen, input, signal)),
      (input, signal) => {
        const chosen = accountDeps(deps, input, idOf(input));
        return 'refusal' in chosen ? Promise.resolve(undefined) : confirmLargeResults(chosen.deps, input, signal);
      },
    ),
  );
}

/** The `batchId` of an input, trimmed, when it is a usable string (the model writes the input: nothing is assumed). */
function idOf(input: unknown): string | undefined {
  const value = typeof input === 'object' && input !== null ? (input as { batchId?: unknown }).batchId : undefined;
  if (typeof value !== 'string') return undefined;
  const id = plainText(value.trim(), ID_MAX);
  return id && id.length === value.trim().length ? id : undefined;
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((item) => item.trim());
}

function clampInteger(value: unknown, fallback: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(1, Math.floor(value))) : fallback;
}

/** Why nothing can be read, when the store has no connection; undefined when it can. */
function notConnected(store: BatchStore): string | undefined {
  const state = store.state;
  if (state.kind === 'signedOut') return 'Not connected: no API key is stored. The user can run "OpenAI Batches: Set API Key…".';
  if (state.kind === 'misconfigured') return `Not connected: ${state.error.message}`;
  return undefined;
}

function failure(deps: BatchToolDeps, what: string, error: unknown): string {
  if (isCancellation(error)) throw error;
  const message = deps.log.shown(errorMessage(error));
  deps.log.warn(`Agent tool: ${what} failed: ${message}`);
  // The server's words (an error message) are data too.
  return `${what} failed:\n${dataBlock(message)}`;
}

/** Runs a tool on the account the input names, or the one that has its batch loaded. */
function withAccount(deps: BatchToolDeps, input: unknown, run: (deps: BatchToolDeps) => Promise<string>): Promise<string> {
  const chosen = accountDeps(deps, input, idOf(input));
  return 'refusal' in chosen ? Promise.resolve(chosen.refusal) : run(chosen.deps);
}

/** The list of the account the input names; without one, of every account, one section each (one account: as it is). */
async function listEveryAccount(deps: BatchToolDeps, input: ListBatchesInput): Promise<string> {
  const accounts = accountsOf(deps);
  if (accounts.length <= 1 || (typeof input?.account === 'string' && input.account.trim())) {
    return withAccount(deps, input, (chosen) => listBatches(chosen, input));
  }
  const sections = await Promise.all(
    accounts.map(async (account) => {
      const text = await listBatches({ ...deps, store: account.store, progress: account.progress }, input);
      return `Account "${plainText(account.settings.name, 60)}":\n${text}`;
    }),
  );
  return sections.join('\n\n');
}

/** The loaded batches that match, newest first; refreshes first (about one request) unless told not to. */
export async function listBatches(deps: BatchToolDeps, input: ListBatchesInput): Promise<string> {
  const { store } = deps;
  const unavailable = notConnected(store);
  if (unavailable) return unavailable;
  if (!store.hasLoaded || input?.refresh !== false) await store.refresh();
  if (!store.hasLoaded) return failure(deps, 'Loading batches', store.refreshError ?? new ApiError('network', 'nothing was loaded'));
  const filter: BatchFilter = {
    text: strings(input?.text)[0],
    statuses: strings(input?.status).map((status) => canonicalStatus(status.toLowerCase().replace(/[\s-]+/g, '_'))),
    endpoints: strings(input?.endpoint),
  };
  const matches = store.batches.filter((batch) => matchesFilter(batch, filter));
  const limit = clampInteger(input?.limit, DEFAULT_LIMIT, MAX_LIMIT);
  const now = Date.now();
  let text = listText({
    shown: matches.slice(0, limit),
    matched: matches.length,
    loaded: store.batches.length,
    hasMore: store.hasMore,
    filter: describeFilter(filter),
    now,
    estimate: (batch) => deps.progress?.estimate(batch),
  });
  if (store.refreshError)
    text += `\nThe refresh failed: these are the batches loaded before it. Why:\n${dataBlock(deps.log.shown(store.refreshError.message))}`;
  return text;
}

/** A batch as fresh as it needs to be: a finished one from the store (it never changes again), else `GET /batches/{id}`. */
async function freshBatch(store: BatchStore, id: string, signal: AbortSignal): Promise<Batch> {
  const known = store.get(id);
  if (known && TERMINAL_STATUSES.has(statusOf(known))) return known;
  return store.fetchBatch(id, signal);
}

export async function getBatch(deps: BatchToolDeps, input: BatchIdInput, signal: AbortSignal): Promise<string> {
  const unavailable = notConnected(deps.store);
  if (unavailable) return unavailable;
  const id = idOf(input);
  if (!id) return 'Give batchId: the id of a batch, e.g. "batch_abc123" (the list tool shows them).';
  try {
    const batch = await freshBatch(deps.store, id, signal);
    const now = Date.now();
    return batchText(batch, now, deps.progress?.estimate(batch));
  } catch (error) {
    return failure(deps, `Reading batch ${id}`, error);
  }
}

/** A result file batchResults reads: its id, role, whether the cache has it, and its size as its record says. */
interface ResultFile {
  fileId: string;
  role: 'output' | 'error';
  cached: boolean;
  recordBytes?: number;
  /** The person allowed reading it past the automatic ceiling (confirmLargeResults). */
  approved?: boolean;
}

/**
 * What prepareInvocation learnt of each file for the invocation that follows it (by account and
 * file id): its record's size, read once, and whether the person allowed more than the ceiling.
 */
const prepared = new Map<string, { at: number; recordBytes?: number; approved: boolean }>();
const preparedKey = (account: string, fileId: string): string => `${account}\u0000${fileId}`;

/**
 * The batch's output and error files, with what `GET /files/{id}` says of the size of those not
 * cached yet; `taking` uses (once) what {@link confirmLargeResults} found and was allowed.
 */
async function resultFiles(
  deps: BatchToolDeps,
  connection: AccountConnection,
  batch: Batch,
  signal: AbortSignal,
  taking: boolean,
): Promise<ResultFile[]> {
  const files: ResultFile[] = [];
  for (const role of ['output', 'error'] as const) {
    const fileId = fileIdOf(batch, role);
    if (!fileId) continue;
    const path = await deps.files.pathFor(connection.account, fileId);
    const cached = await stat(path).then(
      (info) => info.isFile(),
      () => false,
    );
    const key = preparedKey(connection.account, fileId);
    const known = taking ? prepared.get(key) : undefined;
    prepared.delete(key);
    if (cached) files.push({ fileId, role, cached });
    else if (known && Date.now() - known.at < APPROVAL_MS) files.push({ fileId, role, cached, ...known });
    else {
      const record = await connection.client.getFile(fileId, { signal }).catch((error: unknown) => {
        if (isCancellation(error)) throw error;
        return undefined;
      });
      files.push({ fileId, role, cached, recordBytes: typeof record?.bytes === 'number' ? record.bytes : undefined });
    }
  }
  return files;
}

/** Whether reading `file` needs more than an automatic read may take. */
const pastCeiling = (file: ResultFile): boolean =>
  !file.cached && file.recordBytes !== undefined && allowedBytes(automaticReadLimit(file.recordBytes)) >= AUTOMATIC_READ_CEILING_BYTES;

/**
 * batchResults' prepareInvocation: reads the sizes of the result files it would download, and
 * asks for a confirmation (VS Code's own) when one is larger than an automatic read may be.
 * Undefined when nothing needs asking. The invocation that follows uses what it found.
 */
export async function confirmLargeResults(
  deps: BatchToolDeps,
  input: BatchResultsInput,
  signal: AbortSignal,
): Promise<{ title: string; message: string } | undefined> {
  const id = idOf(input);
  if (!id || notConnected(deps.store)) return undefined;
  const connection = deps.store.requireConnection();
  const batch = await freshBatch(deps.store, id, signal);
  const files = (await resultFiles(deps, connection, batch, signal, false)).filter((file) => !file.cached);
  const at = Date.now();
  for (const file of files)
    prepared.set(preparedKey(connection.account, file.fileId), { at, recordBytes: file.recordBytes, approved: pastCeiling(file) });
  const large = files.filter(pastCeiling);
  if (large.length === 0) return undefined;
  const listed = large.map((file) => `the ${file.role} file ${plainText(file.fileId, ID_MAX)} (${formatBytes(file.recordBytes ?? 0)})`);
  return {
    title: vscode.l10n.t('Download large result files?'),
    message: vscode.l10n.t(
      'To summarize batch {0}, the agent would download {1} into the cache: more than the {2} an agent tool reads without asking.',
      plainText(id, ID_MAX),
      listed.join(vscode.l10n.t(' and ')),
      formatBytes(AUTOMATIC_READ_CEILING_BYTES),
    ),
  };
}

export async function batchResults(deps: BatchToolDeps, input: BatchResultsInput, signal: AbortSignal): Promise<string> {
  const unavailable = notConnected(deps.store);
  if (unavailable) return unavailable;
  const id = idOf(input);
  if (!id) return 'Give batchId: the id of a batch, e.g. "batch_abc123" (the list tool shows them).';
  try {
    const connection = deps.store.requireConnection();
    const batch = await freshBatch(deps.store, id, signal);
    const files = await resultFiles(deps, connection, batch, signal, true);
    if (files.length === 0) {
      return `Batch ${id} has no results yet (status: ${plainText(statusOf(batch), 60)}): they appear when it completes, expires or is cancelled.`;
    }
    const notes: string[] = [];
    const paths: Partial<Record<ResultFile['role'], string>> = {};
    for (const file of files) {
      const path = await deps.files.pathFor(connection.account, file.fileId);
      if (!file.cached) {
        // Never past the automatic ceiling unless the person confirmed this file (confirmLargeResults).
        const approved = file.approved === true;
        const limit = approved ? userDownloadLimit(file.recordBytes) : automaticReadLimit(file.recordBytes);
        const { bytes } = await downloadFile(connection.client, file.fileId, path, limit, { signal }).catch((error: unknown) => {
          if (error instanceof TooLargeError && error.overCeiling && !approved)
            throw new TooLargeError(
              `${error.message} The user was not asked to allow a larger download; they can open the results in the editor (Open Results) instead.`,
              true,
              error.ceilingBytes,
            );
          throw error;
        });
        notes.push(`Downloaded the ${file.role} file ${file.fileId} (${formatBytes(bytes)}); the results view reuses it.`);
      }
      paths[file.role] = path;
    }
    // In a worker: a 1.5 GB output is read off the extension host's thread.
    const summary = await summarizeResultsInWorker(paths, batch.endpoint, { signal, maxLines: MAX_RESULT_LINES });
    const top = clampInteger(input?.topErrors, DEFAULT_TOP_ERRORS, MAX_TOP_ERRORS);
    return resultsText(batch, summary, notes, top);
  } catch (error) {
    return failure(deps, `Summarizing the results of batch ${id}`, error);
  }
}
