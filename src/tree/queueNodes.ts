import * as vscode from 'vscode';
import type { PartState, QueuedGroup, QueuedPart, WaitReason } from '../core/queue/queueModel';
import { plainText } from '../core/util/text';
import type { TreeNode } from './nodes';

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** `contextValue`s of the queue's nodes (package.json's menus match `^queued` and the `running`/`paused` flag). */
export const QueueContext = { group: 'queuedGroup', part: 'queuedPart', running: 'running', paused: 'paused' } as const;

/** A waiting part with what the tree says of it. */
export interface WaitingPart {
  group: QueuedGroup;
  part: QueuedPart;
  state: PartState;
}

function minutes(ms: number): string {
  const m = Math.max(1, Math.ceil(ms / 60_000));
  return m < 60 ? vscode.l10n.t('{0} min', m) : vscode.l10n.t('{0} h', Math.ceil(m / 60));
}

/** Why a part waits, in the words the tree shows. */
export function waitText(reason: WaitReason, nowMs = Date.now(), lastError?: string): string {
  switch (reason.kind) {
    case 'paused':
      return vscode.l10n.t('paused');
    case 'limit':
      return reason.learned
        ? vscode.l10n.t(
            'waits for room: {0} has {1} of {2} tokens enqueued (limit learned from token_limit_exceeded)',
            plainText(reason.model, 80),
            count(reason.enqueued),
            count(reason.limit),
          )
        : vscode.l10n.t(
            'waits for room: {0} has {1} of {2} tokens enqueued',
            plainText(reason.model, 80),
            count(reason.enqueued),
            count(reason.limit),
          );
    case 'earlierPart':
      return vscode.l10n.t('waits for an earlier part of {0}', plainText(reason.model, 80));
    case 'afterFinish':
      return vscode.l10n.t('met the token limit ({0}×): retried when a {1} batch finishes', reason.attempts, plainText(reason.model, 80));
    case 'backoff':
      return lastError && reason.attempts === 0
        ? vscode.l10n.t('failed ({0}): retried in {1}', plainText(lastError, 120), minutes(reason.until - nowMs))
        : vscode.l10n.t('met the token limit ({0}×): retried in {1}', reason.attempts, minutes(reason.until - nowMs));
  }
}

/** The "Queued" group at the top of an account's batches: the parts not created yet. */
export class QueuedGroupNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly waiting: readonly WaitingPart[],
    /** Another window drives this queue: this one only shows it. */
    private readonly elsewhere: boolean,
    readonly parent?: TreeNode,
  ) {
    this.id = parent ? `${parent.id}/queued` : 'queued';
  }

  get accountId(): string | undefined {
    return this.parent?.accountId;
  }

  get paused(): boolean {
    return this.waiting.every(({ group }) => group.paused);
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Queued ({0})', this.waiting.length), vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.paused ? 'debug-pause' : 'watch');
    const notes: string[] = [];
    if (this.paused) notes.push(vscode.l10n.t('paused'));
    if (this.elsewhere) notes.push(vscode.l10n.t('driven by another window'));
    if (notes.length) item.description = notes.join(' · ');
    item.tooltip = vscode.l10n.t(
      'Parts waiting to be created: each goes when its model has room under openaiBatches.enqueuedTokenLimits (or the limit the API answered with).',
    );
    item.contextValue = `${QueueContext.group} ${this.paused ? QueueContext.paused : QueueContext.running}`;
    return item;
  }

  children(): QueuedPartNode[] {
    return this.waiting.map((entry) => new QueuedPartNode(entry, this));
  }
}

/** One part waiting: `name · part 3/5`, its estimated tokens and why it waits. */
export class QueuedPartNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly entry: WaitingPart,
    readonly parent: QueuedGroupNode,
  ) {
    this.id = `${parent.id}/${entry.group.group}/${entry.part.index}`;
  }

  get accountId(): string | undefined {
    return this.parent.accountId;
  }

  /** What commands read off the node: which group and part. */
  get group(): string {
    return this.entry.group.group;
  }

  get index(): number {
    return this.entry.part.index;
  }

  toTreeItem(): vscode.TreeItem {
    const { group, part, state } = this.entry;
    const name = plainText(group.description || group.name.replace(/\.jsonl$/i, ''), 80);
    const item = new vscode.TreeItem(
      vscode.l10n.t('{0} · part {1}/{2}', name, part.index, group.count),
      vscode.TreeItemCollapsibleState.None,
    );
    item.id = this.id;
    const why = state.kind === 'waiting' ? waitText(state.reason, Date.now(), part.lastError) : vscode.l10n.t('submitting…');
    item.description = `${vscode.l10n.t('≈{0} tokens', count(part.tokens))} · ${why}`;
    item.iconPath = new vscode.ThemeIcon(group.paused ? 'debug-pause' : state.kind === 'ready' ? 'loading~spin' : 'clock');
    item.tooltip = [
      vscode.l10n.t('Part {0} of {1} of group {2}', part.index, group.count, plainText(group.group, 80)),
      vscode.l10n.t('{0} requests, ≈{1} prompt tokens for {2}', count(part.requests), count(part.tokens), plainText(part.model || '?', 80)),
      why,
      ...(part.lastError ? [vscode.l10n.t('Last error: {0}', plainText(part.lastError, 300))] : []),
    ].join('\n');
    item.contextValue = `${QueueContext.part} ${group.paused ? QueueContext.paused : QueueContext.running}`;
    return item;
  }
}
