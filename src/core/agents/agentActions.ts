/**
 * What the agents' write tools do (create a batch from a file, cancel one, resubmit the failed
 * requests of one), and the words they ask and answer with. Shared by the VS Code language model
 * tools, which ask before acting, and `dist/mcp.js`. Everything from the API or a file reaches
 * an answer inside a data block.
 */

import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BatchApiClient } from '../api/client';
import type { Batch } from '../api/types';
import { descriptionOf, resubmitMetadata } from '../batches/batchChains';
import { countsOf, statusPhrase } from '../batches/batchDisplay';
import { fileIdOf } from '../batches/batchFacts';
import { isCancellable } from '../batches/grouping';
import { batchCostEstimate, costLabel, type PriceOverrides } from '../cost/cost';
import { describeInputEstimate, estimateInputTokens, inputCostEstimate, scaleEstimate, type TokenCounters } from '../cost/tokenEstimate';
import { fileBlob, uploadAndCreateBatch } from '../input/batchCreation';
import { DEFAULT_MAX_BYTES, errorCount, formatProblem, validateBatchInput } from '../input/jsonlValidation';
import { canResubmit, type ResubmitCounts, ResubmitScan } from '../input/resubmit';
import { fileStem } from '../util/fileNames';
import { formatBytes, ID_MAX, plainText } from '../util/text';
import { dataBlock } from './dataBlock';
import type { LocalFile } from './agentReads';
import { batchText } from './agentText';

/** Characters counted exactly; a larger input is estimated from its first this-many characters, scaled up. */
export const EXACT_COUNT_CHARS = 8 * 1024 * 1024;

/** A plan, or why there is none (said to the agent as it is). */
export type Planned<T> = { ok: true; plan: T } | { ok: false; reason: string };

/** How cost estimates are made where they are: the tokenizers (loaded lazily) and the price overrides. */
export interface Estimating {
  counters?: () => Promise<TokenCounters>;
  overrides?: PriceOverrides;
}

const count = (n: number): string => n.toLocaleString('en-US');
const requestsText = (n: number): string => `${count(n)} request${n === 1 ? '' : 's'}`;
const id = (value: string): string => plainText(value, ID_MAX);

/**
 * `≈ 12,345 input tokens · ≈ $0.0019 for input (estimate: …)` for a batch input text: tokens
 * counted with the model's tokenizer, a large input from its first {@link EXACT_COUNT_CHARS}.
 */
export function inputEstimateLine(text: string, requests: number, counters: TokenCounters, overrides: PriceOverrides): string {
  const sample = text.length > EXACT_COUNT_CHARS ? text.slice(0, text.lastIndexOf('\n', EXACT_COUNT_CHARS) + 1) : text;
  let estimate = estimateInputTokens(sample.split('\n'), counters);
  if (sample.length < text.length && sample.length > 0) estimate = scaleEstimate(estimate, text.length / sample.length, requests);
  return plainText(describeInputEstimate(estimate, inputCostEstimate(estimate, overrides)), 800);
}

async function estimateOf(text: string, requests: number, estimating: Estimating): Promise<string | undefined> {
  if (!estimating.counters) return undefined;
  try {
    return inputEstimateLine(text, requests, await estimating.counters(), estimating.overrides ?? new Map());
  } catch {
    // An estimate never stands in the way.
    return undefined;
  }
}

/** A batch input file, checked as the editor checks it, ready to upload. */
export interface InputPlan {
  path: string;
  filename: string;
  bytes: number;
  endpoint: string;
  requests: number;
  /** The input tokens and their cost, when the tokenizers are at hand. */
  estimate?: string;
}

/** Reads and validates a local batch input file (`validateBatchInput`, with the editor's limits). */
async function checkInput(
  path: string,
  filename: string,
  options: Estimating & { endpoint?: string; maxRequests?: number },
): Promise<Planned<InputPlan>> {
  const shown = plainText(filename, 200);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return { ok: false, reason: `${shown} is not a file.` };
  if (info.size > DEFAULT_MAX_BYTES)
    return { ok: false, reason: `${shown} is ${formatBytes(info.size)}: the Batch API takes at most ${formatBytes(DEFAULT_MAX_BYTES)}.` };
  const text = await readFile(path, 'utf8');
  const result = validateBatchInput(text, { maxRequests: options.maxRequests });
  const errors = errorCount(result);
  if (errors > 0 || !result.endpoint) {
    const problems = result.problems.filter((problem) => problem.severity === 'error').slice(0, 5);
    const listed = problems.map((problem) => plainText(formatProblem(problem), 300)).join('\n');
    return {
      ok: false,
      reason:
        `${shown} is not a valid batch input: ${errors ? `${count(errors)} problem${errors === 1 ? '' : 's'}` : 'no request'}. Nothing was uploaded.` +
        (listed ? `\n${dataBlock(listed, 'the input file')}` : ''),
    };
  }
  if (options.endpoint && options.endpoint !== result.endpoint) {
    return {
      ok: false,
      reason: `The requests of ${shown} are for ${plainText(result.endpoint, 60)}, not ${plainText(options.endpoint, 60)}: a batch has one endpoint. Nothing was uploaded.`,
    };
  }
  const estimate = await estimateOf(text, result.requests, options);
  return { ok: true, plan: { path, filename, bytes: info.size, endpoint: result.endpoint, requests: result.requests, estimate } };
}

