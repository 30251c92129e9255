import * as vscode from 'vscode';
import type { ApiKeyStore } from '../auth/apiKeyStore';
import { AutoRefresher } from '../autoRefresh';
import { implicitSettings, readAccounts, readSettings } from '../config';
import { ConnectionManager } from '../connection';
import { type AccountSettings, IMPLICIT_ACCOUNT_ID } from '../core/api/accounts';
import type { AccountFiles } from '../core/files/accountFiles';
import type { BatchCache } from '../core/batches/batchCache';
import { BatchCacheSaver } from '../core/batches/batchCacheSaver';
import { BatchStore } from '../core/batches/batchStore';
import { ProgressTracker } from '../core/batches/progressTracker';
import { CONFIG_SECTION, PanelType } from '../ids';
import type { Logger } from '../log';
import { BatchJsonDocuments } from '../webview/batchJsonDocument';
import { BatchDetailPanels } from '../webview/detail/detailPanel';
import { ResultsPanels } from '../webview/results/resultsPanel';
import { ComparePanels } from '../webview/compare/comparePanel';

/** What the registry needs to build an account: shared by every account, none of it keyed. */
export interface AccountRegistryDeps {
  extensionUri: vscode.Uri;
  log: Logger;
  keys: ApiKeyStore;
  files: AccountFiles;
  cache: BatchCache;
}

/**
 * One account and everything that belongs to it alone: its store, connection, cache saver,
 * auto-refresh, detail and results panels and JSON documents. Nothing here is shared with another
 * account, so one account failing or switching never touches another's.
 */
export class AccountContext implements vscode.Disposable {
  readonly store: BatchStore;
  readonly connection: ConnectionManager;
  readonly cacheSaver: BatchCacheSaver;
  readonly panels: BatchDetailPanels;
  readonly results: ResultsPanels;
  readonly compare: ComparePanels;
  readonly jsonDocuments: BatchJsonDocuments;
  /** Rates and ETAs of this account's running batches. */
  readonly progress: ProgressTracker;
  private autoRefresher: AutoRefresher | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private current: AccountSettings,
    deps: AccountRegistryDeps,
  ) {
    const { log, keys, files, cache, extensionUri } = deps;
    const prefix = current.implicit ? '' : `[${current.name}] `;
    this.store = new BatchStore(
      () => readSettings().pageSize,
      (line) => log.warn(prefix + line),
    );
    // Before the tree and the panels: its listeners must record a poll's counts before they render it.
    this.progress = new ProgressTracker(this.store);
    this.cacheSaver = new BatchCacheSaver(
      this.store,
      cache,
      () => readSettings().cacheSize,
      (line) => log.warn(prefix + line),
    );
    this.connection = new ConnectionManager(this.store, keys, log, cache, this.cacheSaver, () => this.settings);
    this.jsonDocuments = new BatchJsonDocuments(this.store, current.implicit ? '' : current.id);
    this.panels = new BatchDetailPanels({
      extensionUri,
      store: this.store,
      log,
      jsonDocuments: this.jsonDocuments,
      cachedFile: (account, fileId) => files.pathFor(account, fileId),
      progress: this.progress,
    });
    this.results = new ResultsPanels({
      extensionUri,
      store: this.store,
      log,
      cachedFile: (account, fileId) => files.pathFor(account, fileId),
    });
    this.compare = new ComparePanels({
      extensionUri,
      store: this.store,
      log,
      cachedFile: (account, fileId) => files.pathFor(account, fileId),
    });
    // Disposed in reverse: panels close before the store goes.
    this.disposables.push(
      this.store,
      this.progress,
      this.cacheSaver,
      this.connection,
      this.jsonDocuments,
      this.panels,
      this.results,
      this.compare,
    );
    // Registered at once, so JSON tabs restored after a reload have their content.
    this.jsonDocuments.register();
  }

  get id(): string {
    return this.current.id;
  }

  /** Where this account's key comes from: SecretStorage, or the environment (`OPENAI_API_KEY`); undefined while signed out. */
  get keySource(): 'stored' | 'environment' | undefined {
    return this.connection.keySource;
  }

  /** Read live for the implicit account, whose settings change without the registry (`openaiBatches.baseUrl`, …). */
  get settings(): AccountSettings {
    return this.current.implicit ? implicitSettings() : this.current;
  }

  /** Starts polling this account's active batches while `view` is visible. */
  startAutoRefresh(view: vscode.TreeView<unknown>, log: Logger, multiple: boolean): void {
    this.autoRefresher ??= new AutoRefresher(this.store, view, log, multiple ? this.id : undefined, this.progress);
  }

  /** New values for the fields that do not change the account's id (organization, project, headers): reconnects. */
  update(settings: AccountSettings): void {
    if (settings.implicit || JSON.stringify(settings) === JSON.stringify(this.current)) return;
    this.current = settings;
    void this.connection.reconnect();
  }

  dispose(): void {
    this.autoRefresher?.dispose();
    for (const disposable of this.disposables.reverse()) disposable.dispose();
  }
}

/**
 * Every account, the implicit one (`openaiBatches.baseUrl`, …) first, then those of
 * `openaiBatches.accounts`; kept in step with the settings. The implicit account's context lives
 * as long as the extension, so what holds it (tests, the single-account services) never goes stale.
 */
