import { FILE_ROLES, fileIdOf } from './batchFacts';
import { statusOf } from './grouping';
import { isRecord } from '../util/json';
import type { Batch, FileObject, KnownBatchStatus } from '../api/types';
import { ID_HOVER_MAX, ID_LABEL_MAX, ID_MAX, markdownCode, markdownText, plainText, shortId } from '../util/text';
import { formatTimestamp, relativeTime, unixSeconds } from '../util/time';

/** `in_progress` → `In progress`; unknown statuses are humanised the same way, never dropped. */
export function humanizeStatus(status: string): string {
  // plainText strips bidi overrides and zero-width characters, so a status cannot reorder its label.
  const words = plainText(status.replace(/[_-]+/g, ' '), 60);
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Unknown';
}

/** A batch's status inside a sentence: `in progress`, `completed`. */
export function statusPhrase(batch: Batch): string {
  return humanizeStatus(statusOf(batch)).toLowerCase();
}

/** The name a person gave the batch (metadata description or name), else its id; as {@link plainText}. */
export function batchLabel(batch: Batch): string {
  const metadata = isRecord(batch.metadata) ? batch.metadata : undefined;
  if (metadata) {
    for (const key of LABEL_KEYS) {
      const value = metadata[key];
      const label = typeof value === 'string' ? plainText(value, 80) : '';
      if (label) return label;
    }
  }
  return plainText(shortId(batch.id), ID_LABEL_MAX) || 'Unnamed batch';
}

/** The metadata a label is taken from, first found first. */
const LABEL_KEYS = ['description', 'name', 'title'] as const;

/** Endpoints as tree descriptions show them: a handful of distinct values across thousands of batches. */
const endpointTexts = new Map<string, string>();

function endpointText(endpoint: string): string {
  let text = endpointTexts.get(endpoint);
  if (text === undefined) {
    text = plainText(endpoint, 40);
    // Bounded: a provider with endless endpoint strings only loses the shortcut.
    if (endpointTexts.size < 64) endpointTexts.set(endpoint, text);
  }
  return text;
}

/** `5 minutes ago` for the batch's creation time, or '' when the provider sent none that can be read. */
export function createdAgo(batch: Batch, nowMs = Date.now()): string {
  const created = unixSeconds(batch.created_at);
  return created === undefined ? '' : relativeTime(created, nowMs);
}

/** Newest `created_at` first, whether a provider sends unix seconds or ISO-8601 strings; batches without a time last. */
export function compareNewestFirst(a: Batch, b: Batch): number {
  return (unixSeconds(b.created_at) ?? 0) - (unixSeconds(a.created_at) ?? 0);
}

export interface Counts {
  total: number;
  completed: number;
  failed: number;
}

/** Request counts with missing or malformed fields read as 0. */
export function countsOf(batch: Batch): Counts {
  const raw = isRecord(batch.request_counts) ? batch.request_counts : undefined;
  return { total: countValue(raw?.total), completed: countValue(raw?.completed), failed: countValue(raw?.failed) };
}

