import * as vscode from 'vscode';
import { activeUses, expiryState, fileDescription, fileLabel, fileTooltipMarkdown, type FileUse } from '../../core/files/files';
import { batchLabel, batchPresentation, humanizeStatus } from '../../core/batches/batchDisplay';
import { plainText } from '../../core/util/text';
import { statusOf } from '../../core/batches/grouping';
import type { FileObject } from '../../core/api/types';
import { CommandId } from '../../ids';
import { FileFlag, FileNodeContext } from '../contextValues';
import { loadMoreItem, type TreeNode } from '../nodes';

function themeIcon(icon: string, color?: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
}

/** An account's files, as a root of the Files view when several accounts are shown. */
export class FilesAccountNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly accountId: string,
    private readonly name: string,
  ) {
    this.id = `files/${accountId}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(plainText(this.name, 80) || vscode.l10n.t('Account'), vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.iconPath = themeIcon('account');
    item.contextValue = FileNodeContext.account;
    return item;
  }
}

/** One file: name; size · age · expiry; the batches that use it as children (and in its hover). */
export class FileNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly file: FileObject,
    readonly uses: readonly FileUse[],
    /** The account the file belongs to (the source's id), so a command acts on that account. */
    readonly accountId: string,
    readonly parent?: FilesAccountNode,
    private readonly nowMs = Date.now(),
  ) {
    this.id = `${parent?.id ?? 'files'}/${file.id}`;
  }

  toTreeItem(): vscode.TreeItem {
    const { file, uses } = this;
    const item = new vscode.TreeItem(
      fileLabel(file),
      uses.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = this.id;
    item.description = fileDescription(file, uses, this.nowMs);
    const expiry = expiryState(file, this.nowMs);
    const inUse = activeUses(uses).length > 0;
    item.iconPath =
      expiry === 'expired'
        ? themeIcon('history', 'disabledForeground')
        : expiry === 'soon'
          ? themeIcon('clock', 'list.warningForeground')
          : inUse
            ? themeIcon('sync', 'charts.blue')
            : file.purpose === 'batch'
              ? themeIcon('file-code', uses.length ? undefined : 'disabledForeground')
              : themeIcon('output', uses.length ? undefined : 'disabledForeground');
    const flags: string[] = [FileNodeContext.file];
    if (file.purpose === 'batch') flags.push(FileFlag.batchInput);
    if (inUse) flags.push(FileFlag.inUse);
    if (uses.length === 0) flags.push(FileFlag.unused);
    if (expiry === 'expired') flags.push(FileFlag.expired);
    item.contextValue = flags.join(' ');
    item.accessibilityInformation = { label: `${fileLabel(file)}, ${item.description}` };
    return item;
  }

  /** Built on hover only: large lists stay cheap to render. */
  tooltip(): vscode.MarkdownString {
    const tooltip = new vscode.MarkdownString(fileTooltipMarkdown(this.file, this.uses, this.nowMs));
    tooltip.supportHtml = false;
    tooltip.isTrusted = false;
    return tooltip;
  }
}

/** A batch that uses the parent file; clicking it opens the batch. */
export class FileUseNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly use: FileUse,
    readonly parent: FileNode,
  ) {
    this.id = `${parent.id}/${use.role}/${use.batch.id}`;
  }

  toTreeItem(): vscode.TreeItem {
    const { batch, role } = this.use;
    const label =
      role === 'error'
        ? vscode.l10n.t('Errors of {0}', batchLabel(batch))
        : role === 'input'
          ? vscode.l10n.t('Input of {0}', batchLabel(batch))
          : vscode.l10n.t('Output of {0}', batchLabel(batch));
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = humanizeStatus(statusOf(batch));
    const presentation = batchPresentation(batch);
    item.iconPath = themeIcon(presentation.icon, presentation.color);
    item.tooltip = vscode.l10n.t('Open batch {0}', plainText(batch.id, 300));
    item.contextValue = FileNodeContext.use;
    item.command = { command: CommandId.openBatch, title: vscode.l10n.t('Open Batch Details'), arguments: [batch.id] };
    return item;
  }
}

/** The last node of an account's files while a purpose has more pages; also the retry point after a failed page. */
export class FilesLoadMoreNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly accountId: string,
    private readonly loading: boolean,
    private readonly error?: string,
    readonly parent?: FilesAccountNode,
  ) {
    this.id = `${parent?.id ?? 'files'}/loadMore`;
  }

  toTreeItem(): vscode.TreeItem {
    const row = { id: this.id, loading: this.loading, error: this.error, files: true };
    return loadMoreItem(row, FileNodeContext.loadMore, { command: CommandId.loadMoreFiles, arguments: [this] });
  }
}
