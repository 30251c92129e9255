import { FILE_ROLES, fileIdOf } from '../../core/batchFacts';
import {
  batchLabel,
  batchPresentation,
  completedWithFailures,
  countsOf,
  formatBytes,
  formatTimestamp,
  humanizeStatus,
  relativeTime,
} from '../../core/format';
import { isActive, isCancellable, statusOf } from '../../core/grouping';
import { isRecord } from '../../core/json';
import type { Batch } from '../../core/types';
import type { DetailView, FileRow, Moment } from './protocol';

/** What `GET /files/{id}` said about a file. */
export interface FileInfo {
  filename: string | null;
  bytes: number | null;
}

const TIMELINE_STEPS = [
  ['created_at', 'Created'],
  ['in_progress_at', 'In progress'],
  ['finalizing_at', 'Finalizing'],
  ['cancelling_at', 'Cancelling'],
  ['completed_at', 'Completed'],
  ['failed_at', 'Failed'],
  ['expired_at', 'Expired'],
  ['cancelled_at', 'Cancelled'],
] as const;

/** The detail page's view of a batch at `now` (ms): every label, count and time it shows, formatted here. */
export function detailView(batch: Batch, now: number, fileInfo: ReadonlyMap<string, FileInfo>): DetailView {
  return {
    label: batchLabel(batch),
    status: humanizeStatus(statusOf(batch)) + (completedWithFailures(batch) ? ' with failures' : ''),
    color: batchPresentation(batch).color,
    cancellable: isCancellable(batch),
    failures: failuresOf(batch),
    requests: isRecord(batch.request_counts) ? countsOf(batch) : undefined,
    timeline: timeline(batch, now),
    expires: isActive(batch) ? moment(batch.expires_at, now) : undefined,
    files: FILE_ROLES.map(({ role, label }): FileRow => {
      const id = fileIdOf(batch, role);
      const row: FileRow = { role, label, copy: `${role}FileId` };
      return id ? { ...row, id, about: about(fileInfo.get(id)) } : row;
    }),
  };
}

function moment(seconds: number | null | undefined, now: number): Moment | undefined {
  const text = formatTimestamp(seconds);
  return text && typeof seconds === 'number' ? { seconds, text, relative: relativeTime(seconds, now) } : undefined;
}

function timeline(batch: Batch, now: number): DetailView['timeline'] {
  return TIMELINE_STEPS.flatMap(([key, label], order) => {
    const at = moment(batch[key], now);
    return at ? [{ label, at, order }] : [];
  })
    .sort((a, b) => a.at.seconds - b.at.seconds || a.order - b.order)
    .map(({ label, at }) => ({ label, at }));
}

function failuresOf(batch: Batch): DetailView['failures'] {
  if (statusOf(batch) !== 'completed') return undefined;
  if (!fileIdOf(batch, 'output') && fileIdOf(batch, 'error')) return { kind: 'all' };
  const { failed, total } = countsOf(batch);
  return failed > 0 ? { kind: 'some', failed, total } : undefined;
}

function about(info: FileInfo | undefined): string | undefined {
  if (!info) return undefined;
  const parts: string[] = [];
  if (info.filename) parts.push(info.filename);
  if (info.bytes !== null && info.bytes >= 0) parts.push(formatBytes(info.bytes));
  return parts.length ? parts.join(' · ') : undefined;
}
