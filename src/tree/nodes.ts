import * as vscode from 'vscode';
import { batchFiles } from '../core/batchFacts';
import { batchDescription, batchLabel, batchPresentation, batchTooltipMarkdown, humanizeStatus, statusPresentation } from '../core/format';
import { isActive, isCancellable, StatusGroup, statusOf } from '../core/grouping';
import type { ProgressEstimate } from '../core/progressRate';
import { progressDescription, progressTooltipMarkdown } from '../core/progressText';
import type { Batch } from '../core/types';
import { CommandId } from '../ids';
import { BatchFlag, FILE_FLAG, NodeContext } from './contextValues';

function themeIcon(icon: string, color?: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

/** One node of the batches tree. Each builds a fresh TreeItem with an id stable across refreshes. */
export interface TreeNode {
  readonly id: string;
  readonly parent?: TreeNode;
  toTreeItem(): vscode.TreeItem;
}

export class StatusGroupNode implements TreeNode {
  readonly id: string;

  constructor(readonly group: StatusGroup) {
    this.id = `status/${group.status}`;
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
    item.tooltip = `${batches.length} ${humanizeStatus(status).toLowerCase()} batch${batches.length === 1 ? '' : 'es'} loaded`;
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
    /** Rate and ETA of a running batch (see `core/progressRate.ts`). */
    readonly progress?: ProgressEstimate,
  ) {
    this.id = `${parent.id}/${batch.id}`;
  }

  toTreeItem(): vscode.TreeItem {
    const batch = this.batch;
    const item = new vscode.TreeItem(batchLabel(batch), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = batchDescription(batch, Date.now(), progressDescription(batch, this.progress));
    const presentation = batchPresentation(batch, this.errorFileBytes);
    item.iconPath = themeIcon(presentation.icon, presentation.color);
    item.contextValue = batchContextValue(batch);
    item.command = { command: CommandId.openBatch, title: 'Open Batch Details', arguments: [batch.id] };
    item.accessibilityInformation = { label: `${batchLabel(batch)}, ${humanizeStatus(statusOf(batch))}, ${item.description}` };
    return item;
  }
}

/** The Markdown tooltip, built only when VS Code asks for it (on hover), not for every node. */
export function batchTooltip(batch: Batch, errorFileBytes?: number, progress?: ProgressEstimate): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString(
    batchTooltipMarkdown(batch, Date.now(), errorFileBytes) + progressTooltipMarkdown(batch, progress),
  );
  tooltip.supportHtml = false;
  tooltip.isTrusted = false;
  return tooltip;
}

/** `batch` and a flag per action that applies (package.json's menus match them with `viewItem =~`). */
function batchContextValue(batch: Batch): string {
  const flags: string[] = [NodeContext.batch, ...batchFiles(batch).map(({ role }) => FILE_FLAG[role])];
  if (isCancellable(batch)) flags.push(BatchFlag.cancellable);
  return flags.join(' ');
}

/** The last root node while the API says `has_more`; also the retry point after a failed page. */
export class LoadMoreNode implements TreeNode {
  readonly id = 'loadMore';

  constructor(
    private readonly loading: boolean,
    private readonly error?: string,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const label = this.loading ? 'Loading more…' : this.error ? 'Retry loading more' : 'Load more…';
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = themeIcon(
      this.loading ? 'loading~spin' : this.error ? 'warning' : 'more',
      this.error ? 'list.warningForeground' : undefined,
    );
    if (this.error) item.description = this.error;
    item.tooltip = this.error ? `Loading the next page failed: ${this.error}\nClick to try again.` : 'Load the next page of batches';
    item.contextValue = NodeContext.loadMore;
    item.command = { command: CommandId.loadMore, title: 'Load More Batches' };
    return item;
  }
}

/** A failure shown in the tree itself (never a pop-up), with the action that fixes it. */
export class ErrorNode implements TreeNode {
  constructor(
    readonly id: string,
    private readonly label: string,
    private readonly detail: string,
    private readonly command: vscode.Command,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = themeIcon('error', 'errorForeground');
    item.tooltip = this.detail;
    item.contextValue = NodeContext.error;
    item.command = this.command;
    return item;
  }
}

/** A plain informational row (empty account, end-of-paging note). */
export class MessageNode implements TreeNode {
  constructor(
    readonly id: string,
    private readonly label: string,
    private readonly tooltip?: string,
    private readonly icon = 'info',
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = themeIcon(this.icon);
    item.tooltip = this.tooltip ?? this.label;
    item.contextValue = NodeContext.message;
    return item;
  }
}
