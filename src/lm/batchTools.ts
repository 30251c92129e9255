import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { AccountFiles } from '../core/files/accountFiles';
import { batchText, listText, resultsText } from '../core/agents/agentText';
import { fileIdOf, TERMINAL_STATUSES } from '../core/batches/batchFacts';
import type { BatchStore } from '../core/batches/batchStore';
import { downloadFile } from '../core/files/download';
import { ApiError, errorMessage, isCancellation } from '../core/api/errors';
import { describeFilter, matchesFilter, type BatchFilter } from '../core/batches/filter';
import { formatBytes, ID_MAX, plainText } from '../core/util/text';
import { canonicalStatus, statusOf } from '../core/batches/grouping';
import { readLines } from '../core/util/lineReader';
import type { ProgressTracker } from '../core/batches/progressTracker';
import { summarizeResultFiles } from '../core/results/resultsSummary';
import type { Batch } from '../core/api/types';
import { ToolName } from '../ids';
import type { Logger } from '../log';
import type { LanguageModelTool, LmToolsApi } from './lmApi';

/** What the tools read from. They only read: list, get, download result files into the cache. */
export interface BatchToolDeps {
  store: BatchStore;
  files: AccountFiles;
  log: Logger;
  progress?: ProgressTracker;
}

export interface ListBatchesInput {
  status?: string | string[];
  text?: string;
  endpoint?: string | string[];
  limit?: number;
  refresh?: boolean;
}

export interface BatchIdInput {
  batchId: string;
}

export interface BatchResultsInput extends BatchIdInput {
  topErrors?: number;
}

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const DEFAULT_TOP_ERRORS = 5;
const MAX_TOP_ERRORS = 20;

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
  ): vscode.Disposable =>
    api.registerTool<T>(name, {
      prepareInvocation: ({ input }) => ({ invocationMessage: invocationMessage(input) }),
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
      (input) => listBatches(deps, input),
    ),
    tool<BatchIdInput>(
      ToolName.getBatch,
      (input) => vscode.l10n.t('Reading batch {0}', idOf(input) ?? '').trim(),
      (input, signal) => getBatch(deps, input, signal),
    ),
    tool<BatchResultsInput>(
      ToolName.batchResults,
      (input) => vscode.l10n.t('Summarizing the results of batch {0}', idOf(input) ?? '').trim(),
      (input, signal) => batchResults(deps, input, signal),
    ),
  );
}

/** Runs `work` with an AbortSignal that follows the token; a cancellation becomes VS Code's own error. */
async function withCancellation(token: vscode.CancellationToken, work: (signal: AbortSignal) => Promise<string>): Promise<string> {
  const abort = new AbortController();
  const subscription = token.onCancellationRequested(() => abort.abort());
  if (token.isCancellationRequested) abort.abort();
  try {
    return await work(abort.signal);
  } catch (error) {
    if (abort.signal.aborted || isCancellation(error)) throw new vscode.CancellationError();
    throw error;
  } finally {
    subscription.dispose();
  }
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
  return `${what} failed: ${message}`;
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
    text += `\nThe refresh failed (${deps.log.shown(store.refreshError.message)}): these are the batches loaded before it.`;
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

export async function batchResults(deps: BatchToolDeps, input: BatchResultsInput, signal: AbortSignal): Promise<string> {
  const unavailable = notConnected(deps.store);
  if (unavailable) return unavailable;
  const id = idOf(input);
  if (!id) return 'Give batchId: the id of a batch, e.g. "batch_abc123" (the list tool shows them).';
  try {
    const connection = deps.store.requireConnection();
    const batch = await freshBatch(deps.store, id, signal);
    const outputId = fileIdOf(batch, 'output');
    const errorId = fileIdOf(batch, 'error');
    if (!outputId && !errorId) {
      return `Batch ${id} has no results yet (status: ${plainText(statusOf(batch), 60)}): they appear when it completes, expires or is cancelled.`;
    }
    const notes: string[] = [];
    const local = async (fileId: string, role: string): Promise<string> => {
      const path = await deps.files.pathFor(connection.account, fileId);
      const cached = await stat(path).then(
        (info) => info.isFile(),
        () => false,
      );
      if (!cached) {
        const { bytes } = await downloadFile(connection.client, fileId, path, { signal });
        notes.push(`Downloaded the ${role} file ${fileId} (${formatBytes(bytes)}); the results view reuses it.`);
      }
      return path;
    };
    const outputPath = outputId ? await local(outputId, 'output') : undefined;
    const errorPath = errorId ? await local(errorId, 'error') : undefined;
    const summary = await summarizeResultFiles(
      { output: outputPath ? readLines(outputPath) : undefined, error: errorPath ? readLines(errorPath) : undefined },
      batch.endpoint,
      signal,
    );
    const top = clampInteger(input?.topErrors, DEFAULT_TOP_ERRORS, MAX_TOP_ERRORS);
    return resultsText(batch, summary, notes, top);
  } catch (error) {
    return failure(deps, `Summarizing the results of batch ${id}`, error);
  }
}
