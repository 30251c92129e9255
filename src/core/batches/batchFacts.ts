import { isRecord } from '../util/json';
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

/** The files a batch refers to, one row per role, in the order they are shown. */
export const FILE_ROLES = [
  { role: 'input', field: 'input_file_id', label: 'Input file' },
  { role: 'output', field: 'output_file_id', label: 'Output file' },
  { role: 'error', field: 'error_file_id', label: 'Error file' },
] as const;

export type FileRole = (typeof FILE_ROLES)[number]['role'];

/** The batch field of each role (a lookup: this runs several times for every node of a large tree). */
const FILE_FIELDS = Object.fromEntries(FILE_ROLES.map(({ role, field }) => [role, field])) as Record<
  FileRole,
  (typeof FILE_ROLES)[number]['field']
>;

/** The file id a batch has in `role`, when the API sent one. */
export function fileIdOf(batch: Batch, role: FileRole): string | undefined {
  const id = batch[FILE_FIELDS[role]];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The batch's files that exist, with their roles, in {@link FILE_ROLES} order. */
export function batchFiles(batch: Batch): { role: FileRole; id: string }[] {
  return FILE_ROLES.flatMap(({ role }) => {
    const id = fileIdOf(batch, role);
    return id ? [{ role, id }] : [];
  });
}

/** One validation error of a batch, read defensively: texts are non-empty strings, `line` a 1-based input line. */
export interface BatchError {
  code?: string;
  message?: string;
  param?: string;
  /** The input line, from a number or (Azure) a string of digits. */
  line?: number;
}

/**
 * A batch's validation errors (`errors.data`) as a list, whichever shape the provider sent: an
 * array (OpenAI) or one object (Azure's description); items that are not objects are skipped. Every reader of a batch's
 * errors (error summary, detail panel, agent text) goes through here.
 */
export function batchErrorItems(batch: Pick<Batch, 'errors'>): BatchError[] {
  const raw: unknown = isRecord(batch.errors) ? batch.errors.data : undefined;
  const items: unknown[] = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return items.flatMap((item): BatchError[] => {
    if (!isRecord(item)) return [];
    const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);
    const error: BatchError = {};
    const code = text(item.code);
    const message = text(item.message);
    const param = text(item.param);
    const line = lineOf(item.line);
    if (code !== undefined) error.code = code;
    if (message !== undefined) error.message = message;
    if (param !== undefined) error.param = param;
    if (line !== undefined) error.line = line;
    return [error];
  });
}

function lineOf(value: unknown): number | undefined {
  const line = typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value;
  return typeof line === 'number' && Number.isSafeInteger(line) && line > 0 ? line : undefined;
}
