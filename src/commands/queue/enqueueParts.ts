import * as vscode from 'vscode';
import { readAutopilotSettings } from '../../config';
import { errorMessage } from '../../core/api/errors';
import type { SplitPlan } from '../../core/input/splitInput';
import { estimatePartTokens, type PartTokens } from '../../core/queue/partTokens';
import { emptyQueue, limitApplies, type QueuedGroup } from '../../core/queue/queueModel';
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
