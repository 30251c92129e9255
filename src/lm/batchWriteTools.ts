import { mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import {
  cancelledText,
  cancelQuestion,
  createdText,
  createFromPlan,
  createQuestion,
  failureText,
  type InputPlan,
  notCancellable,
  planCreate,
  planResubmission,
  type Planned,
  type ResubmitPlan,
  resubmitQuestion,
  submitResubmission,
} from '../core/agents/agentActions';
import { downloadForAgent, type LocalFile } from '../core/agents/agentReads';
import type { AccountConnection } from '../core/batches/batchStore';
import type { Batch } from '../core/api/types';
import { isCancellation } from '../core/api/errors';
import type { AccountFiles } from '../core/files/accountFiles';
import type { TokenCounters } from '../core/cost/tokenEstimate';
import type { PriceOverrides } from '../core/cost/cost';
import { escapeMarkdown, ID_MAX, plainText } from '../core/util/text';
import { ToolName } from '../ids';
import type { Logger } from '../log';
import { pickAccount, type ToolAccount, withCancellation } from './toolAccounts';
import type { LanguageModelTool, LmToolsApi, PreparedToolInvocation, ToolResult } from './lmApi';

/** What the write tools use: every account, the file cache, a folder for resubmissions, and how to estimate. */
export interface WriteToolDeps {
  accounts: () => readonly ToolAccount[];
  files: AccountFiles;
  log: Logger;
  /** The extension's storage folder: resubmission inputs are written under it. */
  storage: string;
  /** Where a relative `inputFile` is found (the first workspace folder). */
  workspaceFolder: () => string | undefined;
  counters: () => Promise<TokenCounters>;
  overrides: () => PriceOverrides;
  maxRequests: () => number;
}

export interface CreateBatchInput {
  inputFile: string;
  endpoint?: string;
  description?: string;
  account?: string;
}

export interface BatchActionInput {
  batchId: string;
  account?: string;
}

/** How long a confirmation stands for the invocation that follows it. */
const APPROVAL_MS = 10 * 60_000;

/** What prepareInvocation found and the person was asked about, by tool and input; invoke acts only on one of these. */
interface Approval<P> {
  at: number;
  account: ToolAccount;
  connection: AccountConnection;
  plan: P;
}

/**
 * A write tool: prepareInvocation works out exactly what will happen (validating the file,
 * reading the batch, counting requests, estimating the cost) and returns it as VS Code's
 * confirmation; invoke does only what was confirmed, and nothing when prepareInvocation did not
 * run or found nothing to do.
 */
function writeTool<I, P>(
  deps: WriteToolDeps,
  textResult: (text: string) => ToolResult,
  name: string,
  steps: {
    title: string;
    invocation: (input: I) => string;
    prepare: (input: I, account: ToolAccount, connection: AccountConnection, signal: AbortSignal) => Promise<Planned<P>>;
    question: (plan: P, account: ToolAccount) => string;
    act: (approval: Approval<P>, signal: AbortSignal) => Promise<string>;
  },
): LanguageModelTool<I> {
  const approvals = new Map<string, Approval<P> | { at: number; refusal: string }>();
  const keyOf = (input: I): string => JSON.stringify(input ?? null);
  return {
    prepareInvocation: async ({ input }, token): Promise<PreparedToolInvocation> => {
      const invocationMessage = steps.invocation(input);
      const key = keyOf(input);
      approvals.delete(key);
      const refuse = (refusal: string): PreparedToolInvocation => {
        approvals.set(key, { at: Date.now(), refusal });
        return { invocationMessage };
      };
      const picked = pickAccount(deps.accounts(), (input as { account?: unknown })?.account);
      if (!picked.ok) return refuse(picked.reason);
      let connection: AccountConnection;
      try {
        connection = picked.account.store.requireConnection();
      } catch (error) {
        return refuse(failureText(name, error));
      }
      try {
        const planned = await withCancellation(token, (signal) => steps.prepare(input, picked.account, connection, signal));
        if (!planned.ok) return refuse(planned.reason);
        approvals.set(key, { at: Date.now(), account: picked.account, connection, plan: planned.plan });
        return {
          invocationMessage,
          confirmationMessages: {
            title: steps.title,
            message: confirmation(steps.question(planned.plan, picked.account)),
          },
        };
      } catch (error) {
        if (error instanceof vscode.CancellationError) throw error;
        return refuse(failureText(name, error));
      }
    },
    invoke: async ({ input }, token) => {
      const key = keyOf(input);
      const approval = approvals.get(key);
      approvals.delete(key);
      let text: string;
      if (!approval || Date.now() - approval.at > APPROVAL_MS) {
        text = `${name} did nothing: it acts only on what its confirmation showed, and no confirmation was prepared for this input (or it is older than 10 minutes). Call the tool again.`;
      } else if ('refusal' in approval) {
        text = approval.refusal;
      } else {
        try {
          text = await withCancellation(token, (signal) => steps.act(approval, signal));
          deps.log.info(`Agent tool ${name} acted on account "${approval.account.settings.name}".`);
        } catch (error) {
          if (error instanceof vscode.CancellationError || isCancellation(error)) throw error;
          deps.log.warn(`Agent tool ${name} failed: ${deps.log.shown(String(error instanceof Error ? error.message : error))}`);
          text = failureText(name, error);
        }
      }
      return textResult(deps.log.redactor.redact(text));
    },
  };
}

/** A question as Markdown: each line a paragraph, every character that Markdown would read escaped (it holds API text). */
function confirmation(question: string): vscode.MarkdownString {
  return new vscode.MarkdownString(question.split('\n').map(escapeMarkdown).join('\n\n'));
}

/** A batch's file, from the account's cache, or downloaded into it (bounded like every agent read). */
function cachedFiles(deps: WriteToolDeps, connection: AccountConnection): LocalFile {
  return async (fileId, _role, signal) => {
    const path = await deps.files.pathFor(connection.account, fileId);
    if (
      await stat(path).then(
        (info) => info.isFile(),
        () => false,
      )
    )
      return path;
    await downloadForAgent(connection.client, fileId, path, signal);
    return path;
  };
}

/** The batch fresh from the API (a confirmation must show its state now), recorded in the account's store. */
function freshBatch(account: ToolAccount, id: string, signal: AbortSignal): Promise<Batch> {
  return account.store.fetchBatch(id, signal);
}

function batchIdOf(input: unknown): string | undefined {
  const value = typeof input === 'object' && input !== null ? (input as { batchId?: unknown }).batchId : undefined;
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** The three write tools, by name (registered by {@link registerWriteTools}; tests call them directly). */
export function writeTools(deps: WriteToolDeps, textResult: (text: string) => ToolResult): Record<string, LanguageModelTool<never>> {
  const estimating = (): { counters: () => Promise<TokenCounters>; overrides: PriceOverrides } => ({
    counters: deps.counters,
    overrides: deps.overrides(),
  });
  const create = writeTool<CreateBatchInput, InputPlan & { description?: string }>(deps, textResult, ToolName.createBatch, {
    title: vscode.l10n.t('Create an OpenAI batch?'),
    invocation: (input) => vscode.l10n.t('Creating a batch from {0}', plainText(input?.inputFile, 200)),
    prepare: async (input) => {
      const given = typeof input?.inputFile === 'string' ? input.inputFile.trim() : '';
      const folder = deps.workspaceFolder();
      if (!given) return { ok: false, reason: 'Give inputFile: the path of a .jsonl batch input file.' };
      if (!isAbsolute(given) && !folder)
        return { ok: false, reason: 'inputFile is relative, and no folder is open: give an absolute path.' };
      const path = isAbsolute(given) ? given : resolve(folder ?? '', given);
      const planned = await planCreate(path, {
        ...estimating(),
        endpoint: typeof input.endpoint === 'string' && input.endpoint ? input.endpoint : undefined,
        maxRequests: deps.maxRequests(),
      });
      const description =
        typeof input.description === 'string' && input.description.trim() ? input.description.trim().slice(0, 512) : undefined;
      return planned.ok ? { ok: true, plan: { ...planned.plan, description } } : planned;
    },
    question: (plan, account) => createQuestion(plan, account.settings.name, plan.description),
    act: async ({ plan, connection, account }, signal) => {
      // The file may have changed since it was confirmed: what is uploaded must be what was shown.
      const again = await planCreate(plan.path, { endpoint: plan.endpoint, maxRequests: deps.maxRequests() });
      if (!again.ok || again.plan.bytes !== plan.bytes || again.plan.requests !== plan.requests) {
        return `${plainText(plan.filename, 200)} changed after the confirmation: nothing was uploaded. Call the tool again to confirm the new content.`;
      }
      const result = await createFromPlan(connection.client, plan, { description: plan.description, signal });
      void account.store.refresh();
      return createdText(result, plan);
    },
  });
  const cancel = writeTool<BatchActionInput, Batch>(deps, textResult, ToolName.cancelBatch, {
    title: vscode.l10n.t('Cancel an OpenAI batch?'),
    invocation: (input) => vscode.l10n.t('Cancelling batch {0}', plainText(batchIdOf(input), ID_MAX)),
    prepare: async (input, account, _connection, signal) => {
      const id = batchIdOf(input);
      if (!id) return { ok: false, reason: 'Give batchId: the id of a batch, e.g. "batch_abc123".' };
      const batch = await freshBatch(account, id, signal);
      const refusal = notCancellable(batch);
      return refusal ? { ok: false, reason: refusal } : { ok: true, plan: batch };
    },
    question: (batch, account) => cancelQuestion(batch, account.settings.name, deps.overrides()),
    act: async ({ plan, connection, account }, signal) => {
      const batch = await connection.client.cancelBatch(plan.id, { signal });
      void account.store.refresh();
      return cancelledText(batch);
    },
  });
  const resubmit = writeTool<BatchActionInput, ResubmitPlan>(deps, textResult, ToolName.resubmitFailed, {
    title: vscode.l10n.t('Resubmit failed requests?'),
    invocation: (input) => vscode.l10n.t('Resubmitting the failed requests of batch {0}', plainText(batchIdOf(input), ID_MAX)),
    prepare: async (input, account, connection, signal) => {
      const id = batchIdOf(input);
      if (!id) return { ok: false, reason: 'Give batchId: the id of a finished batch with failed or missing requests.' };
      const batch = await freshBatch(account, id, signal);
      const folder = join(deps.storage, 'resubmit');
      await mkdir(folder, { recursive: true });
      return planResubmission(batch, cachedFiles(deps, connection), folder, { ...estimating(), maxRequests: deps.maxRequests(), signal });
    },
    question: (plan, account) => resubmitQuestion(plan, account.settings.name),
    act: async ({ plan, connection, account }, signal) => {
      const result = await submitResubmission(connection.client, plan, signal);
      void account.store.refresh();
      return createdText(result, plan);
    },
  });
  return {
    [ToolName.createBatch]: create,
    [ToolName.cancelBatch]: cancel,
    [ToolName.resubmitFailed]: resubmit,
  };
}

/** Registers the write tools when this VS Code has the language model tools API; else nothing. */
export function registerWriteTools(deps: WriteToolDeps, api: LmToolsApi | undefined): vscode.Disposable {
  if (!api) return new vscode.Disposable(() => undefined);
  return vscode.Disposable.from(
    ...Object.entries(writeTools(deps, (text) => api.textResult(text))).map(([name, tool]) => api.registerTool(name, tool)),
  );
}
