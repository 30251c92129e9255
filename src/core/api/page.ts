import { ApiError } from './errors';

/** One page of a newest-first cursor list. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
  /** The server did not say whether more follow (no `has_more`): {@link hasMore} is guessed from a full page. */
  guessed?: boolean;
}

/**
 * A page as a provider sent it. Without `has_more`, a page holding as many items as were asked
 * for may have more after it (a provider that pages but leaves the field out), so it says so;
 * only a shorter or empty page ends the list. Either way the page is marked {@link Page.guessed}.
 */
export function listPage<T>(items: T[], hasMore: boolean | undefined, limit: number): Page<T> {
  if (hasMore !== undefined) return { items, hasMore };
  return { items, hasMore: items.length > 0 && items.length >= limit, guessed: true };
}

/** Fetches the page after `cursor` (undefined = the first page). Must honour the signal. */
export type PageFetcher<T> = (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>;

/**
 * An empty first page that says `has_more` is an anomaly, not an empty account: reloading from
 * it would replace the items shown with nothing, so the reload fails and they stay.
 */
export function rejectEmptyFirstPage(page: Page<unknown>, noun = 'batches'): void {
  if (page.items.length === 0 && page.hasMore) {
    throw new ApiError(
      'badResponse',
      `The server sent an empty first page while saying there were more ${noun}; kept the ${noun} already shown.`,
    );
  }
}
