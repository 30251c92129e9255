import { ApiError } from './errors';
import { sameJson } from '../util/jsonDepth';
import { type Page, type PageFetcher, rejectEmptyFirstPage } from './page';

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

/** How an update went, for logs and the benchmark. */
export interface UpdateStats {
  pages: number;
  fetchedOne: number;
  added: number;
  fullReload: boolean;
  /** Items added, removed or whose content differs from what was loaded; 0 means the update changed nothing. */
  changed: number;
}

/** What an update fetched, before it is merged into the items loaded by the time it arrives. */
export type FetchedUpdate<T> =
  | {
      kind: 'merge';
      /** The newest items, newest first, down to the last one that was already loaded. */
      newest: T[];
      /** Fresh copies of loaded unfinished items that the pages walked did not reach. */
      refetched: T[];
      /** Ids of loaded unfinished items the provider no longer has (404 when refetched). */
      gone: string[];
      /** List pages requested. */
      pages: number;
    }
  /** None of the loaded items is listed any more: start over from this first page. */
  | { kind: 'reload'; page: Page<T>; pages: number };

/** What applying an update does: a new item list, or a reload from a first page; with its stats. */
export type UpdatePatch<T> = { kind: 'merge'; items: T[]; stats: UpdateStats } | { kind: 'reload'; page: Page<T>; stats: UpdateStats };

/**
 * Fetches what an update needs, cheaply: list pages from the newest only until one meets an
 * item already known to be final or the oldest loaded item, then the known unfinished items
 * those pages did not reach, by id. About one request however many items are loaded.
 */
export async function fetchUpdate<T extends { id: string }>(
  loaded: readonly T[],
  fetchPage: PageFetcher<T>,
  options: IncrementalOptions<T>,
  signal: AbortSignal,
): Promise<FetchedUpdate<T>> {
  // Taken now: the caller's list may change while the pages load.
  const known = new Map(loaded.map((item) => [item.id, item]));
  const { newest, metKnown, more, guessed, pages } = await walkNewestPages(known, loaded.at(-1)?.id, fetchPage, options, signal);
  if (!metKnown) {
    // None of what we had is on the list any more (deleted by the provider, or another account's data).
    if (!more) return { kind: 'reload', page: { items: newest, hasMore: false, ...(guessed && { guessed }) }, pages };
    return { kind: 'reload', page: await fetchPage(undefined, signal), pages: pages + 1 };
  }
  const listed = new Set(newest.map((item) => item.id));
  const stale = [...known.values()].filter((item) => !options.isFinal(item) && !listed.has(item.id));
  const refetched: T[] = [];
  const gone: string[] = [];
  await forEachConcurrently(stale, options.concurrency ?? 4, async (item) => {
    try {
      refetched.push(await options.fetchOne(item.id, signal));
    } catch (error) {
      if (!(error instanceof ApiError && error.kind === 'notFound')) throw error;
      gone.push(item.id);
    }
  });
  return { kind: 'merge', newest, refetched, gone, pages };
}

/**
 * Merges what an update fetched into `current`, the items loaded when it arrives (a create may
 * have added one meanwhile): new items go on top in their order, loaded ones are replaced where
 * they are, gone ones are dropped, and the pages loaded beyond the newest stay. Changes nothing
 * it is given.
 */
export function mergeUpdate<T extends { id: string }>(current: readonly T[], fetched: FetchedUpdate<T>): UpdatePatch<T> {
  if (fetched.kind === 'reload') {
    const count = fetched.page.items.length;
    return {
      kind: 'reload',
      page: fetched.page,
      stats: { pages: fetched.pages, fetchedOne: 0, added: count, fullReload: true, changed: count },
    };
  }
  const loaded = new Map(current.map((item) => [item.id, item]));
  const differs = (item: T): boolean => {
    const before = loaded.get(item.id);
    return before !== undefined && !sameJson(before, item);
  };
  const fresh = fetched.newest.filter((item) => !loaded.has(item.id));
  const replacements = new Map(
    [...fetched.newest, ...fetched.refetched].filter((item) => loaded.has(item.id)).map((item) => [item.id, item]),
  );
  const gone = new Set(fetched.gone);
  const kept = current.filter((item) => !gone.has(item.id)).map((item) => replacements.get(item.id) ?? item);
  const changed = fetched.newest.filter(differs).length + fetched.refetched.filter(differs).length + fresh.length + gone.size;
  return {
    kind: 'merge',
    items: [...fresh, ...kept],
    stats: {
      pages: fetched.pages,
      fetchedOne: fetched.refetched.length + fetched.gone.length,
      added: fresh.length,
      fullReload: false,
      changed,
    },
  };
}

/** Walks list pages from the newest until the loaded region is covered; see {@link fetchUpdate}. */
async function walkNewestPages<T extends { id: string }>(
  known: ReadonlyMap<string, T>,
  /** The oldest loaded item: past it the list holds what Load more has not fetched yet. */
  boundary: string | undefined,
  fetchPage: PageFetcher<T>,
  options: IncrementalOptions<T>,
  signal: AbortSignal,
): Promise<{ newest: T[]; metKnown: boolean; more: boolean; guessed: boolean; pages: number }> {
  const seen: T[] = [];
  const seenIds = new Set<string>();
  let pages = 0;
  let cursor: string | undefined;
  let metFinal = false;
  let more = true;
  let guessed = false;
  // Without this stop, a loaded list with no finished item (every batch on the first page still
  // running) walked every page and put the older batches on top.
  let reachedEnd = false;
  let lastKnown = -1;
  const maxPages = options.maxPages ?? 50;
  while (more && !metFinal && !reachedEnd && pages < maxPages) {
    const page = await fetchPage(cursor, signal);
    if (pages === 0) rejectEmptyFirstPage(page);
    pages++;
    more = page.hasMore && page.items.length > 0;
    guessed = page.guessed === true;
    let knownOnPage = false;
    for (const item of page.items) {
      if (seenIds.has(item.id)) continue;
      seenIds.add(item.id);
      seen.push(item);
      const before = known.get(item.id);
      if (!before) continue;
      knownOnPage = true;
      lastKnown = seen.length - 1;
      if (options.isFinal(before)) metFinal = true;
      if (item.id === boundary) reachedEnd = true;
    }
    // A whole page of unknown items after known ones: beyond the loaded region (its last item was deleted).
    if (lastKnown >= 0 && !knownOnPage) reachedEnd = true;
    const next = page.items.at(-1)?.id;
    if (!next || next === cursor) break;
    cursor = next;
  }
  if (lastKnown < 0) return { newest: seen, metKnown: false, more, guessed, pages };
  // Unknown items after the last known one are older than everything loaded: they are Load more's.
  return { newest: seen.slice(0, lastKnown + 1), metKnown: true, more, guessed, pages };
}

async function forEachConcurrently<A>(items: A[], concurrency: number, fn: (item: A) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
