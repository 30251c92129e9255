import * as vscode from 'vscode';
import { FILE_ROLES, batchFiles, fileIdOf } from '../../core/batches/batchFacts';
import type { BatchStore } from '../../core/batches/batchStore';
import type { BatchApiClient } from '../../core/api/client';
import { errorMessage, isCancellation } from '../../core/api/errors';
import { batchLabel } from '../../core/batches/batchDisplay';
import { singleLine } from '../../core/util/text';
import { limitDepth } from '../../core/util/jsonDepth';
import type { Batch } from '../../core/api/types';
import { CommandId, PanelType } from '../../ids';
import type { Logger } from '../../log';
import type { BatchJsonDocuments } from '../batchJsonDocument';
import { WebviewHost } from '../host';
import { pageAssets, WebviewPanels } from '../panels';
import { buildDetailHtml } from './detailHtml';
import { recoveryView } from './chainView';
import { detailView, type FileInfo, fileInfoOf } from './detailView';
import { type CopyTarget, type HostToPage, isPageMessage, isPageState, type PageState, type PageToHost } from './protocol';
import { copyToClipboard } from '../../clipboard';
import { readPriceOverrides } from '../../priceSettings';
import { costView } from './costView';
import { DetailErrorGroups } from './errorGroups';
import type { ProgressTracker } from '../../core/batches/progressTracker';
import { progressView } from './progressView';

export interface DetailPanelDeps {
  extensionUri: vscode.Uri;
  store: BatchStore;
  log: Logger;
  /** The extension's provider of `openai-batch:` documents, for "Open JSON in editor". */
  jsonDocuments: BatchJsonDocuments;
  /** The path of an account's copy of a file, for the error summary (shared with Open Results). */
  cachedFile?: (account: string, fileId: string) => Promise<string>;
  /** Rates and ETAs of running batches, for the progress section and its chart. */
  progress?: ProgressTracker;
}

const NAME = 'batch detail panel';

function panelTitle(batch: Batch): string {
  return singleLine(batchLabel(batch), 40);
}

/** The detail panels, one per batch id: opens, reveals, restores after reload. */
export class BatchDetailPanels extends WebviewPanels<BatchDetailPanel, PageState> {
  constructor(private readonly deps: DetailPanelDeps) {
    super({
      viewType: PanelType.batchDetail,
      name: NAME,
      extensionUri: deps.extensionUri,
      log: deps.log,
      isState: isPageState,
      keyOf: (state) => state.batch.id,
    });
  }

  /** Opens (or reveals) the panel for this batch; one panel per batch id. */
  show(batch: Batch): void {
    const existing = this.panels.get(batch.id);
    if (existing) {
      existing.reveal(batch);
      return;
    }
    const panel = this.createPanel(panelTitle(batch), false);
    this.track(batch.id, new BatchDetailPanel(panel, this.deps.store.get(batch.id) ?? batch, this.deps, false));
  }

  protected revive(panel: vscode.WebviewPanel, state: PageState): BatchDetailPanel {
    return new BatchDetailPanel(panel, this.deps.store.get(state.batch.id) ?? state.batch, this.deps, true);
  }
}

