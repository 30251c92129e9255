import { ApiError } from './errors';

/** One page of a newest-first cursor list. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
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
