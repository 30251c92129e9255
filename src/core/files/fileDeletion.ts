import type { BatchStore } from '../batches/batchStore';
import type { BatchApiClient } from '../api/client';
import { ApiError, errorMessage, isCancellation } from '../api/errors';
import { activeUses, coversActiveBatches, deleteRefusal, fileUsage } from './files';

/** At most this many more pages of batches are loaded to find every batch that can still be active. */
const MAX_COVERAGE_PAGES = 20;

/** Whether the loaded batches include every batch that can still be active; when not, why, in a sentence. */
export interface UsageCoverage {
  complete: boolean;
  /** Why the check is incomplete (plain text, may quote the server's note), when it is. */
  gap?: string;
}

/**
 * Loads batch pages until the loaded batches include every batch that can still be active
 * ({@link coversActiveBatches}): usually none, since the newest page reaches back far enough.
 * Incomplete when loading failed, the pages ran out of budget, paging stopped early, or the list
 * ended on a page without `has_more` (the server never said that was all).
 */
export async function loadActiveBatches(store: BatchStore, nowMs = Date.now()): Promise<UsageCoverage> {
  if (store.state.kind !== 'ready') return { complete: false, gap: 'Not connected, so the batches could not be loaded.' };
  if (!store.hasLoaded) await store.refresh();
  for (let page = 0; page < MAX_COVERAGE_PAGES && store.hasLoaded && store.hasMore; page++) {
    if (coversActiveBatches(store.batches, !store.complete, nowMs)) return { complete: true };
    await store.loadMore();
    if (store.loadMoreError) break;
  }
  if (store.hasLoaded && coversActiveBatches(store.batches, !store.complete, nowMs)) return { complete: true };
  return { complete: false, gap: coverageGap(store) };
}

function coverageGap(store: BatchStore): string {
  const failure = store.loadMoreError ?? store.refreshError;
  if (!store.hasLoaded || failure) return `Loading the batches failed${failure ? ` (${failure.message})` : ''}.`;
  if (store.hasMore) return `Only the newest ${store.batches.length.toLocaleString('en-US')} batches were loaded.`;
  if (store.endNote) return `Loading the batches stopped early: ${store.endNote}`;
  return 'The server does not say whether more batches follow (its list has no has_more), so it may have batches it did not list.';
}

export interface DeleteCheck {
  /** Why the file must not be deleted; undefined when nothing forbids it. */
  refusal?: string;
  /** False when not every batch that can still be active could be loaded: "unused" is then a guess. */
  complete: boolean;
  /** Why the check is incomplete, when it is. */
  gap?: string;
}

/**
 * Whether a file may be deleted: refused while an active batch uses it. The loaded batches are
 * completed first ({@link loadActiveBatches}), and each active batch that uses the file is fetched
 * again, so one that finished since the list was loaded no longer blocks while one that could not
 * be fetched still does.
 */
export async function checkDelete(
  store: BatchStore,
  file: { id: string; filename?: string | null },
  nowMs = Date.now(),
): Promise<DeleteCheck> {
  const coverage = await loadActiveBatches(store, nowMs);
  for (const use of activeUses(fileUsage(store.batches).get(file.id))) {
    await store.fetchBatch(use.batch.id).catch((error: unknown) => {
      if (isCancellation(error)) throw error;
    });
  }
  return { refusal: deleteRefusal(file, fileUsage(store.batches).get(file.id)), ...coverage };
}

export interface DeleteOutcome {
  deleted: string[];
  failed: { id: string; message: string }[];
}

/**
 * `DELETE /files/{id}` for each id, one at a time (a bulk delete must not trip rate limits), until
 * done or cancelled. A 404 counts as deleted: the file is gone either way.
 */
export async function deleteFiles(
  client: BatchApiClient,
  ids: readonly string[],
  options: { signal?: AbortSignal; onDeleted?: (id: string, done: number) => void } = {},
): Promise<DeleteOutcome> {
  const outcome: DeleteOutcome = { deleted: [], failed: [] };
  for (const id of ids) {
    if (options.signal?.aborted) break;
    try {
      const result = await client.deleteFile(id, { signal: options.signal });
      if (result.deleted) outcome.deleted.push(id);
      else outcome.failed.push({ id, message: 'the server did not confirm the deletion' });
    } catch (error) {
      if (isCancellation(error)) break;
      if (error instanceof ApiError && error.kind === 'notFound') outcome.deleted.push(id);
      else outcome.failed.push({ id, message: errorMessage(error) });
    }
    options.onDeleted?.(id, outcome.deleted.length + outcome.failed.length);
  }
  return outcome;
}