export class AccountRegistry implements vscode.Disposable {
  private readonly contexts = new Map<string, AccountContext>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly storeChanged = new vscode.EventEmitter<void>();
  private readonly storeSubscriptions = new Map<string, vscode.Disposable>();
  private readonly disposables: vscode.Disposable[] = [];
  private view: vscode.TreeView<unknown> | undefined;
  private problemsShown = '';
  private firstConnect: Promise<void> = Promise.resolve();

  /** Fires when accounts are added, removed or renamed. */
  readonly onDidChangeAccounts = this.changed.event;
  /** Fires when any account's store changes, and when the accounts change. */
  readonly onDidChangeAnyStore = this.storeChanged.event;

  constructor(private readonly deps: AccountRegistryDeps) {
    this.sync();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${CONFIG_SECTION}.accounts`)) this.sync();
      }),
      this.routeRestoredPanels(PanelType.batchDetail, (context) => context.panels),
      this.routeRestoredPanels(PanelType.results, (context) => context.results),
      this.routeRestoredPanels(PanelType.compare, (context) => context.compare),
    );
  }

  /** The accounts in the order shown: the implicit one first. */
  get accounts(): readonly AccountContext[] {
    return [...this.contexts.values()];
  }

  /** True when the tree shows one root per account. */
  get multiple(): boolean {
    return this.contexts.size > 1;
  }

  /** The implicit account: the only one when `openaiBatches.accounts` is empty. */
  get primary(): AccountContext {
    const context = this.contexts.get(IMPLICIT_ACCOUNT_ID);
    if (!context) throw new Error('The implicit account is always registered.');
    return context;
  }

  get(id: string): AccountContext | undefined {
    return this.contexts.get(id);
  }

  /** The account whose store is `store`. */
  ofStore(store: BatchStore): AccountContext | undefined {
    return this.accounts.find((context) => context.store === store);
  }

  /** Connects every account (each reads its key); resolves when all have tried once. */
  connectAll(): Promise<void> {
    this.firstConnect = Promise.all(this.accounts.map((context) => context.connection.reconnect())).then(() => undefined);
    return this.firstConnect;
  }

  /** Starts auto-refresh for every account, now and for accounts added later. */
  startAutoRefresh(view: vscode.TreeView<unknown>): void {
    this.view = view;
    for (const context of this.accounts) context.startAutoRefresh(view, this.deps.log, this.multiple);
  }

  /** Reads the settings again: new accounts are built and connected, removed ones disposed, changed ones reconnected. */
  private sync(): void {
    const { accounts, problems } = readAccounts();
    const report = problems.join('\n');
    if (report && report !== this.problemsShown) {
      for (const line of problems) this.deps.log.warn(line);
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Some entries of openaiBatches.accounts were skipped or corrected ({0}); see the log.', problems.length),
      );
    }
    this.problemsShown = report;
    const wanted = new Set(accounts.map((account) => account.id));
    let changed = false;
    for (const [id, context] of this.contexts) {
      if (wanted.has(id)) continue;
      this.contexts.delete(id);
      this.storeSubscriptions.get(id)?.dispose();
      this.storeSubscriptions.delete(id);
      context.dispose();
      changed = true;
    }
    const ordered = new Map<string, AccountContext>();
    for (const settings of accounts) {
      let context = this.contexts.get(settings.id);
      if (context) context.update(settings);
      else {
        context = new AccountContext(settings, this.deps);
        // A poll that changed no count still moves the estimates: the tree redraws when a row's time left changed.
        const subscriptions = [
          context.store.onDidChange(() => this.storeChanged.fire()),
          context.progress.onDidRecord((recording) => recording.rowTextChanged && this.storeChanged.fire()),
        ];
        this.storeSubscriptions.set(settings.id, { dispose: () => subscriptions.forEach((subscription) => subscription.dispose()) });
        if (this.view) void context.connection.reconnect();
        changed = true;
      }
      ordered.set(settings.id, context);
    }
    this.contexts.clear();
    for (const [id, context] of ordered) this.contexts.set(id, context);
    if (this.view) this.startAutoRefresh(this.view);
    if (changed) this.changed.fire();
    // A renamed or re-headed account re-renders its node too.
    this.storeChanged.fire();
  }

  /**
   * Panels restored after a window reload go to the account whose store holds their batch, once
   * every account has connected. With one account that is it; with several, a batch no account
   * holds is not asked of any of them (it may belong to none): its panel closes.
   */
  private routeRestoredPanels(
    viewType: string,
    panelsOf: (context: AccountContext) => BatchDetailPanels | ResultsPanels | ComparePanels,
  ): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
        if (!this.multiple) return panelsOf(this.primary).restore(panel, state);
        await this.firstConnect;
        const key = panelsOf(this.primary).keyOfState(state);
        const owner = key === undefined ? undefined : this.accounts.find((context) => context.store.get(key));
        if (owner) return panelsOf(owner).restore(panel, state);
        this.deps.log.info(`A restored ${viewType} panel was closed: none of the accounts has its batch loaded.`);
        panel.dispose();
      },
    });
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    for (const subscription of this.storeSubscriptions.values()) subscription.dispose();
    for (const context of [...this.contexts.values()].reverse()) context.dispose();
    this.contexts.clear();
    this.changed.dispose();
    this.storeChanged.dispose();
  }
}
