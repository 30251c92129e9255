import { TERMINAL_STATUSES } from './batchFacts';
import type { BatchApiClient } from '../api/client';
import { ApiError, isCancellation } from '../api/errors';
import { Emitter } from '../util/events';
import { statusOf } from './grouping';
import type { UpdateStats } from '../api/incrementalRefresh';
import { Pager, PagerOperation, PagerSnapshot } from '../api/pager';
import type { Batch } from '../api/types';
import { listPage } from '../api/page';

export type ConnectionState =
  | { kind: 'signedOut' }
  | { kind: 'misconfigured'; error: ApiError }
  /** `account` names who the client talks to (see `accountId`); without one, every connection is a new account. */
  | { kind: 'ready'; client: BatchApiClient; account?: string };

/** A ready connection and the account it belongs to. */
export interface AccountConnection {
  client: BatchApiClient;
  account: string;
}

/**
 * The batches loaded for the current account, and the state of loading them.
 * Operations never reject: failures are kept as {@link refreshError} / {@link loadMoreError}
 * while the batches already loaded stay, so the UI can show both.
 */
export class BatchStore {
  private connection: ConnectionState = { kind: 'signedOut' };
  private pager: Pager<Batch> = this.newPager();
  private lastRefreshError: ApiError | undefined;
  private lastLoadMoreError: ApiError | undefined;
  private savedAt: number | undefined;
  private currentAccount: string | undefined;
  private unnamedAccounts = 0;
  private readonly changed = new Emitter<void>();
  private readonly batchUpdated = new Emitter<Batch>();
  private readonly accountChanged = new Emitter<string | undefined>();

  /** Fires whenever batches or loading state change. */
  readonly onDidChange = this.changed.event;
  /** Fires with a batch whose data was replaced by a single-batch call (refreshes fire only onDidChange). */
  readonly onDidUpdateBatch = this.batchUpdated.event;
  /**
   * Fires with the new account (undefined: none) when the key, base URL, organization or project
   * changed, before the new account's batches are announced: whatever belongs to the old one
   * (panels, operations in flight) must close or stop here.
   */
  readonly onDidChangeAccount = this.accountChanged.event;

  constructor(
    private readonly pageSize: () => number,
    /** Receives one line per failed refresh or load more (the tree shows it too; the log keeps it). */
    private readonly logFailure?: (line: string) => void,
  ) {}

  get state(): ConnectionState {
    return this.connection;
  }

  /** The account the batches and the client belong to; undefined when signed out or misconfigured. */
  get account(): string | undefined {
    return this.currentAccount;
  }

  get batches(): readonly Batch[] {
    return this.pager.items;
  }

  get hasLoaded(): boolean {
    return this.pager.hasLoaded;
  }

  get hasMore(): boolean {
    return this.pager.hasMore;
  }

  /** Every batch is loaded, as the server said (`Pager.complete`): not after a page without `has_more`. */
  get complete(): boolean {
    return this.pager.complete;
  }

  get endNote(): string | undefined {
    return this.pager.endNote;
  }

  get busy(): PagerOperation | undefined {
    return this.pager.busy;
  }

  get refreshError(): ApiError | undefined {
    return this.lastRefreshError;
  }

  get loadMoreError(): ApiError | undefined {
    return this.lastLoadMoreError;
  }

  get(id: string): Batch | undefined {
    return this.pager.get(id);
  }

  /**
   * Switches account (new key, base URL or headers): forgets what was loaded, or paints the
   * account's cached batches at once (no request) when a snapshot is given.
   */
  setConnection(connection: ConnectionState, cached?: { snapshot: PagerSnapshot<Batch>; savedAt: number }): void {
    const account = connection.kind === 'ready' ? (connection.account ?? `unnamed-${++this.unnamedAccounts}`) : undefined;
    const switched = account !== this.currentAccount;
    this.connection = connection;
    this.currentAccount = account;
    this.pager.clear();
    this.pager = this.newPager();
    if (cached && connection.kind === 'ready') this.pager.restore(cached.snapshot);
    this.savedAt = cached && connection.kind === 'ready' ? cached.savedAt : undefined;
    this.lastRefreshError = undefined;
    this.lastLoadMoreError = undefined;
    if (switched) this.accountChanged.fire(account);
    this.changed.fire();
  }

  /** When the batches shown come from the cache and have not been reconciled yet: the cache's time (ms). */
  get cachedAt(): number | undefined {
    return this.savedAt;
  }

  /** What to persist for the next start. */
  snapshot(): PagerSnapshot<Batch> {
    return this.pager.snapshot();
  }

  get lastUpdateStats(): UpdateStats | undefined {
    return this.pager.lastUpdateStats;
  }

