import type { BatchApiClient } from './client';
import { ApiError, isCancellation } from './errors';
import { Emitter } from './events';
import { isActive } from './grouping';
import { Pager } from './pager';
import type { Batch } from './types';

export type ConnectionState =
  | { kind: 'signedOut' }
  | { kind: 'misconfigured'; error: ApiError }
  | { kind: 'ready'; client: BatchApiClient };

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
  private readonly changed = new Emitter<void>();
  private readonly batchUpdated = new Emitter<Batch>();

  /** Fires whenever batches or loading state change. */
  readonly onDidChange = this.changed.event;
  /** Fires with a batch whose data was replaced by a single-batch call (refreshes fire only onDidChange). */
  readonly onDidUpdateBatch = this.batchUpdated.event;

  constructor(private readonly pageSize: () => number) {}

  get state(): ConnectionState {
    return this.connection;
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

  get endNote(): string | undefined {
    return this.pager.endNote;
  }

  get busy(): 'refresh' | 'loadMore' | undefined {
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

  /** Switches account (new key, base URL or headers): forgets what was loaded. */
  setConnection(connection: ConnectionState): void {
    this.connection = connection;
    this.pager.clear();
    this.pager = this.newPager();
    this.lastRefreshError = undefined;
    this.lastLoadMoreError = undefined;
    this.changed.fire();
  }

  /** Reloads the first page; on failure the loaded batches stay and the error is recorded. */
  refresh(): Promise<void> {
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
   * Brings active batches up to date without reloading everything: one first-page request when
   * every active batch is on it (cheaper), else `GET /batches/{id}` per active batch at bounded
   * concurrency. Returns the number of requests made; rejects with the first failure.
   */
  async refreshActive(concurrency = 4, signal?: AbortSignal): Promise<number> {
    const client = this.requireClient();
    if (!this.pager.hasLoaded || this.pager.busy) return 0;
    const active = this.pager.items.filter(isActive);
    if (active.length === 0) return 0;
    const firstPage = new Set(this.pager.items.slice(0, this.pageSize()).map((batch) => batch.id));
    if (active.length > 1 && active.every((batch) => firstPage.has(batch.id))) {
      const page = await client.listBatches({ limit: this.pageSize() }, { signal });
      this.pager.mergeNewest(page.data);
      for (const batch of page.data) this.batchUpdated.fire(batch);
      this.changed.fire();
      return 1;
    }
    const queue = [...active];
    const worker = async (): Promise<void> => {
      for (let batch = queue.shift(); batch; batch = queue.shift()) {
        const fresh = await client.getBatch(batch.id, { signal });
        this.apply(fresh);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, active.length) }, worker));
    return active.length;
  }

  /** `GET /batches/{id}`, merged into the loaded list when present. Rejects with an ApiError. */
  async fetchBatch(id: string, signal?: AbortSignal): Promise<Batch> {
    const client = this.requireClient();
    const batch = await client.getBatch(id, { signal });
    this.apply(batch);
    return batch;
  }

  /** Records a newer copy of a batch (from a cancel, a detail refresh, a create). */
  apply(batch: Batch, options: { prependIfNew?: boolean } = {}): void {
    const known = this.pager.update(batch);
    if (!known && options.prependIfNew) this.pager.prepend(batch);
    if (known || options.prependIfNew) {
      this.batchUpdated.fire(batch);
      this.changed.fire();
    }
  }

  requireClient(): BatchApiClient {
    if (this.connection.kind === 'ready') return this.connection.client;
    if (this.connection.kind === 'misconfigured') throw this.connection.error;
    throw new ApiError('auth', 'No API key is set. Run "OpenAI Batches: Set API Key…" first.');
  }

  dispose(): void {
    this.pager.clear();
    this.changed.dispose();
    this.batchUpdated.dispose();
  }

  private settle(pending: Promise<void>, op: 'refresh' | 'loadMore'): Promise<void> {
    const pager = this.pager;
    return pending.then(
      () => {
        if (pager !== this.pager) return;
        if (op === 'refresh') this.lastRefreshError = undefined;
        this.lastLoadMoreError = undefined;
        this.changed.fire();
      },
      (error: unknown) => {
        if (pager !== this.pager || isCancellation(error)) return;
        const apiError = error instanceof ApiError ? error : new ApiError('network', String(error));
        if (op === 'refresh' || !this.pager.hasLoaded) this.lastRefreshError = apiError;
        else this.lastLoadMoreError = apiError;
        this.changed.fire();
      },
    );
  }

  private newPager(): Pager<Batch> {
    return new Pager<Batch>(async (cursor, signal) => {
      const page = await this.requireClient().listBatches({ limit: this.pageSize(), after: cursor }, { signal });
      return { items: page.data, hasMore: page.has_more };
    });
  }
}
