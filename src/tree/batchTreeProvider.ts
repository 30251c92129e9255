import * as vscode from 'vscode';
import { workspaceHostNote } from '../auth/workspaceHost';
import { ENV_VARS } from '../core/api/environment';
import { fileIdOf } from '../core/batches/batchFacts';
import type { AccountSettings } from '../core/api/accounts';
import type { BatchStore } from '../core/batches/batchStore';
import { BatchFilter, isFilterActive, matchesFilter } from '../core/batches/filter';
import { failureVerdict } from '../core/batches/batchDisplay';
import { plainText } from '../core/util/text';
import { groupByStatus } from '../core/batches/grouping';
import type { Batch } from '../core/api/types';
import { CommandId, CONFIG_SECTION, ViewId } from '../ids';
import type { ProgressTracker } from '../core/batches/progressTracker';
import type { Logger } from '../log';
import { AccountNode } from './accountNode';
import { NodeContext } from './contextValues';
import { ErrorFileSizes } from './errorFileSizes';
import { BatchNode, batchTooltip, ErrorNode, LoadMoreNode, MessageNode, StatusGroupNode, TreeNode } from './nodes';
import { QueuedGroupNode, type WaitingPart } from './queueNodes';
import { planQueue, type QueueFile } from '../core/queue/queueModel';
import { readAutopilotSettings } from '../config';

/** One account as the tree sees it. */
export interface TreeAccount {
  readonly id: string;
  readonly settings: AccountSettings;
  readonly store: BatchStore;
  /** Rates and ETAs of the account's running batches, for their descriptions and tooltips. */
  readonly progress?: ProgressTracker;
  /** Where its key comes from (undefined while signed out): a key from the environment is said in the tree. */
  readonly keySource?: 'stored' | 'environment';
}

/** The accounts the tree shows (the account registry). */
export interface TreeAccounts {
  readonly accounts: readonly TreeAccount[];
  /** With several accounts the roots are {@link AccountNode}s; with one, the tree is that account's. */
  readonly multiple: boolean;
  readonly onDidChangeAnyStore: vscode.Event<void>;
}

/** Each account's submission queue, as the tree shows it (see `queue/queues.ts`). */
export interface TreeQueues {
  of(store: BatchStore): { readonly queue: QueueFile | undefined; readonly drivenElsewhere: boolean };
  readonly onDidChange: vscode.Event<void>;
}

/** When finished batches' outputs expire, as the expiry guardian found (see `queue/archiveGuardian.ts`). */
export interface TreeExpiries {
  of(store: BatchStore): { expiryOf(batch: Batch): number | undefined };
  readonly onDidChange: vscode.Event<void>;
}

/**
 * The Batches view. Renders whatever the stores hold; loading and failures are nodes,
 * so `getChildren` never throws and never pops anything up. With several accounts each is a
 * root with its own groups, load more and errors: one failing never changes another's nodes.
 */