  /**
   * Brings the list up to date: the first load, else an incremental update (new batches on top,
   * known active ones refetched, finished ones left alone: about one request). On failure the
   * loaded batches stay and the error is recorded.
   */
  refresh(): Promise<void> {
    if (this.connection.kind !== 'ready') return Promise.resolve();
    if (!this.pager.hasLoaded) {
      const first = this.pager.refresh();
      this.changed.fire();
      return this.settle(first, 'refresh');
    }
    // An update shows nothing while it runs, and fires no change when it changed nothing: every
    // tree refresh drops VS Code's handles to the rows, so a context-menu action picked during one
    // would lose its batch (and auto-refresh runs this every few seconds).
    const statsBefore = this.pager.lastUpdateStats;
    const pending = this.pager.update();
    return this.settle(pending, 'refresh', () => {
      const stats = this.pager.lastUpdateStats;
      return stats !== undefined && stats !== statsBefore && stats.changed === 0;
    });
  }

  /** Reloads from the first page, dropping the pages loaded after it. */
  reloadAll(): Promise<void> {
    if (this.connection.kind !== 'ready') return Promise.resolve();
    const pending = this.pager.refresh();
    this.changed.fire();
    return this.settle(pending, 'refresh');
  }

  /** Loads one more page (one request, however often it is called while loading). */
  loadMore(): Promise<void> {
    if (this.connection.kind !== 'ready') return Promise.resolve();
    if (!this.pager.hasLoaded) return this.refresh();
    if (!this.pager.hasMore && !this.lastLoadMoreError) return Promise.resolve();
    const wasBusy = this.pager.busy;
    const pending = this.pager.loadMore();
    if (!wasBusy) this.changed.fire();
    return this.settle(pending, 'loadMore');
  }

  /**
   * `GET /batches/{id}`, merged into the loaded list when present. Rejects with an ApiError; a
   * cancellation when the account changed meanwhile, since the answer belongs to the old one.
   */
  async fetchBatch(id: string, signal?: AbortSignal): Promise<Batch> {
    const { client, account } = this.requireConnection();
    const batch = await client.getBatch(id, { signal });
    if (!this.recordBatch(batch, { account })) throw new ApiError('cancelled', `The account changed while batch ${id} was loading.`);
    return batch;
  }

  /**
   * Records a newer copy of a batch (from a cancel, a detail refresh, a create). Returns false,
   * changing nothing, when `account` is given and is no longer the current one.
   */
  recordBatch(batch: Batch, options: { prependIfNew?: boolean; account?: string } = {}): boolean {
    if (options.account !== undefined && options.account !== this.currentAccount) return false;
    const known = this.pager.replaceItem(batch);
    if (!known && options.prependIfNew) this.pager.prepend(batch);
    if (known || options.prependIfNew) {
      this.batchUpdated.fire(batch);
      this.changed.fire();
    }
    return true;
  }

  requireClient(): BatchApiClient {
    return this.requireConnection().client;
  }

  /** The client and its account, taken together so work started with one is finished for the same account. */
  requireConnection(): AccountConnection {
    if (this.connection.kind === 'ready' && this.currentAccount !== undefined)
      return { client: this.connection.client, account: this.currentAccount };
    if (this.connection.kind === 'misconfigured') throw this.connection.error;
    throw new ApiError('auth', 'No API key is set. Run "OpenAI Batches: Set API Key…" first.');
  }

  dispose(): void {
    this.pager.clear();
    this.changed.dispose();
    this.batchUpdated.dispose();
    this.accountChanged.dispose();
  }

  /** Records how an operation ended and announces it; `unchanged` says a successful update changed nothing. */
  private settle(pending: Promise<void>, op: 'refresh' | 'loadMore', unchanged?: () => boolean): Promise<void> {
    const pager = this.pager;
    return pending.then(
      () => {
        if (pager !== this.pager) return;
        const quiet = unchanged?.() === true && !this.lastRefreshError && !this.lastLoadMoreError && this.savedAt === undefined;
        if (op === 'refresh') {
          this.lastRefreshError = undefined;
          this.savedAt = undefined;
        }
        this.lastLoadMoreError = undefined;
        if (!quiet) this.changed.fire();
      },
      (error: unknown) => {
        if (pager !== this.pager || isCancellation(error)) return;
        const apiError = error instanceof ApiError ? error : new ApiError('network', String(error));
        this.logFailure?.(
          `${op === 'refresh' ? 'Loading batches' : 'Loading more batches'} failed [${apiError.kind}]: ${apiError.message}`,
        );
        if (op === 'refresh' || !this.pager.hasLoaded) this.lastRefreshError = apiError;
        else this.lastLoadMoreError = apiError;
        this.changed.fire();
      },
    );
  }

  private newPager(): Pager<Batch> {
    return new Pager<Batch>(
      async (cursor, signal) => {
        const limit = this.pageSize();
        const page = await this.requireClient().listBatches({ limit, after: cursor }, { signal });
        return listPage(page.data, page.has_more, limit);
      },
      {
        // Finished batches never change again, so an update never refetches them.
        isFinal: (batch) => TERMINAL_STATUSES.has(statusOf(batch)),
        fetchOne: (id, signal) => this.requireClient().getBatch(id, { signal }),
      },
    );
  }
}
