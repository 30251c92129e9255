import * as vscode from 'vscode';
import { CommandId, PanelType } from '../ids';
import type { BatchStore } from '../core/batchStore';
import type { BatchApiClient } from '../core/client';
import { errorMessage, isCancellation } from '../core/errors';
import { batchLabel, plainText, singleLine } from '../core/format';
import { limitDepth } from '../core/jsonDepth';
import type { Batch } from '../core/types';
import type { Logger } from '../log';
import { BatchJsonDocuments } from './batchJsonDocument';
import { buildDetailHtml } from './detailHtml';
import { type CopyTarget, type FileInfo, type HostToPage, isPageMessage, isPageState, type PageToHost } from './protocol';
import { reportFailure } from '../failures';

export interface DetailPanelDeps {
  extensionUri: vscode.Uri;
  store: BatchStore;
  log: Logger;
  /** The extension's shared provider of `openai-batch:` documents; without it the panels make (and dispose) their own. */
  jsonDocuments?: BatchJsonDocuments;
}

const COPY_LABELS: Record<CopyTarget, string> = {
  batchId: 'batch ID',
  inputFileId: 'input file ID',
  outputFileId: 'output file ID',
  errorFileId: 'error file ID',
};

const FILE_FIELDS = {
  inputFileId: 'input_file_id',
  outputFileId: 'output_file_id',
  errorFileId: 'error_file_id',
} as const;

function panelTitle(batch: Batch): string {
  return singleLine(batchLabel(batch), 40);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The detail panels, one per batch id: opens, reveals, restores after reload. */
export class BatchDetailPanels implements vscode.Disposable {
  static readonly viewType = PanelType.batchDetail;

  private readonly panels = new Map<string, BatchDetailPanel>();
  private readonly jsonDocuments: BatchJsonDocuments;
  private readonly ownsJsonDocuments: boolean;

  constructor(private readonly deps: DetailPanelDeps) {
    this.ownsJsonDocuments = !deps.jsonDocuments;
    this.jsonDocuments = deps.jsonDocuments ?? new BatchJsonDocuments(deps.store);
  }

  /** Opens (or reveals) the panel for this batch; one panel per batch id. */
  show(batch: Batch): void {
    const existing = this.panels.get(batch.id);
    if (existing) {
      existing.reveal(batch);
      return;
    }
    const panel = vscode.window.createWebviewPanel(BatchDetailPanels.viewType, panelTitle(batch), vscode.ViewColumn.Active, {
      ...this.webviewOptions(),
      retainContextWhenHidden: false,
    });
    this.track(panel, this.deps.store.get(batch.id) ?? batch, false);
  }

  /** Restores a panel after a window reload (used by the serializer). */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    if (!isPageState(state)) {
      this.deps.log.warn('A batch detail panel could not be restored: its saved state holds no batch.');
      panel.dispose();
      return;
    }
    const id = state.batch.id;
    const existing = this.panels.get(id);
    if (existing) {
      panel.dispose();
      existing.reveal();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.track(panel, this.deps.store.get(id) ?? state.batch, true);
  }

  /** Registers the WebviewPanelSerializer; returns its disposable. */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(BatchDetailPanels.viewType, {
      deserializeWebviewPanel: (panel: vscode.WebviewPanel, state: unknown): Thenable<void> => {
        this.restore(panel, state);
        return Promise.resolve();
      },
    });
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
    if (this.ownsJsonDocuments) this.jsonDocuments.dispose();
  }

  private webviewOptions(): vscode.WebviewOptions {
    const { extensionUri } = this.deps;
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }

  private track(panel: vscode.WebviewPanel, batch: Batch, restored: boolean): void {
    const detail = new BatchDetailPanel(panel, batch, this.deps, this.jsonDocuments, restored, () => {
      if (this.panels.get(batch.id) === detail) this.panels.delete(batch.id);
    });
    this.panels.set(batch.id, detail);
  }
}

