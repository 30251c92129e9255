import type { Batch } from './types';

/** Display order of the status groups: work still moving first, then the finished states. */
export const STATUS_ORDER = ['validating', 'in_progress', 'finalizing', 'cancelling', 'completed', 'failed', 'expired', 'cancelled'];

export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['validating', 'in_progress', 'finalizing', 'cancelling']);
export const CANCELLABLE_STATUSES: ReadonlySet<string> = new Set(['validating', 'in_progress', 'finalizing']);

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
 * Groups batches by status, in {@link STATUS_ORDER}, then any status the API adds later in
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
  const ia = STATUS_ORDER.indexOf(a);
  const ib = STATUS_ORDER.indexOf(b);
  if (ia !== -1 && ib !== -1) return ia - ib;
  if (ia !== -1) return -1;
  if (ib !== -1) return 1;
  return a.localeCompare(b);
}