export class BatchTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The groups last rendered, per account id. */
  private groups = new Map<string, Map<string, StatusGroupNode>>();
  private activeFilter: BatchFilter | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private readonly errorFiles = new Map<BatchStore, { sizes: ErrorFileSizes; subscription: vscode.Disposable }>();

  constructor(
    private readonly source: TreeAccounts,
    /** Error messages quote servers (and may echo a key): the tree shows them only through {@link Logger.shown}. */
    private readonly log: Pick<Logger, 'shown' | 'info'>,
    private readonly queues?: TreeQueues,
    private readonly expiries?: TreeExpiries,
  ) {
    this.subscriptions = [source.onDidChangeAnyStore(() => this.changed.fire(undefined))];
    if (queues) this.subscriptions.push(queues.onDidChange(() => this.changed.fire(undefined)));
    if (expiries) this.subscriptions.push(expiries.onDidChange(() => this.changed.fire(undefined)));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  /** Tooltips are Markdown built per batch; deferring them to hover keeps large trees cheap to render. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    // The tracker's estimate, as of the batch's last sample, as the detail panel shows it; the row
    // shows the same text, as the tree redraws when a quiet poll changed it (see ProgressTracker).
    if (node instanceof BatchNode) {
      const progress = this.accountOf(node)?.progress;
      item.tooltip = batchTooltip(node.batch, node.errorFileBytes, progress ? progress.estimate(node.batch) : node.progress);
    }
    return item;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node instanceof QueuedGroupNode) return node.children();
    if (node instanceof StatusGroupNode) {
      const account = this.accountOf(node);
      if (!account) return [];
      const expiries = this.expiries?.of(account.store);
      return node.group.batches.map(
        (batch) =>
          new BatchNode(
            batch,
            node,
            this.errorFileBytes(account.store, batch),
            account.progress?.estimate(batch),
            expiries?.expiryOf(batch),
          ),
      );
    }
    if (node instanceof AccountNode) {
      const account = this.accountOf(node);
      return account ? this.accountNodes(account, node) : [];
    }
    if (node) return [];
    if (!this.source.multiple) {
      const [only] = this.source.accounts;
      return only ? this.accountNodes(only, undefined) : [];
    }
    this.forgetRemovedAccounts();
    return this.source.accounts.map(
      ({ settings, store, keySource }) =>
        new AccountNode(settings, store.state.kind, store.hasLoaded ? store.batches.length : undefined, !!store.refreshError, keySource),
    );
  }

  /** The account a node belongs to: its own, or the only one. */
  private accountOf(node: TreeNode): TreeAccount | undefined {
    const id = node.accountId;
    return id === undefined ? this.source.accounts[0] : this.source.accounts.find((account) => account.id === id);
  }

  get filter(): BatchFilter | undefined {
    return this.activeFilter;
  }

  /** Shows only loaded batches that match; `undefined` shows all. Load more keeps working. */
  setFilter(filter: BatchFilter | undefined): void {
    this.activeFilter = isFilterActive(filter) ? filter : undefined;
    this.changed.fire(undefined);
  }

  /** The node showing a batch, for `TreeView.reveal` (of the given account's store, else of any account). */
  findBatchNode(batchId: string, store?: BatchStore): BatchNode | undefined {
    for (const account of this.source.accounts) {
      if (store && account.store !== store) continue;
      for (const group of this.groups.get(account.id)?.values() ?? []) {
        const batch = group.group.batches.find((b) => b.id === batchId);
        if (batch) return new BatchNode(batch, group, this.errorFileBytes(account.store, batch), account.progress?.estimate(batch));
      }
    }
    return undefined;
  }

  /**
   * The size of a completed batch's error file when only that can tell whether requests failed
   * (no request counts); looked up on first sight, so the node shows as a warning once it is known.
   */
  private errorFileBytes(store: BatchStore, batch: Batch): number | undefined {
    const fileId = fileIdOf(batch, 'error');
    return fileId && failureVerdict(batch) === 'unknown' ? this.errorFilesOf(store).bytesOf(fileId) : undefined;
  }

  /** Each account's error-file sizes are looked up with its own client. */
  private errorFilesOf(store: BatchStore): ErrorFileSizes {
    let entry = this.errorFiles.get(store);
    if (!entry) {
      const sizes = new ErrorFileSizes(store, this.log);
      // Rare (providers without request counts): a whole refresh is simpler than finding the nodes.
      entry = { sizes, subscription: sizes.onDidChange(() => this.changed.fire(undefined)) };
      this.errorFiles.set(store, entry);
    }
    return entry.sizes;
  }

  /** Lines above an account's batches: a host chosen by the workspace, a key from the environment (with Store It). */
  private keyNotes(settings: AccountSettings, keySource: TreeAccount['keySource'], parent: AccountNode | undefined): TreeNode[] {
    const notes: TreeNode[] = [];
    const hostNote = workspaceHostNote(settings);
    if (hostNote)
      notes.push(
        new MessageNode(
          'message/workspaceHost',
          hostNote,
          vscode.l10n.t(
            '{0}. Your user settings did not choose this host. A key is sent to it only after you confirm; remove the setting from {1} to use your own host.',
            hostNote,
            settings.hostChosenBy?.file ?? '',
          ),
          'warning',
          parent,
          { command: 'workbench.action.openWorkspaceSettingsFile', title: vscode.l10n.t('Open Workspace Settings'), arguments: [] },
        ),
      );
    if (keySource === 'environment')
      notes.push(
        new MessageNode(
          'message/environmentKey',
          vscode.l10n.t('API key from the environment ({0})', ENV_VARS.apiKey),
          vscode.l10n.t(
            "The key comes from {0} in VS Code's environment and is not stored. Store It keeps it in SecretStorage; openaiBatches.useEnvironmentKey turns this off.",
            ENV_VARS.apiKey,
          ),
          'key',
          parent,
          undefined,
          { description: vscode.l10n.t('not stored'), contextValue: NodeContext.environmentKey },
        ),
      );
    return notes;
  }

  private forgetRemovedAccounts(): void {
    const stores = new Set(this.source.accounts.map((account) => account.store));
    for (const [store, entry] of this.errorFiles) {
      if (stores.has(store)) continue;
      entry.subscription.dispose();
      entry.sizes.dispose();
      this.errorFiles.delete(store);
    }
    const ids = new Set(this.source.accounts.map((account) => account.id));
    for (const id of this.groups.keys()) if (!ids.has(id)) this.groups.delete(id);
  }

  /** An account's nodes: the roots when it is the only account, else the children of its {@link AccountNode}. */
  private async accountNodes({ id, settings, store, keySource }: TreeAccount, parent: AccountNode | undefined): Promise<TreeNode[]> {
    const state = store.state;
    const notes = this.keyNotes(settings, keySource, parent);
    if (state.kind === 'signedOut') {
      // The welcome view takes over, unless a workspace chose the host: then the tree says so.
      if (!parent && !settings.hostChosenBy) return [];
      const hostNote = workspaceHostNote(settings);
      return [
        ...notes,
        new MessageNode(
          'message/signedOut',
          vscode.l10n.t('Set API Key…'),
          [vscode.l10n.t('No API key is stored for {0}.', settings.name), hostNote].filter(Boolean).join('\n'),
          'key',
          parent,
          {
            command: CommandId.setApiKey,
            title: vscode.l10n.t('Set API Key'),
          },
          { description: hostNote ? vscode.l10n.t('no API key · {0}', hostNote) : undefined },
        ),
      ];
    }
    if (state.kind === 'misconfigured') {
      const message = this.log.shown(state.error.message);
      const setting = settings.implicit ? `${CONFIG_SECTION}.baseUrl` : `${CONFIG_SECTION}.accounts`;
      return [
        new ErrorNode(
          'error/config',
          message,
          message,
          {
            command: 'workbench.action.openSettings',
            title: vscode.l10n.t('Open Settings'),
            arguments: [setting],
          },
          parent,
        ),
      ];
    }
    // The first load happens here so VS Code shows its progress bar on the view while it runs.
    if (!store.hasLoaded && !store.refreshError) {
      if (!parent) await store.refresh();
      else {
        // Not awaited under an account: while one account's children are pending, VS Code drops
        // refreshes of the whole tree, so a slow account would hold back the others' updates.
        // The load's end changes the store, which renders this account again.
        if (!store.busy) void vscode.window.withProgress({ location: { viewId: ViewId.batches } }, () => store.refresh());
        return [new MessageNode('message/loading', vscode.l10n.t('Loading batches…'), undefined, 'loading~spin', parent)];
      }
    }

    const nodes: TreeNode[] = [...notes];
    const queued = this.queuedNode(store, parent);
    if (queued) nodes.push(queued);
    const error = store.refreshError;
    if (error) {
      const message = this.log.shown(error.message);
      if (error.kind === 'auth') {
        nodes.push(
          new ErrorNode(
            'error/auth',
            vscode.l10n.t('Invalid API key — set a new one'),
            message,
            { command: CommandId.setApiKey, title: vscode.l10n.t('Set API Key') },
            parent,
          ),
        );
      } else {
        const label = store.hasLoaded
          ? vscode.l10n.t("Couldn't refresh: {0} — click to retry", message)
          : vscode.l10n.t('Failed to load batches: {0} — click to retry', message);
        nodes.push(new ErrorNode('error/refresh', label, message, { command: CommandId.refresh, title: vscode.l10n.t('Retry') }, parent));
      }
    }
    if (!store.hasLoaded) return nodes;

    const filter = this.activeFilter;
    const visible = filter ? store.batches.filter((batch) => matchesFilter(batch, filter)) : store.batches;
    const groups = groupByStatus(visible).map((group) => new StatusGroupNode(group, parent));
    this.groups.set(id, new Map(groups.map((group) => [group.group.status, group])));
    nodes.push(...groups);
    if (filter && visible.length === 0 && store.batches.length > 0) {
      nodes.push(
        new MessageNode(
          'message/filtered',
          vscode.l10n.t('No loaded batch matches the filter ({0} loaded)', store.batches.length),
          vscode.l10n.t('Load more, or change the filter.'),
          'filter',
          parent,
        ),
      );
    }
    if (store.batches.length === 0)
      nodes.push(
        new MessageNode(
          'message/empty',
          vscode.l10n.t('No batches yet'),
          vscode.l10n.t('This account has no batches. Create one from a .jsonl file with "OpenAI Batches: Create Batch from JSONL File…".'),
          undefined,
          parent,
        ),
      );

    if (store.loadMoreError) nodes.push(new LoadMoreNode(false, this.log.shown(store.loadMoreError.message), parent));
    else if (store.hasMore) nodes.push(new LoadMoreNode(store.busy === 'loadMore', undefined, parent));
    // The note may come back from the cache file.
    else if (store.endNote) nodes.push(new MessageNode('message/endNote', plainText(store.endNote), undefined, 'warning', parent));
    return nodes;
  }

  /** The "Queued" group of an account's parts not created yet; none when nothing waits. */
  private queuedNode(store: BatchStore, parent: AccountNode | undefined): QueuedGroupNode | undefined {
    const controller = this.queues?.of(store);
    const queue = controller?.queue;
    if (!controller || !queue) return undefined;
    const states = planQueue(queue, readAutopilotSettings().enqueuedTokenLimits, Date.now());
    const waiting: WaitingPart[] = [];
    for (const group of queue.groups)
      for (const part of group.parts) {
        const state = states.get(part);
        if (state && (state.kind === 'waiting' || state.kind === 'ready')) waiting.push({ group, part, state });
      }
    return waiting.length ? new QueuedGroupNode(waiting, controller.drivenElsewhere, parent) : undefined;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const { sizes, subscription } of this.errorFiles.values()) {
      subscription.dispose();
      sizes.dispose();
    }
    this.changed.dispose();
  }
}
