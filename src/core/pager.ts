import { ApiError, isCancellation } from './errors';
import { sameJson } from './jsonDepth';

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** Fetches the page after `cursor` (undefined = the first page). Must honour the signal. */
export type PageFetcher<T> = (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>;

export type PagerOperation = 'refresh' | 'loadMore' | 'update';

/** What a pager needs for incremental updates; without it `update` falls back to a full refresh. */
export interface IncrementalOptions<T> {
  /** True for items that never change again (terminal batches). */
  isFinal: (item: T) => boolean;
  /** Fetches one item by id (e.g. `GET /batches/{id}`). */
  fetchOne: (id: string, signal: AbortSignal) => Promise<T>;
  /** How many `fetchOne` calls run at once. */
  concurrency?: number;
  /** Safety bound on pages walked by one update. */
  maxPages?: number;
}

/** A saved state to paint from before any request (see {@link Pager.restore}). */
export interface PagerSnapshot<T> {
  items: T[];
  cursor?: string;
  hasMore: boolean;
  endNote?: string;
}

/** How an update went, for logs and the benchmark. */
export interface UpdateStats {
  pages: number;
  fetchedOne: number;
  added: number;
  fullReload: boolean;
  /** Items added, removed or whose content differs from what was loaded; 0 means the update changed nothing. */
  changed: number;
}

/**
 * Items of a newest-first cursor list, loaded a page at a time.
 *
 * - At most one request is in flight; a second `loadMore` while one runs gets the same promise
 *   (a double click costs one request).
 * - `refresh` reloads the first page and replaces the items only when it succeeds, so the old
 *   list stays visible meanwhile and after a failure. It aborts a load-more in flight, and a
 *   superseded response is dropped, so a slow old answer never overwrites a newer one.
 * - `update` is the cheap refresh: it walks pages from the newest only until it meets an item
 *   already known to be final or the oldest loaded item, refetches the known non-final items it
 *   did not see, and keeps the load-more cursor — about one request however many items are loaded.
 *   Since it leaves the cursor alone, an update and a load-more queue behind each other instead
 *   of one cancelling the other.
 * - Paging ends with a {@link endNote} instead of looping when a page is empty but says
 *   `has_more`, when the cursor does not advance, or when a page brings nothing new.
 */
export class Pager<T extends { id: string }> {
  private list: T[] = [];
  private index = new Map<string, number>();
  private cursor: string | undefined;
  private more = true;
  private loaded = false;
  private note: string | undefined;
  private inFlight: { op: PagerOperation; promise: Promise<void>; controller: AbortController } | undefined;
  private generation = 0;
  private lastUpdate: UpdateStats | undefined;

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly incremental?: IncrementalOptions<T>,
  ) {}

  get items(): readonly T[] {
    return this.list;
  }

  /** True until a page said `has_more: false` or paging was stopped with a note. */
  get hasMore(): boolean {
    return this.more;
  }

  /** True once the first page has arrived (or a snapshot was restored). */
  get hasLoaded(): boolean {
    return this.loaded;
  }

  /** Why paging stopped early (provider anomaly), for display. */
  get endNote(): string | undefined {
    return this.note;
  }

  get busy(): PagerOperation | undefined {
    return this.inFlight?.op;
  }

  /** Statistics of the last completed {@link update}. */
  get lastUpdateStats(): UpdateStats | undefined {
    return this.lastUpdate;
  }

  get(id: string): T | undefined {
    const position = this.index.get(id);
    return position === undefined ? undefined : this.list[position];
  }

  /** The state to persist; {@link restore} paints it back without a request. */
  snapshot(): PagerSnapshot<T> {
    return { items: [...this.list], cursor: this.cursor, hasMore: this.more, endNote: this.note };
  }

  restore(snapshot: PagerSnapshot<T>): void {
    this.clear();
    this.merge(snapshot.items);
    this.cursor = snapshot.cursor ?? snapshot.items.at(-1)?.id;
    this.more = snapshot.hasMore;
    this.note = snapshot.endNote;
    this.loaded = true;
  }

  /** Loads the next page (or the first, if nothing is loaded). Reuses a request already in flight. */
  loadMore(): Promise<void> {
    // An update leaves the cursor alone, so the page asked for can follow it rather than be dropped.
    if (this.inFlight?.op === 'update') return this.after(this.inFlight.promise, () => this.loadMore());
    if (this.inFlight) return this.inFlight.promise;
    if (this.loaded && !this.more) return Promise.resolve();
    if (!this.loaded) return this.refresh();
    const cursor = this.cursor;
    return this.start('loadMore', async (signal) => {
      const page = await this.fetchPage(cursor, signal);
      return () => this.append(page, cursor);
    });
  }

  /** Reloads from the first page. Reuses a refresh in flight; supersedes anything else. */
  refresh(): Promise<void> {
    if (this.inFlight?.op === 'refresh') return this.inFlight.promise;
    this.abortInFlight();
    return this.start('refresh', async (signal) => {
      const page = await this.fetchPage(undefined, signal);
      if (this.list.length > 0) this.rejectEmptyFirstPage(page);
      return () => this.replace(page);
    });
  }

  /**
   * Brings loaded items up to date cheaply (see class doc). Falls back to {@link refresh} when
   * nothing is loaded, when no incremental options were given, or when the known items have
   * vanished from the list (the provider deleted them).
   */
  update(): Promise<void> {
    const incremental = this.incremental;
    if (!incremental || !this.loaded || this.list.length === 0) return this.refresh();
    if (this.inFlight?.op === 'update' || this.inFlight?.op === 'refresh') return this.inFlight.promise;
    // A load more in flight is not superseded: its page was asked for, and an update needs no cursor.
    if (this.inFlight?.op === 'loadMore') return this.after(this.inFlight.promise, () => this.update());
    this.abortInFlight();
    const known = new Map(this.list.map((item) => [item.id, item]));
    return this.start('update', async (signal) => {
      const seen: T[] = [];
      const seenIds = new Set<string>();
      let pages = 0;
      let cursor: string | undefined;
      let metFinal = false;
      let more = true;
      // The oldest loaded item: past it the list holds what Load more has not fetched yet. Without
      // this stop, a loaded list with no finished item (every batch on the first page still
      // running) walked every page and put the older batches on top.
      const boundary = this.list.at(-1)?.id;
      let reachedEnd = false;
      let lastKnown = -1;
      const maxPages = incremental.maxPages ?? 50;
      while (more && !metFinal && !reachedEnd && pages < maxPages) {
        const page = await this.fetchPage(cursor, signal);
        if (pages === 0) this.rejectEmptyFirstPage(page);
        pages++;
        more = page.hasMore && page.items.length > 0;
        let knownOnPage = false;
        for (const item of page.items) {
          if (seenIds.has(item.id)) continue;
          seenIds.add(item.id);
          seen.push(item);
          const before = known.get(item.id);
          if (!before) continue;
          knownOnPage = true;
          lastKnown = seen.length - 1;
          if (incremental.isFinal(before)) metFinal = true;
          if (item.id === boundary) reachedEnd = true;
        }
        // A whole page of unknown items after known ones: beyond the loaded region (its last item was deleted).
        if (lastKnown >= 0 && !knownOnPage) reachedEnd = true;
        const next = page.items.at(-1)?.id;
        if (!next || next === cursor) break;
        cursor = next;
      }
      // Unknown items after the last known one are older than everything loaded: they are Load more's.
      if (lastKnown >= 0) seen.length = lastKnown + 1;
      if (!seen.some((item) => known.has(item.id))) {
        // None of what we had is on the list any more (deleted by the provider, or another account's data).
        if (!more) return this.fullReloadResult(seen, false, pages);
        const page = await this.fetchPage(undefined, signal);
        return this.fullReloadResult(page.items, page.hasMore, pages + 1);
      }
      const stale = [...known.values()].filter((item) => !incremental.isFinal(item) && !seenIds.has(item.id));
      const refetched = await mapConcurrent(stale, incremental.concurrency ?? 4, async (item) => {
        try {
          return await incremental.fetchOne(item.id, signal);
        } catch (error) {
          if (error instanceof ApiError && error.kind === 'notFound') return { gone: item.id };
          throw error;
        }
      });
      return () => {
        const differs = (item: T): boolean => {
          const before = this.get(item.id);
          return before !== undefined && !sameJson(before, item);
        };
        let changed = seen.filter(differs).length;
        const added = this.mergeNewest(seen);
        const gone = new Set<string>();
        for (const result of refetched) {
          if ('gone' in result) gone.add(result.gone);
          else {
            if (differs(result)) changed++;
            this.replaceItem(result);
          }
        }
        changed += added + gone.size;
        if (gone.size) {
          this.list = this.list.filter((item) => !gone.has(item.id));
          this.reindex();
        }
        this.loaded = true;
        this.lastUpdate = { pages, fetchedOne: refetched.length, added, fullReload: false, changed };
      };
    });
  }

  /** Replaces one item in place (e.g. after `GET /batches/{id}`); returns whether it was loaded. */
  replaceItem(item: T): boolean {
    const position = this.index.get(item.id);
    if (position === undefined) return false;
    this.list[position] = item;
    return true;
  }

  /** Puts a newly created item at the top. */
  prepend(item: T): void {
    if (this.replaceItem(item)) return;
    this.list.unshift(item);
    this.reindex();
  }

  /**
   * Merges fresh newest-first items without dropping the pages loaded after them: known items
   * are updated in place, new ones go on top in order. The load-more cursor stays.
   */
  mergeNewest(items: T[]): number {
    const fresh: T[] = [];
    for (const item of items) if (!this.replaceItem(item)) fresh.push(item);
    if (fresh.length) {
      this.list = [...fresh, ...this.list];
      this.reindex();
    }
    return fresh.length;
  }

  /** Forgets everything and aborts any request (e.g. the key or base URL changed). */
  clear(): void {
    this.abortInFlight();
    this.generation++;
    this.list = [];
    this.index.clear();
    this.cursor = undefined;
    this.more = true;
    this.loaded = false;
    this.note = undefined;
  }

  private fullReloadResult(items: T[], hasMore = false, pages = 1): () => void {
    return () => {
      this.replace({ items, hasMore });
      this.lastUpdate = { pages, fetchedOne: 0, added: items.length, fullReload: true, changed: items.length };
    };
  }

  /**
   * An empty first page that says `has_more` is an anomaly, not an empty account: reloading from
   * it would replace the batches shown with nothing, so the reload fails and they stay.
   */
  private rejectEmptyFirstPage(page: Page<T>): void {
    if (page.items.length === 0 && page.hasMore) {
      throw new ApiError('badResponse', 'The server sent an empty first page while saying there were more batches; kept the batches already shown.');
    }
  }

  /**
   * Runs `next` once `previous` settles (its own caller handles its failure). If another
   * operation started meanwhile (a second queued call, a full refresh, `clear`), shares that one instead.
   */
  private after(previous: Promise<void>, next: () => Promise<void>): Promise<void> {
    const generation = this.generation;
    const settled = previous.then(
      () => undefined,
      () => undefined,
    );
    return settled.then(() => (generation === this.generation ? next() : this.inFlight?.promise));
  }

  private abortInFlight(): void {
    this.inFlight?.controller.abort();
    this.inFlight = undefined;
  }

  /** Runs `job` as the one operation in flight; its result is applied only if nothing superseded it. */
  private start(op: PagerOperation, job: (signal: AbortSignal) => Promise<() => void>): Promise<void> {
    const controller = new AbortController();
    const generation = ++this.generation;
    const promise = job(controller.signal).then(
      (apply) => {
        if (generation === this.generation) apply();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        if (isCancellation(error) || controller.signal.aborted) throw new ApiError('cancelled', 'Superseded by a newer request.');
        throw error;
      },
    );
    const tracked = promise.finally(() => {
      if (this.inFlight?.promise === tracked) this.inFlight = undefined;
    });
    this.inFlight = { op, promise: tracked, controller };
    return tracked;
  }

  private replace(page: Page<T>): void {
    this.list = [];
    this.index.clear();
    this.note = undefined;
    this.loaded = true;
    this.more = page.hasMore;
    this.cursor = undefined;
    this.merge(page.items);
    this.checkProgress(page, undefined, page.items.length);
  }

  private append(page: Page<T>, previousCursor: string | undefined): void {
    const added = this.merge(page.items);
    this.more = page.hasMore;
    this.checkProgress(page, previousCursor, added);
  }

  /** Adds new items at the end; a repeated id (the list shifted between pages) updates the row it already has. */
  private merge(items: T[]): number {
    let added = 0;
    for (const item of items) {
      if (this.replaceItem(item)) continue;
      this.index.set(item.id, this.list.length);
      this.list.push(item);
      added++;
    }
    const last = items.at(-1);
    if (last) this.cursor = last.id;
    return added;
  }

  private checkProgress(page: Page<T>, previousCursor: string | undefined, added: number): void {
    if (!page.hasMore) return;
    if (page.items.length === 0) this.stop('The server said there were more batches but sent an empty page; stopped loading.');
    else if (this.cursor === previousCursor) this.stop('The server returned the same page again; stopped loading to avoid a loop.');
    else if (added === 0) this.stop('The next page only repeated batches already shown; stopped loading.');
  }

  private stop(note: string): void {
    this.more = false;
    this.note = note;
  }

  private reindex(): void {
    this.index.clear();
    this.list.forEach((item, position) => this.index.set(item.id, position));
  }
}

async function mapConcurrent<A, B>(items: A[], concurrency: number, fn: (item: A) => Promise<B>): Promise<B[]> {
  const results: B[] = new Array<B>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const position = next++;
      results[position] = await fn(items[position]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