/** Checks a `.jsonl` file for Create: the plan to upload it, or why not. */
export function planCreate(
  path: string,
  options: Estimating & { endpoint?: string; maxRequests?: number } = {},
): Promise<Planned<InputPlan>> {
  if (!/\.jsonl$/i.test(path)) return Promise.resolve({ ok: false, reason: 'input_file must be a .jsonl file (one request per line).' });
  return checkInput(path, basename(path), options);
}

/** Uploads a checked file (`purpose=batch`) and creates a 24h batch from it: two requests. */
export function createFromPlan(
  client: BatchApiClient,
  plan: InputPlan,
  options: { description?: string; metadata?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<{ fileId: string; batch: Batch }> {
  return uploadAndCreateBatch(client, {
    data: () => fileBlob(plan.path),
    filename: plan.filename,
    endpoint: plan.endpoint,
    description: options.description,
    metadata: options.metadata,
    signal: options.signal,
  });
}

/** The confirmation's text for Create: file, account, requests, endpoint, estimate. */
export function createQuestion(plan: InputPlan, account: string, description?: string): string {
  return [
    `Create a batch on the account "${plainText(account, 60)}" from ${plainText(plan.filename, 200)} (${formatBytes(plan.bytes)}): ${requestsText(plan.requests)} to ${plainText(plan.endpoint, 60)}, completion window 24h.`,
    description ? `Description: ${plainText(description, 200)}` : undefined,
    plan.estimate ? `Cost: ${plan.estimate}` : 'Cost: no estimate (the tokenizer is not available).',
    'This uploads the file and starts a billed batch.',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The answer after a create (or a resubmission): our sentence, then the new batch (ids included) in a data block. */
export function createdText(result: { fileId: string; batch: Batch }, plan: InputPlan): string {
  const lines = [
    `Created a batch from ${plainText(plan.filename, 200)}: ${requestsText(plan.requests)}, uploaded first. The new batch, as the API describes it:`,
  ];
  lines.push(batchText(result.batch, Date.now()));
  if (plan.estimate) lines.push(`Estimated input cost: ${plan.estimate}`);
  return lines.join('\n');
}

/** The confirmation's text for Cancel: which batch, how far it got, what it cost so far; or why it cannot be cancelled. */
export function cancelQuestion(batch: Batch, account: string, overrides: PriceOverrides = new Map()): string {
  const { completed, failed, total } = countsOf(batch);
  const left = Math.max(0, total - completed - failed);
  const cost = batchCostEstimate(batch, overrides);
  const name = descriptionOf(batch);
  return [
    `Cancel batch ${id(batch.id)}${name ? ` "${plainText(name, 80)}"` : ''} on the account "${plainText(account, 60)}" (${plainText(statusPhrase(batch), 80)})?`,
    total
      ? `${count(completed + failed)} of ${requestsText(total)} are done; the other ${count(left)} will not run. Results so far are kept in its output file.`
      : 'Its request counts are not reported yet.',
    cost ? `Cost so far: ${costLabel(cost)}.` : 'Cost so far: no estimate (no usage reported, or no known price for its model).',
    'Cancelling cannot be undone.',
  ].join('\n');
}

/** Why a batch cannot be cancelled, or undefined when it can. */
export function notCancellable(batch: Batch): string | undefined {
  return isCancellable(batch)
    ? undefined
    : `The batch cannot be cancelled: it is no longer validating, in progress or finalizing.\n${batchText(batch, Date.now())}`;
}

/** The answer after a cancel request. */
export function cancelledText(batch: Batch): string {
  return `Asked the API to cancel the batch: it stops within minutes (cancelling, then cancelled). The batch, as the API now describes it:\n${batchText(batch, Date.now())}`;
}

/** The requests of a finished batch to send again, written to a file and checked like a Create input. */
export interface ResubmitPlan extends InputPlan {
  original: Batch;
  counts: ResubmitCounts;
  /** The first custom_ids written. */
  preview: string[];
  description: string;
  metadata: Record<string, string>;
}

/**
 * Reads a finished batch's input, output and error files (through `local`), writes its failed
 * and missing requests to `folder`, and checks them: the plan to send them as a new batch
 * (linked by `metadata.resubmit_of`), or why there is nothing to send.
 */
export async function planResubmission(
  batch: Batch,
  local: LocalFile,
  folder: string,
  options: Estimating & { maxRequests?: number; signal?: AbortSignal } = {},
): Promise<Planned<ResubmitPlan>> {
  if (!canResubmit(batch)) {
    return {
      ok: false,
      reason: `Nothing to resubmit: a batch must have stopped with failed, missing or expired requests, and name its input file. The batch:\n${batchText(batch, Date.now())}`,
    };
  }
  const paths: { input?: string; output?: string; error?: string } = {};
  for (const role of ['input', 'output', 'error'] as const) {
    const fileId = fileIdOf(batch, role);
    if (fileId) paths[role] = await local(fileId, role, options.signal);
  }
  const scan = await ResubmitScan.open(paths, { signal: options.signal });
  if (scan.count('both') === 0) {
    return {
      ok: false,
      reason: `Every request of the batch succeeded (${requestsText(scan.counts.succeeded)}): nothing to resubmit.`,
    };
  }
  const filename = `${fileStem(batch.id)}-resubmit.jsonl`;
  const path = join(folder, filename);
  const written = await scan.write('both', path, { signal: options.signal });
  const checked = await checkInput(path, filename, options);
  if (!checked.ok) return checked;
  const description = descriptionOf(batch) ?? `Resubmission of ${batch.id}`.slice(0, 512);
  return {
    ok: true,
    plan: {
      ...checked.plan,
      original: batch,
      counts: scan.counts,
      preview: written.preview,
      description,
      metadata: resubmitMetadata(batch, description),
    },
  };
}

/** The confirmation's text for Resubmit. */
export function resubmitQuestion(plan: ResubmitPlan, account: string): string {
  const { failed, missing, succeeded, requests } = plan.counts;
  return [
    `Resubmit ${requestsText(plan.requests)} of batch ${id(plan.original.id)} as a new batch on the account "${plainText(account, 60)}"?`,
    `Of its ${requestsText(requests)}, ${count(succeeded)} succeeded, ${count(failed)} failed and ${count(missing)} have no result; the failed and missing ones are sent again to ${plainText(plan.endpoint, 60)}.`,
    `First custom_ids: ${plan.preview.map((customId) => plainText(customId, 60)).join(', ')}${plan.requests > plan.preview.length ? ', …' : ''}`,
    plan.estimate ? `Cost: ${plan.estimate}` : 'Cost: no estimate (the tokenizer is not available).',
    'The new batch keeps the description and links to the original (metadata resubmit_of).',
  ].join('\n');
}

/** Uploads the plan's file and creates the new batch: two requests. */
export function submitResubmission(
  client: BatchApiClient,
  plan: ResubmitPlan,
  signal?: AbortSignal,
): Promise<{ fileId: string; batch: Batch }> {
  return createFromPlan(client, plan, { description: plan.description, metadata: plan.metadata, signal });
}

/** What to tell an agent about an error kind, in our own words (the API's words follow in a data block). */
const FAILURE_HINTS: Partial<Record<string, string>> = {
  auth: 'the API key was refused (HTTP 401): check the key the server was given',
  forbidden: 'access was denied (HTTP 403): the key lacks the permission, or the organization or project is wrong',
  notFound: 'not found (HTTP 404): check the id, and that it belongs to this account',
  rateLimited: 'rate limited (HTTP 429): try again later',
  insecureUrl: 'the base URL is refused',
};

/** A failed step as an agent's answer: our sentence, then the error's own text (which may quote the API) in a data block. */
export function failureText(what: string, error: unknown): string {
  const kind = typeof error === 'object' && error !== null ? (error as { kind?: unknown }).kind : undefined;
  const hint = typeof kind === 'string' ? FAILURE_HINTS[kind] : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return `${what} failed${hint ? `: ${hint}` : ''}.\n${dataBlock(plainText(message, 1000))}`;
}
