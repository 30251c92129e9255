import * as vscode from 'vscode';
import type { AccountConnection, BatchStore } from '../core/batches/batchStore';
import type { Logger } from '../log';
import { WebviewHost, type WebviewHostOptions } from './host';

/** What a panel shows before (or instead of) its content; the page shows the message. */
export type PendingState = { kind: 'loading'; message: string } | { kind: 'failed'; message: string };
type PendingMessage = { type: 'loading'; message: string } | { type: 'error'; message: string };

/**
 * A panel whose content is fetched with one account's connection (Results, Compare). It loads
 * with the account it was opened from; a panel restored after a reload waits for the first
 * account that connects. When that account is signed out or switched, the panel closes: another
 * account must never be asked for these batches' files.
 */
export abstract class AccountPanel<ToPage, ToHost extends { type: string }, Loaded extends { kind: 'loaded' }> extends WebviewHost<
  ToPage | PendingMessage,
  ToHost
> {
  protected connection: AccountConnection | undefined;
  protected state: PendingState | Loaded = { kind: 'loading', message: vscode.l10n.t('Loading…') };

  constructor(
    panel: vscode.WebviewPanel,
    options: WebviewHostOptions<ToHost>,
    private readonly store: BatchStore,
    opened: AccountConnection | undefined,
  ) {
    super(panel, options);
    this.connection = opened ?? (store.state.kind === 'ready' ? store.requireConnection() : undefined);
    this.disposables.push(store.onDidChangeAccount((account) => this.followAccount(account, options.log)));
  }

  /** Loads the content with `connection`. */
  protected abstract load(connection: AccountConnection): Promise<void>;

  /** Posts the loaded content to the page (which then asks for its rows). */
  protected abstract postLoaded(state: Loaded): Promise<void>;

  protected setState(state: PendingState | Loaded): void {
    this.state = state;
    if (this.pageListening) void this.postState();
  }

  protected postState(): Promise<void> {
    const state = this.state;
    if (state.kind === 'loading') return this.post({ type: 'loading', message: state.message });
    if (state.kind === 'failed') return this.post({ type: 'error', message: state.message });
    return this.postLoaded(state);
  }

  /** The log line when the panel closes because its account went: what it showed. */
  protected abstract closingNote(): string;

  /** Call once the page's HTML is set: loads now, or says it waits for a connection. */
  protected start(): void {
    if (this.connection) void this.load(this.connection);
    else this.setState({ kind: 'loading', message: vscode.l10n.t('Waiting for a connection to the API…') });
  }

  /** The page's Retry after a failure. */
  protected retry(): Promise<void> {
    if (this.state.kind !== 'failed' || !this.connection) return Promise.resolve();
    this.setState({ kind: 'loading', message: vscode.l10n.t('Loading…') });
    return this.load(this.connection);
  }

  private followAccount(account: string | undefined, log: Logger): void {
    if (!this.connection) {
      if (account === undefined) return;
      this.connection = this.store.requireConnection();
      void this.load(this.connection);
      return;
    }
    log.info(this.closingNote());
    this.dispose();
  }
}
