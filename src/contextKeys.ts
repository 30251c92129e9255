import * as vscode from 'vscode';
import type { BatchStore } from './core/batchStore';
import { ContextKey } from './ids';

/**
 * Mirrors the store into the context keys that package.json's `when` clauses read. Store changes
 * are frequent (every page, every auto-refresh); a key crosses to the workbench only when it flips.
 */
export class StoreContextKeys implements vscode.Disposable {
  private readonly values = new Map<string, boolean>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: BatchStore) {
    this.subscription = store.onDidChange(() => this.update());
  }

  /** Also called once the first connection is known, so the welcome view shows at once. */
  update(): void {
    const { store } = this;
    this.set(ContextKey.hasApiKey, store.state.kind !== 'signedOut');
    this.set(ContextKey.hasMore, store.hasLoaded && store.hasMore);
  }

  private set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
