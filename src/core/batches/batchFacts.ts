import type { Batch, KnownBatchStatus } from '../api/types';

/**
 * What the extension knows about each documented batch status, in display order: work still
 * moving first, then the finished states. Statuses a provider adds later are kept as plain
 * strings and are neither active nor finished (see grouping.ts).
 */
export const STATUS_FACTS = [
  { status: 'validating', active: true, cancellable: true },
  { status: 'in_progress', active: true, cancellable: true },
  { status: 'finalizing', active: true, cancellable: true },
  { status: 'cancelling', active: true, cancellable: false },
  { status: 'completed', active: false, cancellable: false },
  { status: 'failed', active: false, cancellable: false },
  { status: 'expired', active: false, cancellable: false },
  { status: 'cancelled', active: false, cancellable: false },
] as const satisfies readonly { status: KnownBatchStatus; active: boolean; cancellable: boolean }[];

/** Statuses documented by the Batch API, in display order. */
export const KNOWN_STATUSES: readonly KnownBatchStatus[] = STATUS_FACTS.map((fact) => fact.status);
/** Work still moving: polled by auto-refresh, expanded in the tree. */
export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(STATUS_FACTS.filter((fact) => fact.active).map((fact) => fact.status));
export const CANCELLABLE_STATUSES: ReadonlySet<string> = new Set(
  STATUS_FACTS.filter((fact) => fact.cancellable).map((fact) => fact.status),
);
/** Finished for good: such a batch never changes again, so it need not be fetched again. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(STATUS_FACTS.filter((fact) => !fact.active).map((fact) => fact.status));

/** The files a batch refers to, one row per role, in the order they are shown. */
/** A batch's lifecycle timestamps and their labels, in the order they happen. */
export const TIMELINE_STEPS = [
  ['created_at', 'Created'],
  ['in_progress_at', 'In progress'],
  ['finalizing_at', 'Finalizing'],
  ['cancelling_at', 'Cancelling'],
  ['completed_at', 'Completed'],
  ['failed_at', 'Failed'],
  ['expired_at', 'Expired'],
  ['cancelled_at', 'Cancelled'],
] as const;

export const FILE_ROLES = [
  { role: 'input', field: 'input_file_id', label: 'Input file' },
  { role: 'output', field: 'output_file_id', label: 'Output file' },
  { role: 'error', field: 'error_file_id', label: 'Error file' },
] as const;

export type FileRole = (typeof FILE_ROLES)[number]['role'];

/** The file id a batch has in `role`, when the API sent one. */
export function fileIdOf(batch: Batch, role: FileRole): string | undefined {
  const id = batch[FILE_ROLES.find((entry) => entry.role === role)!.field];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The batch's files that exist, with their roles, in {@link FILE_ROLES} order. */
export function batchFiles(batch: Batch): { role: FileRole; id: string }[] {
  return FILE_ROLES.flatMap(({ role }) => {
    const id = fileIdOf(batch, role);
    return id ? [{ role, id }] : [];
  });
}
