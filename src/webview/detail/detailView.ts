import { batchErrorItems, FILE_ROLES, fileIdOf, TIMELINE_STEPS } from '../../core/batches/batchFacts';
import { batchLabel, batchPresentation, countsOf, failureVerdict, humanizeStatus } from '../../core/batches/batchDisplay';
import { formatTimestamp, relativeTime, unixSeconds } from '../../core/util/time';
import { formatBytes } from '../../core/util/text';
import { isActive, isCancellable, statusOf } from '../../core/batches/grouping';
import { isRecord } from '../../core/util/json';
import type { Batch, FileObject } from '../../core/api/types';
import { type DetailView, type FileRow, MAX_ERROR_ROWS, type Moment } from './protocol';

/** What `GET /files/{id}` said about a file. */
export interface FileInfo {
  filename: string | null;
  bytes: number | null;
  /** Unix seconds; null when the file does not expire (or the provider does not say). */
  expiresAt: number | null;
}

/** The parts of a file object the detail page shows, read defensively. */
export function fileInfoOf(file: FileObject): FileInfo {
  return {
    filename: typeof file.filename === 'string' ? file.filename : null,
    bytes: typeof file.bytes === 'number' && Number.isFinite(file.bytes) && file.bytes >= 0 ? file.bytes : null,
    expiresAt: unixSeconds(file.expires_at) ?? null,
  };
}

/** The detail page's view of a batch at `now` (ms): every label, count and time it shows, formatted here. */
export function detailView(batch: Batch, now: number, fileInfo: ReadonlyMap<string, FileInfo>): DetailView {
  const errorFileId = fileIdOf(batch, 'error');
  const errorFileBytes = errorFileId ? fileInfo.get(errorFileId)?.bytes : undefined;
  const failures = failuresOf(batch, errorFileBytes);
  const errors = batchErrorItems(batch);
  return {
    label: batchLabel(batch),
    status: humanizeStatus(statusOf(batch)) + (failures ? ' with failures' : ''),
    color: batchPresentation(batch, errorFileBytes).color,
    cancellable: isCancellable(batch),
    failures,
    requests: isRecord(batch.request_counts) ? countsOf(batch) : undefined,
    timeline: timeline(batch, now),
    expires: isActive(batch) ? moment(batch.expires_at, now) : undefined,
    files: FILE_ROLES.map(({ role, label }): FileRow => {
      const id = fileIdOf(batch, role);
      const row: FileRow = { role, label, copy: `${role}FileId` };
      if (!id) return row;
      const info = fileInfo.get(id);
      const expires = moment(info?.expiresAt, now);
      return { ...row, id, about: about(info), ...(expires && { expires: { ...expires, expired: expires.seconds * 1000 <= now } }) };
    }),
    errors: errors.length ? { rows: errors.slice(0, MAX_ERROR_ROWS), total: errors.length } : undefined,
  };
}

function moment(value: unknown, now: number): Moment | undefined {
  const seconds = unixSeconds(value);
  const text = formatTimestamp(seconds);
  return text && seconds !== undefined ? { seconds, text, relative: relativeTime(seconds, now) } : undefined;
}

function timeline(batch: Batch, now: number): DetailView['timeline'] {
  return TIMELINE_STEPS.flatMap(([key, label], order) => {
    const at = moment(batch[key], now);
    return at ? [{ label, at, order }] : [];
  })
    .sort((a, b) => a.at.seconds - b.at.seconds || a.order - b.order)
    .map(({ label, at }) => ({ label, at }));
}

function failuresOf(batch: Batch, errorFileBytes: number | null | undefined): DetailView['failures'] {
  switch (failureVerdict(batch, errorFileBytes)) {
    case 'all':
      return { kind: 'all' };
    case 'some': {
      const { failed, total } = countsOf(batch);
      if (failed > 0) return { kind: 'some', failed, total };
      // No counts were reported: only the error file's size says that something failed.
      return { kind: 'unreported', errorFileSize: formatBytes(errorFileBytes ?? 0) };
    }
    default:
      return undefined;
  }
}

function about(info: FileInfo | undefined): string | undefined {
  if (!info) return undefined;
  const parts: string[] = [];
  if (info.filename) parts.push(info.filename);
  if (info.bytes !== null && info.bytes >= 0) parts.push(formatBytes(info.bytes));
  return parts.length ? parts.join(' · ') : undefined;
}
