import * as vscode from 'vscode';
import type { BatchStore } from '../core/batchStore';
import { limitDepth } from '../core/jsonDepth';
import type { Batch } from '../core/types';

/**
 * Read-only JSON documents of batches, `openai-batch:/<batchId>.json`. Content comes from the
 * store (so an open tab follows refreshes), else from the copy last opened.
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

  constructor(private readonly store: BatchStore) {}

  static uriFor(batchId: string): vscode.Uri {
    return vscode.Uri.from({ scheme: BatchJsonDocuments.scheme, path: `/${batchId}.json` });
  }

  static batchIdOf(uri: vscode.Uri): string {
    return uri.path.replace(/^\//, '').replace(/\.json$/, '');
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = BatchJsonDocuments.batchIdOf(uri);
    const batch = this.store.get(id) ?? this.lastKnown.get(id);
    this.served.set(id, batch);
    if (!batch)
      return `${JSON.stringify({ id, note: 'This batch is not loaded any more. Open it again from the Batches view.' }, null, 2)}\n`;
    return `${JSON.stringify(limitDepth(batch), null, 2)}\n`;
  }

  /** Registers the provider (once); the returned disposable unregisters it. */
  register(): vscode.Disposable {
    if (!this.registration) {
      const provider = vscode.workspace.registerTextDocumentContentProvider(BatchJsonDocuments.scheme, this);
      const storeChanged = this.store.onDidChange(() => this.followStore());
      const accountChanged = this.store.onDidChangeAccount(() => this.forgetAccount());
      const closed = vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === BatchJsonDocuments.scheme) this.served.delete(BatchJsonDocuments.batchIdOf(document.uri));
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
    const uri = BatchJsonDocuments.uriFor(batch.id);
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
    for (const id of this.served.keys()) this.changed.fire(BatchJsonDocuments.uriFor(id));
  }

  /** Re-renders open documents whose batch the store now holds a different copy of (or, after a reload, holds at all). */
  private followStore(): void {
    for (const [id, shown] of this.served) {
      const latest = this.store.get(id);
      if (latest && latest !== shown) this.changed.fire(BatchJsonDocuments.uriFor(id));
    }
  }
}
