import * as vscode from 'vscode';
import { fileIdOf } from '../core/batchFacts';
import type { BatchStore } from '../core/batchStore';
import { BatchFilter, isFilterActive, matchesFilter } from '../core/filter';
import { failureVerdict, plainText } from '../core/format';
import { groupByStatus } from '../core/grouping';
import type { Batch } from '../core/types';
import { CommandId, CONFIG_SECTION } from '../ids';
import type { ProgressTracker } from '../core/progressTracker';
import type { Logger } from '../log';
import { ErrorFileSizes } from './errorFileSizes';
import { BatchNode, batchTooltip, ErrorNode, LoadMoreNode, MessageNode, StatusGroupNode, TreeNode } from './nodes';

/**
 * The Batches view. Renders whatever the store holds; loading and failures are nodes,
 * so `getChildren` never throws and never pops anything up.
 */
export class BatchTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private groups = new Map<string, StatusGroupNode>();
  private activeFilter: BatchFilter | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private readonly errorFiles: ErrorFileSizes;

  constructor(
    private readonly store: BatchStore,
    /** Error messages quote servers (and may echo a key): the tree shows them only through {@link Logger.shown}. */
    private readonly log: Pick<Logger, 'shown' | 'info'>,
    /** Rates and ETAs of running batches, for their descriptions and tooltips. */
    private readonly progress?: ProgressTracker,
  ) {
    this.errorFiles = new ErrorFileSizes(store, log);
    this.subscriptions = [
      store.onDidChange(() => this.changed.fire(undefined)),
      // Rare (providers without request counts): a whole refresh is simpler than finding the nodes.
      this.errorFiles.onDidChange(() => this.changed.fire(undefined)),
      this.errorFiles,
    ];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  /** Tooltips are Markdown built per batch; deferring them to hover keeps large trees cheap to render. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    // The estimate as of the hover: polls that changed no count do not redraw the row, but they do move the rate.
    if (node instanceof BatchNode)
      item.tooltip = batchTooltip(node.batch, node.errorFileBytes, this.progress?.estimate(node.batch) ?? node.progress);
    return item;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node instanceof StatusGroupNode)
      return node.group.batches.map((batch) => new BatchNode(batch, node, this.errorFileBytes(batch), this.progress?.estimate(batch)));
    if (node) return [];
    return this.rootNodes();
  }

  get filter(): BatchFilter | undefined {
    return this.activeFilter;
  }

  /** Shows only loaded batches that match; `undefined` shows all. Load more keeps working. */
  setFilter(filter: BatchFilter | undefined): void {
    this.activeFilter = isFilterActive(filter) ? filter : undefined;
    this.changed.fire(undefined);
  }

  /** The node showing a batch, for `TreeView.reveal`. */
  findBatchNode(batchId: string): BatchNode | undefined {
    for (const group of this.groups.values()) {
      const batch = group.group.batches.find((b) => b.id === batchId);
      if (batch) return new BatchNode(batch, group, this.errorFileBytes(batch), this.progress?.estimate(batch));
    }
    return undefined;
  }

  /**
   * The size of a completed batch's error file when only that can tell whether requests failed
   * (no request counts); looked up on first sight, so the node shows as a warning once it is known.
   */
  private errorFileBytes(batch: Batch): number | undefined {
    const fileId = fileIdOf(batch, 'error');
    return fileId && failureVerdict(batch) === 'unknown' ? this.errorFiles.bytesOf(fileId) : undefined;
  }

  private async rootNodes(): Promise<TreeNode[]> {
    const store = this.store;
    const state = store.state;
    if (state.kind === 'signedOut') return []; // the welcome view takes over
    if (state.kind === 'misconfigured') {
      const message = this.log.shown(state.error.message);
      return [
        new ErrorNode('error/config', message, message, {
          command: 'workbench.action.openSettings',
          title: 'Open Settings',
          arguments: [`${CONFIG_SECTION}.baseUrl`],
        }),
      ];
    }
    // The first load happens here so VS Code shows its progress bar on the view while it runs.
    if (!store.hasLoaded && !store.refreshError) await store.refresh();

    const nodes: TreeNode[] = [];
    const error = store.refreshError;
    if (error) {
      const message = this.log.shown(error.message);
      if (error.kind === 'auth') {
        nodes.push(
          new ErrorNode('error/auth', 'Invalid API key — set a new one', message, { command: CommandId.setApiKey, title: 'Set API Key' }),
        );
      } else {
        const label = store.hasLoaded
          ? `Couldn't refresh: ${message} — click to retry`
          : `Failed to load batches: ${message} — click to retry`;
        nodes.push(new ErrorNode('error/refresh', label, message, { command: CommandId.refresh, title: 'Retry' }));
      }
    }
    if (!store.hasLoaded) return nodes;

    const filter = this.activeFilter;
    const visible = filter ? store.batches.filter((batch) => matchesFilter(batch, filter)) : store.batches;
    const groups = groupByStatus(visible).map((group) => new StatusGroupNode(group));
    this.groups = new Map(groups.map((group) => [group.group.status, group]));
    nodes.push(...groups);
    if (filter && visible.length === 0 && store.batches.length > 0) {
      nodes.push(
        new MessageNode(
          'message/filtered',
          `No loaded batch matches the filter (${store.batches.length} loaded)`,
          'Load more, or change the filter.',
          'filter',
        ),
      );
    }
    if (store.batches.length === 0)
      nodes.push(
        new MessageNode(
          'message/empty',
          'No batches yet',
          'This account has no batches. Create one from a .jsonl file with "OpenAI Batches: Create Batch from JSONL File…".',
        ),
      );

    if (store.loadMoreError) nodes.push(new LoadMoreNode(false, this.log.shown(store.loadMoreError.message)));
    else if (store.hasMore) nodes.push(new LoadMoreNode(store.busy === 'loadMore'));
    // The note may come back from the cache file.
    else if (store.endNote) nodes.push(new MessageNode('message/endNote', plainText(store.endNote), undefined, 'warning'));
    return nodes;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}
