import { createHash } from 'node:crypto';
import { FILE_ROLES, fileIdOf, type KnownBatchStatus } from './batchFacts';
import { statusOf } from './grouping';
import { isRecord } from './json';
import type { Batch, FileObject } from './types';

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
  for (const key of ['description', 'name', 'title']) {
    const value = metadata?.[key];
    const label = typeof value === 'string' ? plainText(value, 80) : '';
    if (label) return label;
  }
  return plainText(shortId(batch.id), ID_LABEL_MAX) || 'Unnamed batch';
}

/** Ids longer than this are shortened in labels (some providers' ids have 200+ characters). */
const ID_LABEL_MAX = 40;
/** How much of a long id's start a label keeps; the rest of the room goes to its end. */
const ID_LABEL_HEAD = 8;

/**
 * An id short enough for a label: a long one keeps a little of its start and mostly its end,
 * because ids that encode routing facts (LiteLLM's base64 ids) begin alike and differ at the end,
 * and a narrow view shows only a label's beginning. Hovers and copies keep the whole id.
 */
export function shortId(id: unknown, max = ID_LABEL_MAX): string {
  const text = typeof id === 'string' ? id : '';
  if (text.length <= max) return text;
  const head = Math.min(ID_LABEL_HEAD, Math.floor((max - 1) / 2));
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

/** `5 minutes ago`, `in 3 hours`; times are unix seconds. */
export function relativeTime(unixSeconds: number, nowMs = Date.now()): string {
  const deltaSeconds = Math.round(unixSeconds - nowMs / 1000);
  const abs = Math.abs(deltaSeconds);
  const units: [number, string][] = [
    [60 * 60 * 24 * 365, 'year'],
    [60 * 60 * 24 * 30, 'month'],
    [60 * 60 * 24 * 7, 'week'],
    [60 * 60 * 24, 'day'],
    [60 * 60, 'hour'],
    [60, 'minute'],
  ];
  if (abs < 45) return 'just now';
  for (const [size, name] of units) {
    if (abs >= size) {
      const count = Math.round(abs / size);
      const text = `${count} ${name}${count === 1 ? '' : 's'}`;
      return deltaSeconds < 0 ? `${text} ago` : `in ${text}`;
    }
  }
  const minutes = Math.max(1, Math.round(abs / 60));
  return deltaSeconds < 0 ? `${minutes} minute${minutes === 1 ? '' : 's'} ago` : `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** Above this a number cannot be unix seconds (it would be after the year 5000): it is milliseconds. */
const MILLISECONDS_FROM = 1e11;
/** Timestamps before 2000 are not batch times: a 0, a small count or a day number sent in a time field. */
const EARLIEST_SECONDS = 946_684_800;
// The last second `Date` can represent.
const LATEST_SECONDS = 8.64e12;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A timestamp as unix seconds, whatever a provider sent: unix seconds (OpenAI), milliseconds,
 * a numeric string, or an ISO-8601 string (some compatible servers). Anything else, and times
 * before 2000 or beyond what a Date can hold, is undefined: never 1970, never NaN.
 */
export function unixSeconds(value: unknown): number | undefined {
  let seconds: number | undefined;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+(?:\.\d+)?$/.test(text)) seconds = Number(text);
    else if (ISO_DATE.test(text)) {
      // A date-time without an offset is read as UTC, as the API's own times are.
      const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) || !text.includes(':') ? text : `${text}Z`;
      seconds = Date.parse(withZone.replace(' ', 'T')) / 1000;
    }
  }
  if (seconds === undefined || !Number.isFinite(seconds)) return undefined;
  if (seconds >= MILLISECONDS_FROM) seconds /= 1000;
  return seconds >= EARLIEST_SECONDS && seconds <= LATEST_SECONDS ? seconds : undefined;
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

/** ISO-like UTC time for tooltips and the detail panel, or undefined when not a valid timestamp (see {@link unixSeconds}). */
export function formatTimestamp(value: unknown): string | undefined {
  const seconds = unixSeconds(value);
  if (seconds === undefined) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  // getUTC* and padding, not toISOString + replace: this runs for every node of large trees.
  const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}

export interface Counts {
  total: number;
  completed: number;
  failed: number;
}

/** Request counts with missing or malformed fields read as 0. */
export function countsOf(batch: Batch): Counts {
  const raw = isRecord(batch.request_counts) ? batch.request_counts : undefined;
  const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);
  return { total: num(raw?.total), completed: num(raw?.completed), failed: num(raw?.failed) };
}

/**
 * Tree description: endpoint, age, progress and failures, e.g. `/v1/chat/completions · 2 hours ago · 570/575 · 5 failed`.
 * `progress` replaces the counts (e.g. `1,240/5,000 · ~18 min left`, from `progressRate.progressShort`).
 */
export function batchDescription(batch: Batch, nowMs = Date.now(), progress?: string): string {
  const parts: string[] = [];
  if (typeof batch.endpoint === 'string' && batch.endpoint) parts.push(plainText(batch.endpoint, 40));
  const created = unixSeconds(batch.created_at);
  if (created !== undefined) parts.push(relativeTime(created, nowMs));
  const counts = countsOf(batch);
  if (batch.request_counts) parts.push(progress ?? `${counts.completed}/${counts.total}`);
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  return parts.join(' · ');
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

// Control, bidi and zero-width characters, or whitespace other than single inner spaces.
// eslint-disable-next-line no-control-regex
const NEEDS_CLEANING = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]|[^\S ]| {2}|^ | $/;
// eslint-disable-next-line no-control-regex
const UNSEEN_RUNS = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** Collapses whitespace and control/bidi characters and cuts long strings, for one-line UI labels. */
export function singleLine(text: string, max = 120): string {
  // Most API strings are already clean; skip the two replaces for them (hot in large trees).
  const flat = NEEDS_CLEANING.test(text) ? text.replace(UNSEEN_RUNS, ' ').replace(/\s+/g, ' ').trim() : text;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Ids are shown whole up to this length in messages (some providers' ids have 200+ characters). */
export const ID_MAX = 300;
/** Hovers have room for more: an id is shown whole up to this length there. */
export const ID_HOVER_MAX = 1000;

// WORD JOINER: as invisible as a zero-width space, but not among the characters singleLine
// removes, so plainText(plainText(x)) === plainText(x) and composed messages stay unchanged.
const LINK_BREAK = '\u2060';

/**
 * Text from the API or a file, made safe for every surface that parses links or icons:
 * notifications and progress titles (`[label](command:…)` becomes a link there), the
 * status bar, quick picks and tree labels (`$(icon)` becomes an icon). One line, cut at
 * `max`, control and bidi characters removed; an invisible word joiner after `]` and `$`
 * breaks the link and icon syntax while the text reads the same. It also follows a `]` or
 * `$` that ends the text, since the next part of a message could begin with `(`. Markdown
 * (hovers, tooltips) uses {@link markdownText} instead.
 */
export function plainText(text: unknown, max = 200): string {
  const value = typeof text === 'string' ? text : typeof text === 'number' || typeof text === 'boolean' ? String(text) : '';
  return singleLine(value, max).replace(/[\]$](?=\s*(?:\(|$))/g, `$&${LINK_BREAK}`);
}

// `:` and `@` too: GFM turns bare `https://…`, `www.…` and e-mail addresses into links.
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>&~:@]/g;

