import { ApiError, isCancellation } from './errors';

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** Fetches the page after `cursor` (undefined = the first page). Must honour the signal. */
export type PageFetcher<T> = (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>;

export type PagerOperation = 'refresh' | 'loadMore';

/**
 * Items of a newest-first cursor list, loaded a page at a time.
 *
 * - At most one request is in flight; a second `loadMore` while one runs gets the same promise
 *   (a double click costs one request).
 * - `refresh` reloads the first page and replaces the items only when it succeeds, so the old
 *   list stays visible meanwhile and after a failure. It aborts a load-more in flight, and a
 *   superseded response is dropped, so a slow old answer never overwrites a newer one.
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

  constructor(private readonly fetchPage: PageFetcher<T>) {}

  get items(): readonly T[] {
    return this.list;
  }

  /** True until a page said `has_more: false` or paging was stopped with a note. */
  get hasMore(): boolean {
    return this.more;
  }

  /** True once the first page has arrived. */
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

  get(id: string): T | undefined {
    const position = this.index.get(id);
    return position === undefined ? undefined : this.list[position];
  }

  /** Loads the next page (or the first, if nothing is loaded). Reuses a request already in flight. */
  loadMore(): Promise<void> {
    if (this.inFlight) return this.inFlight.promise;
    if (this.loaded && !this.more) return Promise.resolve();
    return this.start(this.loaded ? 'loadMore' : 'refresh');
  }

  /** Reloads from the first page. Reuses a refresh in flight; supersedes a load-more. */
  refresh(): Promise<void> {
    if (this.inFlight?.op === 'refresh') return this.inFlight.promise;
    this.inFlight?.controller.abort();
    this.inFlight = undefined;
    return this.start('refresh');
  }

  /** Replaces one item in place (e.g. after `GET /batches/{id}`); returns whether it was loaded. */
  update(item: T): boolean {
    const position = this.index.get(item.id);
    if (position === undefined) return false;
    this.list[position] = item;
    return true;
  }

  /** Puts a newly created item at the top. */
  prepend(item: T): void {
    if (this.update(item)) return;
    this.list.unshift(item);
    this.reindex();
  }

  /**
   * Merges a freshly fetched first page without dropping the pages loaded after it: known items
   * are updated in place, new ones go on top in page order. The load-more cursor stays.
   */
  mergeNewest(items: T[]): number {
    const fresh: T[] = [];
    for (const item of items) if (!this.update(item)) fresh.push(item);
    if (fresh.length) {
      this.list = [...fresh, ...this.list];
      this.reindex();
    }
    return fresh.length;
  }

  /** Forgets everything and aborts any request (e.g. the key or base URL changed). */
  clear(): void {
    this.inFlight?.controller.abort();
    this.inFlight = undefined;
    this.generation++;
    this.list = [];
    this.index.clear();
    this.cursor = undefined;
    this.more = true;
    this.loaded = false;
    this.note = undefined;
  }

  private start(op: PagerOperation): Promise<void> {
    const controller = new AbortController();
    const generation = ++this.generation;
    const cursor = op === 'refresh' ? undefined : this.cursor;
    const promise = this.fetchPage(cursor, controller.signal).then(
      (page) => {
        if (generation !== this.generation) return;
        if (op === 'refresh') this.replace(page);
        else this.append(page, cursor);
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

  /** Adds new items; a repeated id (the list shifted between pages) updates the row it already has. */
  private merge(items: T[]): number {
    let added = 0;
    for (const item of items) {
      if (this.update(item)) continue;
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
