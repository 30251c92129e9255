import { ACTIVE_STATUSES, CANCELLABLE_STATUSES, KNOWN_STATUSES } from './batchFacts';
import type { Batch } from '../api/types';

/** The status string used for grouping; a missing status is grouped as `unknown`. See {@link canonicalStatus}. */
export function statusOf(batch: Batch): string {
  return typeof batch.status === 'string' && batch.status.trim() !== '' ? canonicalStatus(batch.status) : 'unknown';
}

const STATUS_RANK: ReadonlyMap<string, number> = new Map(KNOWN_STATUSES.map((status, rank) => [status, rank]));

// A Map, not an object: a status named `constructor` must not find Object.prototype's members.
const CANONICAL: ReadonlyMap<string, string> = new Map([
  ...KNOWN_STATUSES.map((status): [string, string] => [status, status]),
  // American spellings, as some compatible servers write them.
  ['canceled', 'cancelled'],
  ['canceling', 'cancelling'],
]);

/**
 * A documented status however a provider wrote it (`Completed`, `IN_PROGRESS`, `in-progress`,
 * `In Progress`, `canceled`) as the API's own spelling, so it groups, filters and polls like
 * one. Any other status is kept exactly as sent: never dropped, never merged with another.
 */
export function canonicalStatus(status: string): string {
  // The common case first: the API's own spelling.
  if (STATUS_RANK.has(status)) return status;
  return (
    CANONICAL.get(
      status
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_'),
    ) ?? status
  );
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

function compareStatuses(a: string, b: string): number {
  const ra = STATUS_RANK.get(a);
  const rb = STATUS_RANK.get(b);
  if (ra !== undefined && rb !== undefined) return ra - rb;
  if (ra !== undefined) return -1;
  if (rb !== undefined) return 1;
  return a.localeCompare(b);
}
