import type { BatchStore } from '../batches/batchStore';
import { ApiError, isCancellation } from '../api/errors';
import { Emitter } from '../util/events';
import { FILE_PURPOSES, mergeNewestFirst } from './files';
import { unixSeconds } from '../util/time';
import { Pager, type PagerOperation } from '../api/pager';
import type { FileObject } from '../api/types';
import { listPage } from '../api/page';

/** Files asked for per request and purpose (the endpoint allows up to 10,000). */
export const FILE_PAGE_SIZE = 100;

/**
 * The batch input and output files of one account (the account of a {@link BatchStore}), listed
 * with `GET /files?purpose=…&order=desc&limit=…&after=…`, one cursor per purpose, merged newest
 * first. Like the BatchStore, operations never reject: failures are kept as {@link refreshError}
 * / {@link loadMoreError} while the files already loaded stay.
 *
 * The merged list only shows files down to the oldest file loaded of a purpose that has more:
 * older files of the other purpose wait until that purpose's next page, so nothing appears out
 * of order and "load more" never inserts files above ones already shown.
 */
export class FileStore {
  private pagers = this.newPagers();
  private account: string | undefined;
  private lastRefreshError: ApiError | undefined;
  private lastLoadMoreError: ApiError | undefined;
  private readonly removed = new Set<string>();
  private merged: FileObject[] | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly changed = new Emitter<void>();
  private readonly subscription: { dispose(): void };

  /** Fires whenever files or loading state change. */
  readonly onDidChange = this.changed.event;

  constructor(
    readonly batches: BatchStore,
    private readonly pageSize: () => number = () => FILE_PAGE_SIZE,
    private readonly logFailure?: (line: string) => void,
  ) {
    this.account = batches.account;
    // Every change of key, base URL or headers: nothing of the old account's files stays.
    this.subscription = batches.onDidChangeAccount((account) => this.reset(account));
  }

  /** Files loaded so far, newest first, without the ones deleted here. */
  get files(): readonly FileObject[] {
    this.merged ??= this.visible();
    return this.merged;
  }

  get hasLoaded(): boolean {
    return this.pagers.every((p) => p.pager.hasLoaded);
  }

  get hasMore(): boolean {
    return this.pagers.some((p) => p.pager.hasMore);
  }

  get busy(): PagerOperation | undefined {
    return this.pagers.find((p) => p.pager.busy)?.pager.busy;
  }

  /** Why paging stopped early (a provider that ignores `after`, an empty page that says `has_more`). */
  get endNote(): string | undefined {
    return this.pagers.find((p) => p.pager.endNote)?.pager.endNote;
  }

  get refreshError(): ApiError | undefined {
    return this.lastRefreshError;
  }

  get loadMoreError(): ApiError | undefined {
    return this.lastLoadMoreError;
  }

  get(id: string): FileObject | undefined {
    if (this.removed.has(id)) return undefined;
    for (const { pager } of this.pagers) {
      const file = pager.get(id);
      if (file) return file;
    }
    return undefined;
  }

  /** Loads both purposes' first pages (again). A refresh in flight is shared, and announced once. */
  refresh(): Promise<void> {
    if (this.batches.state.kind !== 'ready') return Promise.resolve();
    if (this.refreshing) return this.refreshing;
    const pending = Promise.all(this.pagers.map((p) => p.pager.refresh()));
    const settled = this.settle(pending, 'refresh').finally(() => {
      if (this.refreshing === settled) this.refreshing = undefined;
    });
    this.refreshing = settled;
    this.announce();
    return settled;
  }

  /**
   * Loads the next page of the purpose whose oldest loaded file is the newest (the one holding the
   * merged list back). One request, however often it is called while loading.
   */
  loadMore(): Promise<void> {
    if (this.batches.state.kind !== 'ready') return Promise.resolve();
    if (!this.hasLoaded) return this.refresh();
    const next = this.limiting();
    if (!next) return Promise.resolve();
    const pending = next.loadMore();
    this.announce();
    return this.settle(pending, 'loadMore');
  }

  /** Forgets a file deleted through this account, without a request. */
  forget(id: string): void {
    this.removed.add(id);
    this.announce();
  }

