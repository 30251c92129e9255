import * as vscode from 'vscode';
import { batchFiles } from '../core/batches/batchFacts';
import { chainPrefix } from '../core/batches/batchChains';
import { canResubmit } from '../core/input/resubmit';
import {
  batchDescription,
  batchLabel,
  batchPresentation,
  batchTooltipMarkdown,
  humanizeStatus,
  statusPresentation,
} from '../core/batches/batchDisplay';
import { isActive, isCancellable, StatusGroup, statusOf } from '../core/batches/grouping';
import type { ProgressEstimate } from '../core/batches/progressRate';
import { progressDescription, progressTooltipMarkdown } from '../core/batches/progressText';
import type { Batch } from '../core/api/types';
import { CommandId } from '../ids';
import { BatchFlag, FILE_FLAG, NodeContext } from './contextValues';
import { readPriceOverrides } from '../priceSettings';
import { tooltipCostLine } from './treeCost';
import { expiryText } from '../core/files/files';

function themeIcon(icon: string, color?: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

/** The words of a "Load more" row of the batches or the files tree (`l10n.t` takes literals only). */
function loadMoreText(files: boolean): { loading: string; retry: string; more: string; tooltip: string; title: string } {
  return {
    loading: files ? vscode.l10n.t('Loading more files…') : vscode.l10n.t('Loading more…'),
    retry: files ? vscode.l10n.t('Retry loading more files') : vscode.l10n.t('Retry loading more'),
    more: files ? vscode.l10n.t('Load more files…') : vscode.l10n.t('Load more…'),
    tooltip: files ? vscode.l10n.t('Load the next page of files') : vscode.l10n.t('Load the next page of batches'),
    title: files ? vscode.l10n.t('Load More Files') : vscode.l10n.t('Load More Batches'),
  };
}

/** A "Load more" row: loading, failed (a retry, with the error as its description) or ready. */
export function loadMoreItem(
  row: { id: string; loading: boolean; error: string | undefined; files: boolean },
  contextValue: string,
  command: Omit<vscode.Command, 'title'>,
): vscode.TreeItem {
  const { id, loading, error } = row;
  const text = loadMoreText(row.files);
  const item = new vscode.TreeItem(loading ? text.loading : error ? text.retry : text.more, vscode.TreeItemCollapsibleState.None);
  item.id = id;
  item.iconPath = themeIcon(loading ? 'loading~spin' : error ? 'warning' : 'more', error ? 'list.warningForeground' : undefined);
  if (error) item.description = error;
  item.tooltip = error ? vscode.l10n.t('Loading the next page failed: {0}\nClick to try again.', error) : text.tooltip;
  item.contextValue = contextValue;
  item.command = { ...command, title: text.title };
  return item;
}

/** One node of the batches tree. Each builds a fresh TreeItem with an id stable across refreshes. */
export interface TreeNode {
  readonly id: string;
  readonly parent?: TreeNode;
  /** The account the node belongs to, when several are shown (commands run on it); none: the only account. */
  readonly accountId?: string;
  toTreeItem(): vscode.TreeItem;
}

/** With several accounts, a node's id starts with its account's, so the same batch id under two accounts stays two nodes. */
function underParent(parent: TreeNode | undefined, id: string): string {
  return parent ? `${parent.id}/${id}` : id;
}

export class StatusGroupNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly group: StatusGroup,
    /** The account node, when several accounts are shown. */
    readonly parent?: TreeNode,
  ) {
    this.id = underParent(parent, `status/${group.status}`);
  }

  get accountId(): string | undefined {
    return this.parent?.accountId;
  }

  toTreeItem(): vscode.TreeItem {
    const { status, batches } = this.group;
    const expanded = batches.some(isActive);
    const item = new vscode.TreeItem(
      `${humanizeStatus(status)} (${batches.length})`,
      expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = this.id;
    const presentation = statusPresentation(status);
    item.iconPath = themeIcon(presentation.icon.replace('~spin', ''), presentation.color);
    item.contextValue = NodeContext.group;
    item.tooltip =
      batches.length === 1
        ? vscode.l10n.t('{0} {1} batch loaded', batches.length, humanizeStatus(status).toLowerCase())
        : vscode.l10n.t('{0} {1} batches loaded', batches.length, humanizeStatus(status).toLowerCase());
    return item;
  }
}