/** One panel: holds the batch it shows and answers its page. */
class BatchDetailPanel extends WebviewHost<HostToPage, PageToHost> {
  private readonly id: string;
  /**
   * The account the batch belongs to. A panel restored after a reload (or opened while signed
   * out) does not know it yet and takes the first account that connects.
   */
  private account: string | undefined;
  /** The newest copy known to this panel (the store may not hold it, e.g. one opened by a typed id). */
  private batch: Batch;
  /** The object last posted, to re-post only when the store holds a different one. */
  private posted: Batch | undefined;
  private loading = false;
  private refreshing: Promise<void> | undefined;
  /** After a window reload the store is usually still empty: fetch once it can. */
  private fetchWhenConnected: boolean;
  private readonly fileInfo = new Map<string, FileInfo>();
  private readonly fileRequested = new Set<string>();
  /** The ids of the chain links last posted, in their order on the page. */
  private links: string[] = [];
  private readonly errorGroups: DetailErrorGroups | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    batch: Batch,
    private readonly deps: DetailPanelDeps,
    restored: boolean,
  ) {
    super(panel, { name: NAME, isMessage: isPageMessage, log: deps.log });
    this.id = batch.id;
    this.batch = batch;
    this.account = deps.store.account;
    this.fetchWhenConnected = restored;
    panel.webview.html = buildDetailHtml(pageAssets(panel.webview, deps.extensionUri, 'detail'));
    this.errorGroups = this.createErrorGroups();
    panel.title = panelTitle(batch);
    this.disposables.push(
      deps.store.onDidUpdateBatch((updated) => {
        if (updated.id === this.id) this.update(updated);
      }),
      deps.store.onDidChangeAccount((account) => this.followAccount(account)),
      deps.store.onDidChange(() => this.followStore()),
    );
    // A poll that changed no count still moves the estimate: the page shows the one the tree shows.
    if (deps.progress) this.disposables.push(deps.progress.onDidRecord((recording) => recording.ids.has(this.id) && this.followEstimate()));
  }

  override reveal(batch?: Batch): void {
    if (batch) this.update(this.deps.store.get(this.id) ?? batch);
    super.reveal();
  }

  protected async handle(message: PageToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        // Also after the panel was hidden: its page was unloaded and starts from its saved state.
        if (this.client) this.batch = this.deps.store.get(this.id) ?? this.batch;
        this.postBatch();
        this.errorGroups?.repost();
        if (this.loading) void this.post({ type: 'loading', loading: true });
        this.fetchIfRestored();
        return;
      case 'groupErrors':
        return this.errorGroups?.run();
      case 'groupErrorsAnyway':
        return this.errorGroups?.run(true);
      case 'openErrorGroup':
        return this.openErrorGroup(message.index);
      case 'refresh':
        return this.refresh();
      case 'copy':
        return this.copy(message.what);
      case 'cancel':
        await vscode.commands.executeCommand(CommandId.cancelBatch, this.id);
        this.followStore();
        return;
      case 'openOutput':
        await vscode.commands.executeCommand(CommandId.openOutputFile, this.id);
        return;
      case 'openError':
        await vscode.commands.executeCommand(CommandId.openErrorFile, this.id);
        return;
      case 'openJson':
        return this.deps.jsonDocuments.open(this.batch);
      case 'resubmit':
        await vscode.commands.executeCommand(CommandId.resubmitFailed, this.id);
        return;
      case 'openLinked':
        return this.openLinked(message.index);
      case 'showFile': {
        const fileId = fileIdOf(this.batch, message.role);
        if (fileId) await vscode.commands.executeCommand(CommandId.revealFile, fileId);
        return;
      }
    }
  }

  /** A resubmission or another part was loaded (or dropped) since the page was last shown. */
  private chainChanged(): boolean {
    const ids = recoveryView(this.batch, this.deps.store.batches).links.map((link) => link.id);
    return ids.length !== this.links.length || ids.some((id, i) => id !== this.links[i]);
  }

  /** Opens a batch of the chain the page was last shown, by its position: the page never names an id. */
  private async openLinked(index: number): Promise<void> {
    const id = this.links[index];
    if (id !== undefined) await vscode.commands.executeCommand(CommandId.openBatch, id);
  }

  /** The store's client, only while it talks to this panel's account. */
  private get client(): BatchApiClient | undefined {
    const state = this.deps.store.state;
    return state.kind === 'ready' && this.account !== undefined && this.deps.store.account === this.account ? state.client : undefined;
  }

  /** Another account's store must not feed or be queried by this panel: it closes. */
  private followAccount(account: string | undefined): void {
    if (this.account === undefined) {
      this.account = account;
      return;
    }
    this.deps.log.info(`Closed the details of ${this.id}: the batch belongs to the account that was signed out or switched.`);
    this.dispose();
  }

  private followStore(): void {
    if (!this.client) return;
    const latest = this.deps.store.get(this.id);
    if (latest) this.update(latest);
    if (this.chainChanged()) this.postBatch();
    this.fetchIfRestored();
    // Retries file metadata that could not be fetched while signed out.
    if (this.pageListening) this.requestFileInfo(this.batch);
  }

  /** Posts the store's newest copy of the batch (a quiet poll replaced it), with the estimate recorded for it. */
  private followEstimate(): void {
    const latest = this.client ? this.deps.store.get(this.id) : undefined;
    if (latest) this.update(latest);
  }

  private fetchIfRestored(): void {
    if (!this.fetchWhenConnected || !this.client) return;
    this.fetchWhenConnected = false;
    if (!this.deps.store.get(this.id)) void this.refresh();
  }

  private update(batch: Batch): void {
    this.batch = batch;
    if (batch !== this.posted) this.postBatch();
  }

  /** Posts the batch only to a listening page: a page that says `ready` gets the newest one then. */
  private postBatch(): void {
    if (this.disposed) return;
    this.panel.title = panelTitle(this.batch);
    if (!this.pageListening) return;
    this.posted = this.batch;
    const now = Date.now();
    const recovery = recoveryView(this.batch, this.deps.store.batches);
    this.links = recovery.links.map((link) => link.id);
    const view = { ...detailView(this.batch, now, this.fileInfo), cost: costView(this.batch, readPriceOverrides()), ...recovery };
    const estimate = this.deps.progress?.estimate(this.batch);
    if (estimate) view.progress = progressView(this.batch, estimate, this.deps.progress?.samples(this.id) ?? []);
    void this.post({ type: 'batch', batch: limitDepth(this.batch), view });
    this.requestFileInfo(this.batch);
    this.updateErrorGroups();
  }

  /** The error summary, when the panel can read the batch's files. */
  private createErrorGroups(): DetailErrorGroups | undefined {
    const cachedFile = this.deps.cachedFile;
    if (!cachedFile) return undefined;
    return new DetailErrorGroups({
      batchId: this.id,
      connection: () => {
        const client = this.client;
        return client && this.account !== undefined ? { client, account: this.account } : undefined;
      },
      cachedFile,
      post: (view) => {
        if (!this.disposed && this.pageListening) void this.post({ type: 'errorGroups', ...(view && { view }) });
      },
      log: this.deps.log,
      signal: this.abort.signal,
    });
  }

  private updateErrorGroups(): void {
    const errorFileId = fileIdOf(this.batch, 'error');
    const bytes = errorFileId ? this.fileInfo.get(errorFileId)?.bytes : undefined;
    // Files are read only with this panel's account connected.
    if (this.client || !errorFileId) this.errorGroups?.update(this.batch, bytes);
  }

  /** Opens Results showing only the failed requests of one group of the summary. */
  private async openErrorGroup(index: number): Promise<void> {
    const filter = this.errorGroups?.filterAt(index);
    if (!filter) return;
    await vscode.commands.executeCommand(CommandId.openResults, this.id, filter);
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.fetch().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async fetch(): Promise<void> {
    this.setLoading(true);
    try {
      this.update(await this.deps.store.fetchBatch(this.id, this.abort.signal));
    } catch (error) {
      if (this.disposed || isCancellation(error)) return;
      // The server's text can echo a request header, and so the key.
      const message = this.deps.log.redactor.redact(errorMessage(error));
      this.deps.log.warn(`Refreshing batch ${this.id} failed: ${message}`);
      void this.post({ type: 'error', message });
    } finally {
      this.setLoading(false);
    }
  }

  private setLoading(loading: boolean): void {
    this.loading = loading;
    void this.post({ type: 'loading', loading });
  }

  private async copy(what: CopyTarget): Promise<void> {
    const file = FILE_ROLES.find(({ role }) => `${role}FileId` === what);
    const label = !file
      ? vscode.l10n.t('batch ID')
      : file.role === 'input'
        ? vscode.l10n.t('input file ID')
        : file.role === 'output'
          ? vscode.l10n.t('output file ID')
          : vscode.l10n.t('error file ID');
    const value = file ? fileIdOf(this.batch, file.role) : this.batch.id;
    if (!value) {
      const missing =
        file?.role === 'input'
          ? vscode.l10n.t('This batch has no input file.')
          : file?.role === 'output'
            ? vscode.l10n.t('This batch has no output file.')
            : vscode.l10n.t('This batch has no error file.');
      void vscode.window.showInformationMessage(missing);
      return;
    }
    await copyToClipboard(this.deps.log, label, value);
  }

  /**
   * `GET /files/{id}` once per file id for this panel, for names, sizes and expiry times (and
   * whether an error file is empty, as Azure's are when nothing failed); failures only reach the log.
   */
  private requestFileInfo(batch: Batch): void {
    const client = this.client;
    if (!client || this.disposed) return;
    for (const { id: fileId } of batchFiles(batch)) {
      if (this.fileRequested.has(fileId)) continue;
      this.fileRequested.add(fileId);
      client.getFile(fileId, { signal: this.abort.signal }).then(
        (file) => {
          if (this.disposed) return;
          this.fileInfo.set(fileId, fileInfoOf(file));
          this.postBatch();
        },
        (error: unknown) => {
          if (!this.disposed && !isCancellation(error)) this.deps.log.info(`No metadata for file ${fileId}: ${errorMessage(error)}`);
        },
      );
    }
  }
}
