import * as vscode from 'vscode';
import type { BatchStore } from '../../core/batches/batchStore';
import { fileUsage } from '../../core/files/files';
import type { FileStore, FileStores } from '../../core/files/fileStore';
import { plainText } from '../../core/util/text';
import { CommandId, CONFIG_SECTION } from '../../ids';
import type { Logger } from '../../log';
import { ErrorNode, MessageNode, type TreeNode } from '../nodes';
import { FileNode, FilesAccountNode, FilesLoadMoreNode, FileUseNode } from './fileNodes';

/** An account whose files the view shows: its batches (and connection) are the store's. */
export interface FileSource {
  /** Stable across refreshes; part of node ids. */
  accountId: string;
  /** Shown as the account's root node when there are several. */
  name: string;
  store: BatchStore;
}

/** The accounts to show, in order. With one, the view's roots are its files. */
export type FileSources = () => readonly FileSource[];

/**
 * The Files view: each account's batch input and output files, newest first, with the loaded
 * batches that use them. Like the Batches view, loading and failures are nodes: `getChildren`
 * never throws and never pops anything up.
 */
export class FilesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watched = new Map<BatchStore, { dispose(): void }[]>();
  private readonly subscriptions: { dispose(): void }[] = [];
  /** The nodes last rendered, by file id then account, for `reveal`. */
  private rendered = new Map<string, FileNode>();

  constructor(
    private readonly sources: FileSources,
    private readonly fileStores: FileStores,
    /** Error messages quote servers (and may echo a key): the tree shows them only through {@link Logger.shown}. */
    private readonly log: Pick<Logger, 'shown'>,
    onDidChangeSources?: vscode.Event<unknown>,
  ) {
    if (onDidChangeSources) this.subscriptions.push(onDidChangeSources(() => this.refreshView()));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node instanceof FileNode) item.tooltip = node.tooltip();
    return item;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (node instanceof FileNode) return node.uses.map((use) => new FileUseNode(use, node));
      if (node instanceof FilesAccountNode) {
        const source = this.sources().find((s) => s.accountId === node.accountId);
        return source ? await this.accountChildren(source, node) : [];
      }
      if (node) return [];
      const sources = this.sources();
      this.watch(sources);
      this.rendered = new Map();
      if (sources.length === 1) return await this.accountChildren(sources[0]);
      return sources.map((source) => new FilesAccountNode(source.accountId, source.name));
    } catch (error) {
      // Nothing below should throw; if it does, the view still says so instead of spinning.
      const message = this.log.shown(error instanceof Error ? error.message : String(error));
      return [
        new ErrorNode('files/error/unexpected', vscode.l10n.t('Failed to show files: {0}', message), message, {
          command: CommandId.refreshFiles,
          title: vscode.l10n.t('Retry'),
        }),
      ];
    }
  }

  /** The file list of the account a store belongs to. */
  filesOf(store: BatchStore): FileStore {
    return this.fileStores.for(store);
  }

  /** The node last rendered for a file (of `accountId`, when given), for `TreeView.reveal`. */
  findFileNode(fileId: string, accountId?: string): FileNode | undefined {
    const node = this.rendered.get(fileId);
    return node && (accountId === undefined || node.accountId === accountId) ? node : undefined;
  }

  /** Re-renders the whole view. */
  refreshView(): void {
    this.changed.fire(undefined);
  }

  private async accountChildren(source: FileSource, parent?: FilesAccountNode): Promise<TreeNode[]> {
    const { store } = source;
    const prefix = parent?.id ?? 'files';
    const state = store.state;
    if (state.kind === 'signedOut') {
      // One account: the welcome view takes over. Several: say so under this one.
      return parent
        ? [
            new ErrorNode(
              `${prefix}/signedOut`,
              vscode.l10n.t('No API key — Set API Key…'),
              vscode.l10n.t('No API key is stored for this account.'),
              {
                command: CommandId.setApiKey,
                title: vscode.l10n.t('Set API Key'),
              },
            ),
          ]
        : [];
    }
    if (state.kind === 'misconfigured') {
      const message = this.log.shown(state.error.message);
      return [
        new ErrorNode(`${prefix}/error/config`, message, message, {
          command: 'workbench.action.openSettings',
          title: vscode.l10n.t('Open Settings'),
          arguments: [`${CONFIG_SECTION}.baseUrl`],
        }),
      ];
    }
    const files = this.fileStores.for(store);
    // First loads happen here so VS Code shows its progress bar on the view; the batches say which files are in use.
    const loads: Promise<void>[] = [];
    if (!files.hasLoaded && !files.refreshError) loads.push(files.refresh());
    if (!store.hasLoaded && !store.refreshError && !store.busy) loads.push(store.refresh());
    await Promise.all(loads);

    const nodes: TreeNode[] = [];
    const error = files.refreshError;
    if (error) {
      const message = this.log.shown(error.message);
      if (error.kind === 'auth') {
        nodes.push(
          new ErrorNode(`${prefix}/error/auth`, vscode.l10n.t('Invalid API key — set a new one'), message, {
            command: CommandId.setApiKey,
            title: vscode.l10n.t('Set API Key'),
          }),
        );
      } else {
        const label = files.hasLoaded
          ? vscode.l10n.t("Couldn't refresh files: {0} — click to retry", message)
          : vscode.l10n.t('Failed to load files: {0} — click to retry', message);
        nodes.push(
          new ErrorNode(`${prefix}/error/refresh`, label, message, {
            command: CommandId.refreshFiles,
            title: vscode.l10n.t('Retry'),
            arguments: [parent],
          }),
        );
      }
    }
    if (!files.hasLoaded) return nodes;

    const usage = fileUsage(store.batches);
    const now = Date.now();
    for (const file of files.files) {
      const node = new FileNode(file, usage.get(file.id) ?? [], source.accountId, parent, now);
      if (!this.rendered.has(file.id)) this.rendered.set(file.id, node);
      nodes.push(node);
    }
    if (files.files.length === 0 && !files.hasMore) {
      nodes.push(
        new MessageNode(
          `${prefix}/message/empty`,
          vscode.l10n.t('No batch files'),
          vscode.l10n.t('This account has no files with purpose batch or batch_output. Creating a batch uploads its input file.'),
        ),
      );
    }
    if (files.loadMoreError)
      nodes.push(new FilesLoadMoreNode(source.accountId, false, this.log.shown(files.loadMoreError.message), parent));
    else if (files.hasMore) nodes.push(new FilesLoadMoreNode(source.accountId, files.busy === 'loadMore', undefined, parent));
    else if (files.endNote) nodes.push(new MessageNode(`${prefix}/message/endNote`, plainText(files.endNote), undefined, 'warning'));
    return nodes;
  }

  /** Re-renders when an account's files or batches change (the batches say which files are in use). */
  private watch(sources: readonly FileSource[]): void {
    const current = new Set(sources.map((s) => s.store));
    for (const [store, subscriptions] of this.watched) {
      if (current.has(store)) continue;
      for (const subscription of subscriptions) subscription.dispose();
      this.watched.delete(store);
    }
    for (const { store } of sources) {
      if (this.watched.has(store)) continue;
      const files = this.fileStores.for(store);
      this.watched.set(store, [store.onDidChange(() => this.refreshView()), files.onDidChange(() => this.refreshView())]);
    }
  }

  dispose(): void {
    for (const subscriptions of this.watched.values()) for (const subscription of subscriptions) subscription.dispose();
    this.watched.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}