function countValue(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

/**
 * Tree description: endpoint, age, progress and failures, e.g. `/v1/chat/completions · 2 hours ago · 570/575 · 5 failed`.
 * `progress` replaces the counts (e.g. `1,240/5,000 · ~18 min left`, from `progressRate.progressShort`).
 */
export function batchDescription(batch: Batch, nowMs = Date.now(), progress?: string): string {
  // Concatenated, not an array joined: this runs for every node of a large tree.
  let text = typeof batch.endpoint === 'string' && batch.endpoint ? endpointText(batch.endpoint) : '';
  const created = unixSeconds(batch.created_at);
  if (created !== undefined) text = joinPart(text, relativeTime(created, nowMs));
  const counts = countsOf(batch);
  if (batch.request_counts) text = joinPart(text, progress ?? `${counts.completed}/${counts.total}`);
  if (counts.failed > 0) text = joinPart(text, `${counts.failed} failed`);
  return text;
}

function joinPart(text: string, part: string): string {
  return text === '' ? part : `${text} · ${part}`;
}

/** Whether the API reported request counts at all (some providers send `request_counts: null`). */
export function countsReported(batch: Batch): boolean {
  return isRecord(batch.request_counts) && typeof batch.request_counts.failed === 'number';
}

/** What a completed batch's requests came to; `unknown` until the size of its error file is known. */
export type FailureVerdict = 'none' | 'some' | 'all' | 'unknown';

/**
 * Whether a completed batch had failed requests. The request counts decide first. Without them
 * an error file decides, but only by its size (`errorFileBytes`, from `GET /files/{id}`): Azure
 * attaches an empty error file to batches where nothing failed. A completed batch with only an
 * error file (every request failed) reads as `all`.
 */
export function failureVerdict(batch: Batch, errorFileBytes?: number | null): FailureVerdict {
  if (statusOf(batch) !== 'completed') return 'none';
  const hasOutput = !!fileIdOf(batch, 'output');
  if (countsOf(batch).failed > 0) return hasOutput ? 'some' : 'all';
  if (!fileIdOf(batch, 'error') || errorFileBytes === 0) return 'none';
  if (!hasOutput) return 'all';
  if (countsReported(batch)) return 'none';
  return typeof errorFileBytes === 'number' && errorFileBytes > 0 ? 'some' : 'unknown';
}

/**
 * A completed batch whose every request failed has no output file, only an error file;
 * it must read as a warning, not a success. Also true when some requests failed.
 */
export function completedWithFailures(batch: Batch, errorFileBytes?: number | null): boolean {
  const verdict = failureVerdict(batch, errorFileBytes);
  return verdict === 'some' || verdict === 'all';
}

export interface StatusPresentation {
  /** A codicon id. */
  icon: string;
  /** A theme colour id, or undefined for the default foreground. */
  color?: string;
}

// A Map, not an object: a status named `constructor` or `__proto__` must not find Object.prototype's members.
const STATUS_PRESENTATION: ReadonlyMap<string, StatusPresentation> = new Map(
  Object.entries({
    validating: { icon: 'loading~spin', color: 'charts.blue' },
    in_progress: { icon: 'sync~spin', color: 'charts.blue' },
    finalizing: { icon: 'loading~spin', color: 'charts.purple' },
    cancelling: { icon: 'circle-slash', color: 'charts.orange' },
    completed: { icon: 'pass', color: 'testing.iconPassed' },
    failed: { icon: 'error', color: 'testing.iconFailed' },
    expired: { icon: 'history', color: 'charts.yellow' },
    cancelled: { icon: 'circle-slash', color: 'disabledForeground' },
  } satisfies Record<KnownBatchStatus, StatusPresentation>),
);

/** Icon and colour for a status group. */
export function statusPresentation(status: string): StatusPresentation {
  return STATUS_PRESENTATION.get(status) ?? { icon: 'question' };
}

/** Icon and colour for one batch: like its status, but a completed batch with failures is a warning. */
export function batchPresentation(batch: Batch, errorFileBytes?: number | null): StatusPresentation {
  if (completedWithFailures(batch, errorFileBytes)) {
    return !fileIdOf(batch, 'output')
      ? { icon: 'warning', color: 'list.warningForeground' }
      : { icon: 'pass', color: 'list.warningForeground' };
  }
  return statusPresentation(statusOf(batch));
}

/** The Markdown tooltip of a batch node: id, status, times, counts, files, model. All API strings escaped. */
export function batchTooltipMarkdown(batch: Batch, nowMs = Date.now(), errorFileBytes?: number | null): string {
  const e = markdownText;
  const code = markdownCode;
  const counts = countsOf(batch);
  const lines: string[] = [`**${e(batchLabel(batch))}**`, ''];
  const row = (name: string, value: string | undefined): void => {
    if (value) lines.push(`${name}: ${value}  `);
  };
  row('ID', code(batch.id, ID_HOVER_MAX));
  row('Status', e(humanizeStatus(statusOf(batch))) + (completedWithFailures(batch, errorFileBytes) ? ' (with failures)' : ''));
  if (typeof batch.endpoint === 'string') row('Endpoint', e(batch.endpoint));
  if (typeof batch.model === 'string') row('Model', e(batch.model));
  if (batch.request_counts) row('Requests', `${counts.completed} completed, ${counts.failed} failed, ${counts.total} total`);
  for (const [name, key] of [
    ['Created', 'created_at'],
    ['Completed', 'completed_at'],
    ['Failed', 'failed_at'],
    ['Expired', 'expired_at'],
    ['Cancelled', 'cancelled_at'],
    ['Expires', 'expires_at'],
  ] as const) {
    const seconds = unixSeconds(batch[key]);
    if (seconds !== undefined) row(name, `${formatTimestamp(seconds)} (${relativeTime(seconds, nowMs)})`);
  }
  for (const { role, label } of FILE_ROLES) {
    const id = fileIdOf(batch, role);
    if (id) row(label, code(id, ID_HOVER_MAX));
  }
  return lines.join('\n');
}

/**
 * What to say instead of a bare 404 when a file's content is gone because it expired: its id,
 * and when it expired, from `file` (`GET /files/{id}`). Undefined when the file has not expired
 * (or does not say when it does).
 */
export function expiredFileMessage(fileId: string, file: FileObject | undefined, nowMs = Date.now()): string | undefined {
  const expiresAt = unixSeconds(file?.expires_at);
  if (expiresAt === undefined || expiresAt * 1000 > nowMs) return undefined;
  // A long id is shortened, so that a toast still shows when the file expired.
  return `File ${plainText(shortId(fileId), ID_MAX)} expired ${relativeTime(expiresAt, nowMs)} (${formatTimestamp(expiresAt)}): the provider no longer has its content.`;
}