  dispose(): void {
    this.subscription.dispose();
    for (const { pager } of this.pagers) pager.clear();
    this.changed.dispose();
  }

  private reset(account: string | undefined): void {
    for (const { pager } of this.pagers) pager.clear();
    this.pagers = this.newPagers();
    this.account = account;
    this.refreshing = undefined;
    this.removed.clear();
    this.lastRefreshError = undefined;
    this.lastLoadMoreError = undefined;
    this.announce();
  }

  private announce(): void {
    this.merged = undefined;
    this.changed.fire();
  }

  /** The pager to load more from: of those with more, the one whose oldest loaded file is newest. */
  private limiting(): Pager<FileObject> | undefined {
    let best: { pager: Pager<FileObject>; oldest: number } | undefined;
    for (const { pager } of this.pagers) {
      if (!pager.hasMore) continue;
      const oldest = oldestOf(pager.items);
      if (!best || oldest > best.oldest) best = { pager, oldest };
    }
    return best?.pager;
  }

  private visible(): FileObject[] {
    // The newest "oldest loaded" among purposes with more pages: below it, the list may still be incomplete.
    let horizon = -Infinity;
    for (const { pager } of this.pagers) if (pager.hasMore && pager.items.length > 0) horizon = Math.max(horizon, oldestOf(pager.items));
    const merged = mergeNewestFirst(this.pagers.map((p) => p.pager.items));
    return merged.filter((file) => {
      if (this.removed.has(file.id)) return false;
      if (horizon === -Infinity) return true;
      const created = unixSeconds(file.created_at);
      return created !== undefined && created >= horizon;
    });
  }

  private settle(pending: Promise<unknown>, op: 'refresh' | 'loadMore'): Promise<void> {
    const pagers = this.pagers;
    return pending.then(
      () => {
        if (pagers !== this.pagers) return;
        if (op === 'refresh') this.lastRefreshError = undefined;
        this.lastLoadMoreError = undefined;
        this.announce();
      },
      (error: unknown) => {
        if (pagers !== this.pagers || isCancellation(error)) return;
        const apiError = error instanceof ApiError ? error : new ApiError('network', String(error));
        this.logFailure?.(`${op === 'refresh' ? 'Loading files' : 'Loading more files'} failed [${apiError.kind}]: ${apiError.message}`);
        if (op === 'refresh' || !this.hasLoaded) this.lastRefreshError = apiError;
        else this.lastLoadMoreError = apiError;
        this.announce();
      },
    );
  }

  private newPagers(): { purpose: string; pager: Pager<FileObject> }[] {
    return FILE_PURPOSES.map((purpose) => ({
      purpose,
      pager: new Pager<FileObject>(
        async (cursor, signal) => {
          const { client, account } = this.batches.requireConnection();
          // A page asked for by the previous account is never shown in this one.
          if (account !== this.account) throw new ApiError('cancelled', 'The account changed.');
          const limit = this.pageSize();
          const page = await client.listFiles({ purpose, order: 'desc', limit, after: cursor }, { signal });
          return listPage(page.data, page.has_more, limit);
        },
        undefined,
        'files',
      ),
    }));
  }
}

/** The oldest creation time in a list (files without one count as oldest). */
function oldestOf(files: readonly FileObject[]): number {
  let oldest = Infinity;
  for (const file of files) oldest = Math.min(oldest, unixSeconds(file.created_at) ?? -Infinity);
  return oldest === Infinity ? -Infinity : oldest;
}

/**
 * One {@link FileStore} per BatchStore (per account), made on first use: the Files view and the
 * file commands reach the files of whichever account they are given.
 */
export class FileStores {
  private readonly stores = new Map<BatchStore, FileStore>();

  constructor(private readonly create: (batches: BatchStore) => FileStore) {}

  for(batches: BatchStore): FileStore {
    let store = this.stores.get(batches);
    if (!store) {
      store = this.create(batches);
      this.stores.set(batches, store);
    }
    return store;
  }

  /** Drops the file list of a store that went away (an account removed). */
  delete(batches: BatchStore): void {
    this.stores.get(batches)?.dispose();
    this.stores.delete(batches);
  }

  dispose(): void {
    for (const store of this.stores.values()) store.dispose();
    this.stores.clear();
  }
}