export class BatchNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly batch: Batch,
    readonly parent: StatusGroupNode,
    /** The size of its error file, when the batch's failures depend on it (see `format.failureVerdict`). */
    readonly errorFileBytes?: number,
    /** Rate and ETA of a running batch (see `core/batches/progressRate.ts`). */
    readonly progress?: ProgressEstimate,
    /** When its output file expires (unix seconds), when known (the expiry guardian looked it up). */
    readonly outputExpiresAt?: number,
  ) {
    this.id = `${parent.id}/${batch.id}`;
  }

  get accountId(): string | undefined {
    return this.parent.accountId;
  }

  toTreeItem(): vscode.TreeItem {
    const batch = this.batch;
    const item = new vscode.TreeItem(batchLabel(batch), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = chainPrefix(batch) + batchDescription(batch, Date.now(), progressDescription(batch, this.progress));
    const expiry = this.outputExpiresAt === undefined ? undefined : expiryText({ id: '', expires_at: this.outputExpiresAt });
    if (expiry) item.description += ` · ${vscode.l10n.t('output {0}', expiry)}`;
    const presentation = batchPresentation(batch, this.errorFileBytes);
    item.iconPath = themeIcon(presentation.icon, presentation.color);
    item.contextValue = batchContextValue(batch);
    // Under an account, the id is named with it: another account may hold a batch of the same id.
    const target = this.accountId ? { id: batch.id, accountId: this.accountId } : batch.id;
    item.command = { command: CommandId.openBatch, title: vscode.l10n.t('Open Batch Details'), arguments: [target] };
    item.accessibilityInformation = { label: `${batchLabel(batch)}, ${humanizeStatus(statusOf(batch))}, ${item.description}` };
    return item;
  }
}

/** The Markdown tooltip, built only when VS Code asks for it (on hover), not for every node. */
export function batchTooltip(batch: Batch, errorFileBytes?: number, progress?: ProgressEstimate): vscode.MarkdownString {
  const cost = tooltipCostLine(batch, readPriceOverrides());
  const tooltip = new vscode.MarkdownString(
    batchTooltipMarkdown(batch, Date.now(), errorFileBytes) + progressTooltipMarkdown(batch, progress) + (cost ? `\n${cost}  ` : ''),
  );
  tooltip.supportHtml = false;
  tooltip.isTrusted = false;
  return tooltip;
}

/** `batch` and a flag per action that applies (package.json's menus match them with `viewItem =~`). */
function batchContextValue(batch: Batch): string {
  const flags: string[] = [NodeContext.batch, ...batchFiles(batch).map(({ role }) => FILE_FLAG[role])];
  if (isCancellable(batch)) flags.push(BatchFlag.cancellable);
  if (canResubmit(batch)) flags.push(BatchFlag.resubmittable);
  return flags.join(' ');
}

/** The last root node while the API says `has_more`; also the retry point after a failed page. */
export class LoadMoreNode implements TreeNode {
  readonly id: string;

  constructor(
    private readonly loading: boolean,
    private readonly error?: string,
    readonly parent?: TreeNode,
  ) {
    this.id = underParent(parent, 'loadMore');
  }

  get accountId(): string | undefined {
    return this.parent?.accountId;
  }

  toTreeItem(): vscode.TreeItem {
    const row = { id: this.id, loading: this.loading, error: this.error, files: false };
    return loadMoreItem(row, NodeContext.loadMore, { command: CommandId.loadMore, arguments: this.parent ? [this] : undefined });
  }
}

/**
 * A row with no children: its id is built from its parent's (so it survives refreshes), and it
 * acts for its parent's account.
 */
abstract class LeafNode implements TreeNode {
  readonly id: string;

  constructor(
    id: string,
    readonly parent?: TreeNode,
  ) {
    this.id = underParent(parent, id);
  }

  get accountId(): string | undefined {
    return this.parent?.accountId;
  }

  abstract toTreeItem(): vscode.TreeItem;

  protected leafItem(label: string, icon: vscode.ThemeIcon, tooltip: string, contextValue: string): vscode.TreeItem {
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = icon;
    item.tooltip = tooltip;
    item.contextValue = contextValue;
    return item;
  }
}

/** A failure shown in the tree itself (never a pop-up), with the action that fixes it. */
export class ErrorNode extends LeafNode {
  constructor(
    id: string,
    private readonly label: string,
    private readonly detail: string,
    private readonly command: vscode.Command,
    parent?: TreeNode,
  ) {
    super(id, parent);
  }

  toTreeItem(): vscode.TreeItem {
    const item = this.leafItem(this.label, themeIcon('error', 'errorForeground'), this.detail, NodeContext.error);
    // Under an account, the fix (Set API Key, Retry…) is for that account; a command with its own arguments (Open Settings) keeps them.
    item.command = this.parent && !this.command.arguments ? { ...this.command, arguments: [this] } : this.command;
    return item;
  }
}

/** A plain informational row (empty account, end-of-paging note). */
export class MessageNode extends LeafNode {
  constructor(
    id: string,
    private readonly label: string,
    private readonly tooltip?: string,
    private readonly icon = 'info',
    parent?: TreeNode,
    private readonly command?: vscode.Command,
    private readonly extra: { description?: string; contextValue?: string } = {},
  ) {
    super(id, parent);
  }

  toTreeItem(): vscode.TreeItem {
    const item = this.leafItem(
      this.label,
      themeIcon(this.icon),
      this.tooltip ?? this.label,
      this.extra.contextValue ?? NodeContext.message,
    );
    item.description = this.extra.description;
    // A command with its own arguments keeps them; the others get the node (its account).
    if (this.command) item.command = { ...this.command, arguments: this.command.arguments ?? [this] };
    return item;
  }
}
