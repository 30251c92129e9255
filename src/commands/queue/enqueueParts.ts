import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readAutopilotSettings, readSettings } from '../../config';
import { errorMessage } from '../../core/api/errors';
import type { SplitPlan } from '../../core/input/splitPlan';
import { estimatePartTokens, type PartTokens } from '../../core/queue/partTokens';
import { emptyQueue, enqueuedTokens, limitApplies, limitFor, type QueuedGroup } from '../../core/queue/queueModel';
import { plainText } from '../../core/util/text';
import { loadTokenCounters } from '../../tokenizer/loadTokenizer';
import type { Services } from '../services';

type EnqueueServices = Pick<Services, 'store' | 'log' | 'queues'>;

/** Whether any model has a limit, set or learned: only then are token counts worth the time. */
function anyLimit(services: EnqueueServices): boolean {
  const queue = services.queues.of(services.store).queue;
  return Object.keys(readAutopilotSettings().enqueuedTokenLimits).length > 0 || Object.keys(queue?.ceilings ?? {}).length > 0;
}

async function countParts(services: EnqueueServices, paths: readonly string[]): Promise<PartTokens[] | undefined> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Counting input tokens…') },
      async () => {
        const counters = await loadTokenCounters();
        const counted: PartTokens[] = [];
        for (const path of paths) counted.push(await estimatePartTokens(path, counters));
        return counted;
      },
    );
  } catch (error) {
    services.log.warn(`Could not count the parts' tokens: ${errorMessage(error)}`);
    return undefined;
  }
}

/**
 * Hands the parts of a new split plan to the submission queue when their model has an
 * enqueued-token limit (`openaiBatches.enqueuedTokenLimits`, or one the API taught): they then
 * wait in the Queued group and are created as the model has room. Returns false (and queues
 * nothing) when no limit applies: the parts are created at once, as before.
 */
export async function queueSplitPlan(services: EnqueueServices, plan: SplitPlan, folder: string): Promise<boolean> {
  if (!anyLimit(services)) return false;
  const counted = await countParts(
    services,
    plan.parts.map((part) => part.path),
  );
  if (!counted) return false;
  const controller = services.queues.of(services.store);
  const limits = readAutopilotSettings().enqueuedTokenLimits;
  const queue = controller.queue ?? emptyQueue(plan.account);
  if (!counted.some(({ model }) => limitApplies(queue, limits, model))) return false;
  const group: QueuedGroup = {
    group: plan.group,
    name: plan.source.name,
    source: 'split',
    endpoint: plan.endpoint,
    description: plan.description,
    outputExpiresAfter: plan.outputExpiresAfter,
    inputExpiresAfter: plan.inputExpiresAfter,
    createdAt: Date.now(),
    paused: false,
    cleanup: folder,
    count: plan.parts.length,
    parts: plan.parts.map((part, i) => ({
      index: part.index,
      path: part.path,
      requests: part.requests,
      bytes: part.bytes,
      tokens: counted[i].tokens,
      model: counted[i].model,
      attempts: 0,
    })),
  };
  await controller.enqueue(group);
  services.log.info(`Queued ${group.count} parts of group ${group.group}: ${counted.map((c) => c.tokens).join(', ')} tokens.`);
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Queued {0} parts of "{1}" (group {2}): each is created when its model has room under its enqueued-token limit. The Batches view shows them under Queued.',
      group.count,
      plainText(plan.source.name),
      plainText(plan.group),
    ),
  );
  return true;
}

/** A single file about to be created (Create Batch, Resubmit), as the queue would take it. */
export interface SingleSubmission {
  /** The file on disk (copied into the queue's storage when queued: the original may change). */
  path: string;
  filename: string;
  requests: number;
  bytes: number;
  endpoint: string;
  description: string;
  metadata?: Record<string, string>;
  outputExpiresAfter?: QueuedGroup['outputExpiresAfter'];
  source: 'create' | 'resubmit';
}

/**
 * When the file's model has an enqueued-token limit and the file does not fit in the room left,
 * offers to queue it (created when there is room) instead of creating it now, where it would
 * fail with `token_limit_exceeded`. Returns true when it was queued, or the question dismissed.
 */
export async function queueIfOverLimit(services: EnqueueServices & Pick<Services, 'storage'>, file: SingleSubmission): Promise<boolean> {
  if (!anyLimit(services)) return false;
  const [counted] = (await countParts(services, [file.path])) ?? [];
  if (!counted) return false;
  const controller = services.queues.of(services.store);
  const queue = controller.queue ?? emptyQueue(services.store.account ?? '');
  const limit = limitFor(queue, readAutopilotSettings().enqueuedTokenLimits, counted.model);
  const enqueued = enqueuedTokens(queue, counted.model);
  if (!limit || enqueued === 0 || enqueued + counted.tokens <= limit.limit) return false;
  const queueIt = vscode.l10n.t('Queue It');
  const now = vscode.l10n.t('Create Now');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      '"{0}" needs ≈{1} tokens of {2}, and {3} of its {4} enqueued tokens are in use. Queue it, to be created when there is room?',
      plainText(file.filename),
      counted.tokens.toLocaleString('en-US'),
      plainText(counted.model, 80),
      enqueued.toLocaleString('en-US'),
      limit.limit.toLocaleString('en-US'),
    ),
    { modal: true, detail: vscode.l10n.t('Created now, the batch would likely fail with token_limit_exceeded.') },
    queueIt,
    now,
  );
  if (answer === now) return false;
  if (answer !== queueIt) return true;
  const group = `${file.source}_${randomBytes(4).toString('hex')}`;
  const folder = join(services.storage, 'queue', 'files', group);
  await mkdir(folder, { recursive: true });
  const copy = join(folder, 'input.jsonl');
  await copyFile(file.path, copy);
  await controller.enqueue({
    group,
    name: file.filename,
    source: file.source,
    endpoint: file.endpoint,
    description: file.description,
    metadata: file.metadata,
    outputExpiresAfter: file.outputExpiresAfter,
    inputExpiresAfter: readSettings().inputExpiresAfter,
    createdAt: Date.now(),
    paused: false,
    cleanup: folder,
    count: 1,
    parts: [
      { index: 1, path: copy, requests: file.requests, bytes: file.bytes, tokens: counted.tokens, model: counted.model, attempts: 0 },
    ],
  });
  vscode.window.setStatusBarMessage(
    vscode.l10n.t('$(watch) Queued {0}: the Batches view shows it under Queued', plainText(file.filename)),
    8000,
  );
  return true;
}
