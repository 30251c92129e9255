import * as vscode from 'vscode';
import type { QueuedGroup } from '../../core/queue/queueModel';
import { plainText } from '../../core/util/text';
import { QueuedGroupNode, QueuedPartNode } from '../../tree/queueNodes';
import type { Services } from '../services';

type QueueServices = Pick<Services, 'store' | 'queues'>;

/** The groups a command applies to: a part node's group, or every group (the Queued node, the palette). */
function groupsOf(argument: unknown): (group: QueuedGroup) => boolean {
  if (argument instanceof QueuedPartNode) return (group) => group.group === argument.group;
  return () => true;
}

/** Pauses (or resumes) the queue: of a part's group, or all of the account's groups. Parts already created run on. */
export async function setQueuePaused(services: QueueServices, argument: unknown, paused: boolean): Promise<void> {
  const matches = groupsOf(argument);
  let changed = 0;
  await services.queues.of(services.store).edit((queue) => {
    for (const group of queue.groups)
      if (matches(group) && group.paused !== paused) {
        group.paused = paused;
        changed++;
      }
  });
  if (!paused) services.queues.of(services.store).kick();
  vscode.window.setStatusBarMessage(
    paused
      ? vscode.l10n.t('$(debug-pause) Paused {0} queued group(s)', changed)
      : vscode.l10n.t('$(debug-continue) Resumed {0} queued group(s)', changed),
    5000,
  );
}

/**
 * Takes parts out of the queue: the part a node shows, or (from the Queued node or the palette)
 * the groups picked. Parts already created are not touched (cancel those as batches).
 */
export async function removeFromQueue(services: QueueServices, argument: unknown): Promise<void> {
  const controller = services.queues.of(services.store);
  if (argument instanceof QueuedPartNode) {
    const { group, index } = argument;
    await controller.edit((queue) => {
      for (const g of queue.groups) if (g.group === group) g.parts = g.parts.filter((part) => part.batchId || part.index !== index);
      queue.groups = queue.groups.filter((g) => g.parts.length > 0);
    });
    return;
  }
  const groups = controller.queue?.groups.filter((group) => group.parts.some((part) => !part.batchId)) ?? [];
  if (groups.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing is waiting in the submission queue.'));
    return;
  }
  const picked =
    argument instanceof QueuedGroupNode && groups.length === 1
      ? groups
      : (
          await vscode.window.showQuickPick(
            groups.map((group) => ({
              label: plainText(group.description || group.name, 80),
              description: vscode.l10n.t(
                '{0} of {1} parts waiting · group {2}',
                group.parts.filter((p) => !p.batchId).length,
                group.count,
                plainText(group.group, 40),
              ),
              group,
            })),
            { canPickMany: true, title: vscode.l10n.t('Remove from the submission queue') },
          )
        )?.map((item) => item.group);
  if (!picked?.length) return;
  const names = new Set(picked.map((group) => group.group));
  await controller.edit((queue) => {
    for (const group of queue.groups) if (names.has(group.group)) group.parts = group.parts.filter((part) => part.batchId);
    queue.groups = queue.groups.filter((group) => group.parts.length > 0);
  });
}
