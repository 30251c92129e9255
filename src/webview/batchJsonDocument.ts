import * as vscode from 'vscode';
import type { BatchStore } from '../core/batches/batchStore';
import { limitDepth } from '../core/util/jsonDepth';
import type { Batch } from '../core/api/types';

/** The scheme is registered once for every account's documents; a URI's authority names its account. */
const byAuthority = new Map<string, BatchJsonDocuments>();
let shared: { provider: vscode.Disposable; changed: vscode.EventEmitter<vscode.Uri> } | undefined;

function registerShared(): { provider: vscode.Disposable; changed: vscode.EventEmitter<vscode.Uri> } {
  if (shared) return shared;
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const provider = vscode.workspace.registerTextDocumentContentProvider(BatchJsonDocuments.scheme, {
    onDidChange: changed.event,
    // A document of an account that was removed meanwhile answers like one no longer loaded.
    provideTextDocumentContent: (uri) => (byAuthority.get(uri.authority) ?? notLoaded).provideTextDocumentContent(uri),
  });
  return (shared = { provider, changed });
}

const notLoaded = {
  provideTextDocumentContent: (uri: vscode.Uri): string =>
    `${JSON.stringify({ id: BatchJsonDocuments.batchIdOf(uri), note: vscode.l10n.t('This batch is not loaded any more. Open it again from the Batches view.') }, null, 2)}\n`,
};

/**
 * Read-only JSON documents of batches, `openai-batch:/<batchId>.json` (the implicit account's) or
 * `openai-batch://<account id>/<batchId>.json`. Content comes from the account's store (so an
 * open tab follows refreshes), else from the copy last opened; never from another account's.
 */
export class BatchJsonDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'openai-batch';

  /** Copies handed to {@link open}; the store may not hold them (fetched alone, or after an account switch). */
  private readonly lastKnown = new Map<string, Batch>();
  /** What each open document was rendered from, so store changes re-render only what changed. */
  private readonly served = new Map<string, Batch | undefined>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private registration: vscode.Disposable | undefined;

  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: BatchStore,
    /** The URI authority of this account's documents: empty for the implicit account, so its URIs are as they always were. */
    private readonly authority = '',
  ) {}

  static uriFor(batchId: string, authority = ''): vscode.Uri {
    return vscode.Uri.from({ scheme: BatchJsonDocuments.scheme, authority, path: `/${batchId}.json` });
  }

  static batchIdOf(uri: vscode.Uri): string {
    return uri.path.replace(/^\//, '').replace(/\.json$/, '');
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = BatchJsonDocuments.batchIdOf(uri);
    const batch = this.store.get(id) ?? this.lastKnown.get(id);
    this.served.set(id, batch);
    if (!batch)
      return `${JSON.stringify({ id, note: vscode.l10n.t('This batch is not loaded any more. Open it again from the Batches view.') }, null, 2)}\n`;
    return `${JSON.stringify(limitDepth(batch), null, 2)}\n`;
  }

  /** Registers the provider (once); the returned disposable unregisters it. */
  register(): vscode.Disposable {
    if (!this.registration) {
      const { changed } = registerShared();
      byAuthority.set(this.authority, this);
      const forward = this.changed.event((uri) => changed.fire(uri));
      const provider = new vscode.Disposable(() => {
        forward.dispose();
        if (byAuthority.get(this.authority) === this) byAuthority.delete(this.authority);
        if (byAuthority.size === 0 && shared) {
          shared.provider.dispose();
          shared.changed.dispose();
          shared = undefined;
        }
      });
      const storeChanged = this.store.onDidChange(() => this.followStore());
      const accountChanged = this.store.onDidChangeAccount(() => this.forgetAccount());
      const closed = vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === BatchJsonDocuments.scheme && document.uri.authority === this.authority)
          this.served.delete(BatchJsonDocuments.batchIdOf(document.uri));
      });
      this.registration = new vscode.Disposable(() => {
        provider.dispose();
        storeChanged.dispose();
        accountChanged.dispose();
        closed.dispose();
        this.registration = undefined;
      });
    }
    return this.registration;
  }

  /** Opens the batch as a read-only JSON editor tab. */
  async open(batch: Batch): Promise<void> {
    this.register();
    const uri = BatchJsonDocuments.uriFor(batch.id, this.authority);
    this.lastKnown.set(batch.id, batch);
    if (this.served.has(batch.id) && this.served.get(batch.id) !== batch) this.changed.fire(uri);
    let document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'json') document = await vscode.languages.setTextDocumentLanguage(document, 'json');
    await vscode.window.showTextDocument(document, { preview: false });
  }

  dispose(): void {
    this.registration?.dispose();
    this.changed.dispose();
    this.lastKnown.clear();
    this.served.clear();
  }

  /** Copies of the old account's batches must not stay readable under the new one: open documents re-render from the new store. */
  private forgetAccount(): void {
    this.lastKnown.clear();
    for (const id of this.served.keys()) this.changed.fire(BatchJsonDocuments.uriFor(id, this.authority));
  }

  /** Re-renders open documents whose batch the store now holds a different copy of (or, after a reload, holds at all). */
  private followStore(): void {
    for (const [id, shown] of this.served) {
      const latest = this.store.get(id);
      if (latest && latest !== shown) this.changed.fire(BatchJsonDocuments.uriFor(id, this.authority));
    }
  }
}
