import { ApiError, isCancellation } from './errors';
import { fetchUpdate, type IncrementalOptions, mergeUpdate, type UpdateStats } from './incrementalRefresh';
import { type Page, type PageFetcher, rejectEmptyFirstPage } from './page';

export type PagerOperation = 'refresh' | 'loadMore' | 'update';

/** A saved state to paint from before any request (see {@link Pager.restore}). */
export interface PagerSnapshot<T> {
  items: T[];
  cursor?: string;
  hasMore: boolean;
  endNote?: string;
  /** The list ended on a page without `has_more` (see {@link Pager.complete}). */
  endGuessed?: boolean;
}

/**
 * Items of a newest-first cursor list, loaded a page at a time.
 *
 * - At most one request is in flight; a second `loadMore` while one runs gets the same promise
 *   (a double click costs one request).
 * - `refresh` reloads the first page and replaces the items only when it succeeds, so the old
 *   list stays visible meanwhile and after a failure. It aborts a load-more in flight, and a
 *   superseded response is dropped, so a slow old answer never overwrites a newer one.
 * - `update` is the cheap refresh: it fetches only the newest pages and the known unfinished items
 *   beyond them ({@link fetchUpdate}), merges them in ({@link mergeUpdate}) and keeps the
 *   load-more cursor — about one request however many items are loaded.
 *   Since it leaves the cursor alone, an update and a load-more queue behind each other instead
 *   of one cancelling the other.
 * - Paging ends with a {@link endNote} instead of looping when a page is empty but says
 *   `has_more`, when the cursor does not advance, or when a page brings nothing new.
 * - A page without `has_more` that is full may have more (`page.listPage`); the list then ends
 *   on a short or empty page, but is not called {@link complete}: the server never said so.
 */
export class Pager<T extends { id: string }> {
  private list: T[] = [];
  private index = new Map<string, number>();
  private cursor: string | undefined;
  private more = true;
  private loaded = false;
  private note: string | undefined;
  /** The last page said nothing of `has_more`. */
  private guessedEnd = false;
  private inFlight: { op: PagerOperation; promise: Promise<void>; controller: AbortController } | undefined;
  private generation = 0;
  private lastUpdate: UpdateStats | undefined;

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly incremental?: IncrementalOptions<T>,
    /** What the items are called in {@link endNote}s. */
    private readonly noun = 'batches',
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

  /**
   * True only when every item is loaded as far as the server said: its last page said
   * `has_more: false`. False while pages are left, when paging stopped early ({@link endNote}),
   * and when the list ended on a page without `has_more` (a guess). For checks that must have
   * seen everything, such as "no batch uses this file".
   */
  get complete(): boolean {
    return this.loaded && !this.more && this.note === undefined && !this.guessedEnd;
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
    return {
      items: [...this.list],
      cursor: this.cursor,
      hasMore: this.more,
      endNote: this.note,
      ...(this.guessedEnd && { endGuessed: true }),
    };
  }

  restore(snapshot: PagerSnapshot<T>): void {
    this.clear();
    this.appendItems(snapshot.items);
    this.cursor = snapshot.cursor ?? snapshot.items.at(-1)?.id;
    this.more = snapshot.hasMore;
    this.note = snapshot.endNote;
    this.guessedEnd = snapshot.endGuessed === true;
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
      return () => this.appendPage(page, cursor);
    });
  }

  /** Reloads from the first page. Reuses a refresh in flight; supersedes anything else. */
  refresh(): Promise<void> {
    if (this.inFlight?.op === 'refresh') return this.inFlight.promise;
    this.abortInFlight();
    return this.start('refresh', async (signal) => {
      const page = await this.fetchPage(undefined, signal);
      if (this.list.length > 0) rejectEmptyFirstPage(page, this.noun);
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
    return this.start('update', async (signal) => {
      const fetched = await fetchUpdate(this.list, this.fetchPage, incremental, signal);
      return () => {
        // Merged into the items loaded now, not those the update started from: a create may have added one meanwhile.
        const patch = mergeUpdate(this.list, fetched);
        if (patch.kind === 'reload') this.replace(patch.page);
        else {
          this.list = patch.items;
          this.reindex();
        }
        this.lastUpdate = patch.stats;
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
    this.guessedEnd = false;
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

  /** Runs `job` as the one operation in flight; the change it returns is committed only if nothing superseded it. */
  private start(op: PagerOperation, job: (signal: AbortSignal) => Promise<() => void>): Promise<void> {
    const controller = new AbortController();
    const generation = ++this.generation;
    const promise = job(controller.signal).then(
      (commit) => {
        if (generation === this.generation) commit();
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
    this.guessedEnd = page.guessed === true;
    this.cursor = undefined;
    this.appendItems(page.items);
    this.checkProgress(page, undefined, page.items.length);
  }

  private appendPage(page: Page<T>, previousCursor: string | undefined): void {
    const added = this.appendItems(page.items);
    this.more = page.hasMore;
    this.guessedEnd = page.guessed === true;
    this.checkProgress(page, previousCursor, added);
  }

  /** Adds new items at the end; a repeated id (the list shifted between pages) updates the row it already has. */
  private appendItems(items: T[]): number {
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
    if (page.items.length === 0) this.stop(`The server said there were more ${this.noun} but sent an empty page; stopped loading.`);
    else if (this.cursor === previousCursor) this.stop('The server returned the same page again; stopped loading to avoid a loop.');
    else if (added === 0) this.stop(`The next page only repeated ${this.noun} already shown; stopped loading.`);
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
