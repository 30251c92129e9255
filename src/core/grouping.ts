import { ACTIVE_STATUSES, CANCELLABLE_STATUSES, KNOWN_STATUSES } from './batchFacts';
import type { Batch } from './types';

/** The status string used for grouping; a missing status is grouped as `unknown`. */
export function statusOf(batch: Batch): string {
  return typeof batch.status === 'string' && batch.status.trim() !== '' ? batch.status : 'unknown';
}

export function isActive(batch: Batch): boolean {
  return ACTIVE_STATUSES.has(statusOf(batch));
}

export function isCancellable(batch: Batch): boolean {
  return CANCELLABLE_STATUSES.has(statusOf(batch));
}

export interface StatusGroup {
  status: string;
  batches: Batch[];
}

/**
 * Groups batches by status, in {@link KNOWN_STATUSES} order, then any status the API adds later in
 * alphabetical order. Only statuses with at least one batch appear. Batches keep their
 * incoming (newest-first) order inside a group.
 */
export function groupByStatus(batches: readonly Batch[]): StatusGroup[] {
  const groups = new Map<string, Batch[]>();
  for (const batch of batches) {
    const status = statusOf(batch);
    let list = groups.get(status);
    if (!list) groups.set(status, (list = []));
    list.push(batch);
  }
  return [...groups.keys()].sort(compareStatuses).map((status) => ({ status, batches: groups.get(status)! }));
}

const STATUS_RANK: ReadonlyMap<string, number> = new Map(KNOWN_STATUSES.map((status, rank) => [status, rank]));

function compareStatuses(a: string, b: string): number {
  const ra = STATUS_RANK.get(a);
  const rb = STATUS_RANK.get(b);
  if (ra !== undefined && rb !== undefined) return ra - rb;
  if (ra !== undefined) return -1;
  if (rb !== undefined) return 1;
  return a.localeCompare(b);
}