/** One panel: holds the batch it shows and answers its page. */
class BatchDetailPanel implements vscode.Disposable {
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
  private pageReady = false;
  private loading = false;
  private refreshing: Promise<void> | undefined;
  /** After a window reload the store is usually still empty: fetch once it can. */
  private fetchWhenConnected: boolean;
  private disposed = false;
  private readonly fileInfo = new Map<string, FileInfo>();
  private readonly fileRequested = new Set<string>();
  private readonly abort = new AbortController();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly panel: vscode.WebviewPanel,
    batch: Batch,
    private readonly deps: DetailPanelDeps,
    private readonly jsonDocuments: BatchJsonDocuments,
    restored: boolean,
    private readonly onDisposed: () => void,
  ) {
    this.id = batch.id;
    this.batch = batch;
    this.account = deps.store.account;
    this.fetchWhenConnected = restored;
    const { webview } = panel;
    const asset = (...segments: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(deps.extensionUri, ...segments)).toString();
    webview.html = buildDetailHtml({ cspSource: webview.cspSource, scriptUri: asset('dist', 'detail.js'), styleUri: asset('media', 'detail.css') });
    panel.title = panelTitle(batch);
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => void this.onMessage(message)),
      panel.onDidDispose(() => this.dispose()),
      deps.store.onDidUpdateBatch((updated) => {
        if (updated.id === this.id) this.update(updated);
      }),
      deps.store.onDidChangeAccount((account) => this.followAccount(account)),
      deps.store.onDidChange(() => this.followStore()),
    );
  }

  reveal(batch?: Batch): void {
    if (batch) this.update(this.deps.store.get(this.id) ?? batch);
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
    this.onDisposed();
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
    this.fetchIfRestored();
    // Retries file metadata that could not be fetched while signed out.
    if (this.pageReady) this.requestFileInfo(this.batch);
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

  private postBatch(): void {
    if (this.disposed) return;
    this.panel.title = panelTitle(this.batch);
    if (!this.pageReady) return;
    this.posted = this.batch;
    this.post({ type: 'batch', batch: limitDepth(this.batch), now: Date.now(), fileInfo: Object.fromEntries(this.fileInfo) });
    this.requestFileInfo(this.batch);
  }

  private post(message: HostToPage): void {
    if (this.disposed) return;
    // Hidden panels drop messages (their page is unloaded); the page asks again with `ready`.
    this.panel.webview.postMessage(message).then(undefined, (error: unknown) => this.deps.log.debug(`Detail panel post failed: ${errorMessage(error)}`));
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isPageMessage(message)) {
      this.deps.log.warn('Ignored an unexpected message from a batch detail panel.');
      return;
    }
    try {
      await this.handle(message);
    } catch (error) {
      reportFailure(this.deps.log, `Batch detail panel action "${message.type}"`, error);
    }
  }

  private async handle(message: PageToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        // Also after the panel was hidden: its page was unloaded and starts from its saved state.
        this.pageReady = true;
        if (this.client) this.batch = this.deps.store.get(this.id) ?? this.batch;
        this.postBatch();
        if (this.loading) this.post({ type: 'loading', loading: true });
        this.fetchIfRestored();
        return;
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
        return this.jsonDocuments.open(this.batch);
    }
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
      this.post({ type: 'error', message });
    } finally {
      this.setLoading(false);
    }
  }

  private setLoading(loading: boolean): void {
    this.loading = loading;
    this.post({ type: 'loading', loading });
  }

  private async copy(what: CopyTarget): Promise<void> {
    const label = COPY_LABELS[what];
    const value = what === 'batchId' ? this.batch.id : nonEmptyString(this.batch[FILE_FIELDS[what]]);
    if (!value) {
      void vscode.window.showInformationMessage(`This batch has no ${label.replace(/ ID$/, '')}.`);
      return;
    }
    await vscode.env.clipboard.writeText(value);
    vscode.window.setStatusBarMessage(`$(check) Copied ${label} ${plainText(value, 80)}`, 4000);
    this.deps.log.info(`Copied ${label} ${value}`);
  }

  /** `GET /files/{id}` once per file id for this panel; failures only reach the log. */
  private requestFileInfo(batch: Batch): void {
    const client = this.client;
    if (!client || this.disposed) return;
    for (const fileId of [batch.input_file_id, batch.output_file_id, batch.error_file_id]) {
      if (typeof fileId !== 'string' || fileId === '' || this.fileRequested.has(fileId)) continue;
      this.fileRequested.add(fileId);
      client.getFile(fileId, { signal: this.abort.signal }).then(
        (file) => {
          if (this.disposed) return;
          this.fileInfo.set(fileId, {
            filename: typeof file.filename === 'string' ? file.filename : null,
            bytes: typeof file.bytes === 'number' && Number.isFinite(file.bytes) ? file.bytes : null,
          });
          this.postBatch();
        },
        (error: unknown) => {
          if (!this.disposed && !isCancellation(error)) this.deps.log.info(`No metadata for file ${fileId}: ${errorMessage(error)}`);
        },
      );
    }
  }
}
