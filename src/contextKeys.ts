import * as vscode from 'vscode';
import type { BatchStore } from './core/batches/batchStore';
import { ContextKey } from './ids';

/** The stores the context keys summarise (the account registry). */
export interface StoreSource {
  readonly accounts: readonly {
    readonly store: BatchStore;
    readonly settings?: { readonly implicit: boolean; readonly baseUrl: string; readonly hostChosenBy?: unknown };
    readonly keySource?: 'stored' | 'environment';
  }[];
  readonly multiple: boolean;
  readonly onDidChangeAnyStore: vscode.Event<void>;
}

/**
 * Mirrors the stores into the context keys that package.json's `when` clauses read. Store changes
 * are frequent (every page, every auto-refresh); a key crosses to the workbench only when it flips.
 */
export class StoreContextKeys implements vscode.Disposable {
  private readonly values = new Map<string, boolean>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly source: StoreSource) {
    this.subscription = source.onDidChangeAnyStore(() => this.update());
  }

  /** Also called once the first connection is known, so the welcome view shows at once. */
  update(): void {
    const stores = this.source.accounts.map((account) => account.store);
    // With several accounts the roots are accounts, each with its own "Set API Key…": the welcome view is for the only account.
    this.set(ContextKey.hasApiKey, this.source.multiple || stores.some((store) => store.state.kind !== 'signedOut'));
    this.set(
      ContextKey.hasMore,
      stores.some((store) => store.hasLoaded && store.hasMore),
    );
    this.set(ContextKey.multipleAccounts, this.source.multiple);
    const primary = this.source.accounts.find((account) => account.settings?.implicit);
    this.set(ContextKey.environmentKey, primary?.keySource === 'environment');
    // The welcome view would hide whose host it is: the tree says it instead.
    this.set(ContextKey.workspaceHost, !this.source.multiple && !!primary?.settings?.hostChosenBy);
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

/** Tells the workbench a batch was created (Create Batch, a split part, from an uploaded file): the walkthrough's step. */
export function markBatchCreated(): void {
  void vscode.commands.executeCommand('setContext', ContextKey.batchCreated, true);
}
