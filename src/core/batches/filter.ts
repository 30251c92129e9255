import { batchFiles } from './batchFacts';
import { statusOf } from './grouping';
import type { Batch } from '../api/types';

/** What the tree shows of the loaded batches. Empty fields match everything. */
export interface BatchFilter {
  /** Case-insensitive text matched against id, metadata values, file ids, endpoint and model. */
  text?: string;
  statuses?: string[];
  endpoints?: string[];
}

export function isFilterActive(filter: BatchFilter | undefined): filter is BatchFilter {
  return !!filter && (!!filter.text?.trim() || !!filter.statuses?.length || !!filter.endpoints?.length);
}

export function matchesFilter(batch: Batch, filter: BatchFilter): boolean {
  if (filter.statuses?.length && !filter.statuses.includes(statusOf(batch))) return false;
  if (filter.endpoints?.length && !filter.endpoints.includes(String(batch.endpoint ?? ''))) return false;
  const needle = filter.text?.trim().toLowerCase();
  if (!needle) return true;
  const haystack = [
    batch.id,
    ...batchFiles(batch).map((file) => file.id),
    batch.endpoint,
    batch.model,
    ...Object.values(batch.metadata ?? {}),
  ];
  return haystack.some((value) => typeof value === 'string' && value.toLowerCase().includes(needle));
}

/** A short description of an active filter for the view's description, e.g. `status: failed · "eval"`. */
export function describeFilter(filter: BatchFilter): string {
  const parts: string[] = [];
  if (filter.statuses?.length) parts.push(`status: ${filter.statuses.join(', ')}`);
  if (filter.endpoints?.length) parts.push(`endpoint: ${filter.endpoints.join(', ')}`);
  if (filter.text?.trim()) parts.push(`"${filter.text.trim()}"`);
  return parts.join(' · ');
}
