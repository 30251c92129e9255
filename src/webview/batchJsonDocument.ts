import * as vscode from 'vscode';
import type { BatchStore } from '../core/batchStore';
import type { Batch } from '../core/types';

/**
 * Read-only JSON documents of batches, `openai-batch:/<batchId>.json`. Content comes from the
 * store (so an open tab follows refreshes), else from the copy last opened.
 */
export class BatchJsonDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'openai-batch';

  private readonly lastKnown = new Map<string, Batch>();
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
    if (!batch) return `${JSON.stringify({ id, note: 'This batch is not loaded any more. Open it again from the Batches view.' }, null, 2)}\n`;
    return `${JSON.stringify(batch, null, 2)}\n`;
  }

  /** Registers the provider (once); the returned disposable unregisters it. */
  register(): vscode.Disposable {
    if (!this.registration) {
      const provider = vscode.workspace.registerTextDocumentContentProvider(BatchJsonDocuments.scheme, this);
      const storeChanged = this.store.onDidChange(() => this.followStore());
      this.registration = new vscode.Disposable(() => {
        provider.dispose();
        storeChanged.dispose();
        this.registration = undefined;
      });
    }
    return this.registration;
  }

  /** Opens the batch as a read-only JSON editor tab. */
  async open(batch: Batch): Promise<void> {
    this.register();
    const uri = BatchJsonDocuments.uriFor(batch.id);
    const previous = this.lastKnown.get(batch.id);
    this.lastKnown.set(batch.id, batch);
    if (previous && previous !== batch) this.changed.fire(uri);
    let document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'json') document = await vscode.languages.setTextDocumentLanguage(document, 'json');
    await vscode.window.showTextDocument(document, { preview: false });
  }

  dispose(): void {
    this.registration?.dispose();
    this.changed.dispose();
    this.lastKnown.clear();
  }

  /** Re-renders open documents whose batch the store now holds a different copy of. */
  private followStore(): void {
    for (const [id, known] of this.lastKnown) {
      const latest = this.store.get(id);
      if (latest && latest !== known) {
        this.lastKnown.set(id, latest);
        this.changed.fire(BatchJsonDocuments.uriFor(id));
      }
    }
  }
}