/** Escapes text for a Markdown tooltip so API strings can never become links, images, HTML or formatting. */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKDOWN_SPECIAL, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : `\\${ch}`));
}

/** API text as one escaped Markdown line (see {@link plainText}). */
export function markdownText(text: unknown, max = 200): string {
  return escapeMarkdown(plainText(text, max));
}

/**
 * API text (an id) as a Markdown code span. One line, no backticks: a code span that a newline
 * or a backtick ended early would let the rest render as Markdown.
 */
export function markdownCode(text: unknown, max = ID_MAX): string {
  return `\`${plainText(text, max).replace(/`/g, "'")}\``;
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

/** `12.3 MB` style sizes for progress messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** Longest id kept as it is in a file name; far below the 255 bytes file systems allow, with room for a suffix. */
const FILE_STEM_MAX = 100;

/**
 * An id (API text) as a file name stem: the id itself when it is short and made of safe
 * characters (`file-abc123`), else its safe characters cut short plus a hash of the whole id,
 * so that long ids (LiteLLM's base64 ones, 200+ characters) fit a file system and two ids that
 * differ only in `+`, `/` or `=` never share a name. Never a path, never `.` or `..`.
 */
export function fileStem(id: string): string {
  if (id.length <= FILE_STEM_MAX && /^[\w-][\w.-]*$/.test(id)) return id;
  const readable = id
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return readable ? `${readable}-${hash}` : hash;
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
