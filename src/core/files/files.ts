import { type FileRole, FILE_ROLES, batchFiles } from '../batches/batchFacts';
import { batchLabel, humanizeStatus } from '../batches/batchDisplay';
import { formatTimestamp, relativeTime, unixSeconds } from '../util/time';
import { formatBytes, ID_HOVER_MAX, ID_MAX, markdownCode, markdownText, plainText, shortId } from '../util/text';
import { isActive, statusOf } from '../batches/grouping';
import type { Batch, FileObject } from '../api/types';

/** The purposes the Files view lists: batch inputs, and the output and error files batches write. */
export const FILE_PURPOSES = ['batch', 'batch_output'] as const;

const DAY_SECONDS = 86_400;

/** A file that expires within this many seconds is marked as expiring soon. */
export const EXPIRING_SOON_SECONDS = 7 * DAY_SECONDS;

/**
 * How far back the loaded batches must reach before "no loaded batch uses this file" is trusted to
 * mean "no active batch uses it": a batch runs at most its 24 h completion window (plus
 * validating and finalizing), so every batch still active was created within this span.
 */
export const ACTIVE_WINDOW_SECONDS = 3 * DAY_SECONDS;

/** One batch using a file, and how. */
export interface FileUse {
  batch: Batch;
  role: FileRole;
}

/** Which loaded batches use each file id (as input, output or errors), in the order the batches are given. */
export function fileUsage(batches: readonly Batch[]): Map<string, FileUse[]> {
  const usage = new Map<string, FileUse[]>();
  for (const batch of batches) {
    for (const { role, id } of batchFiles(batch)) {
      const uses = usage.get(id);
      if (uses) uses.push({ batch, role });
      else usage.set(id, [{ batch, role }]);
    }
  }
  return usage;
}

/**
 * The uses that forbid deleting the file: by a batch that is still validating, running,
 * finalizing or cancelling (it still reads its input and writes its outputs).
 */
export function activeUses(uses: readonly FileUse[] | undefined): FileUse[] {
  return (uses ?? []).filter((use) => isActive(use.batch));
}

/** `input file`, `output file`, `error file`. */
export function roleName(role: FileRole): string {
  return FILE_ROLES.find((entry) => entry.role === role)!.label.toLowerCase();
}

/** The file's name (API text, sanitised), else its shortened id. */
export function fileLabel(file: FileObject): string {
  return plainText(file.filename, 120) || plainText(shortId(file.id)) || 'Unnamed file';
}

/** `expires in 3 days`, `expired`; undefined when the file does not expire (or says nothing readable). */
export function expiryText(file: FileObject, nowMs = Date.now()): string | undefined {
  const expiresAt = unixSeconds(file.expires_at);
  if (expiresAt === undefined) return undefined;
  return expiresAt * 1000 <= nowMs ? 'expired' : `expires ${relativeTime(expiresAt, nowMs)}`;
}

export type ExpiryState = 'none' | 'later' | 'soon' | 'expired';

/** Whether and how soon the file expires ({@link EXPIRING_SOON_SECONDS}). */
export function expiryState(file: FileObject, nowMs = Date.now()): ExpiryState {
  const expiresAt = unixSeconds(file.expires_at);
  if (expiresAt === undefined) return 'none';
  const left = expiresAt - nowMs / 1000;
  return left <= 0 ? 'expired' : left <= EXPIRING_SOON_SECONDS ? 'soon' : 'later';
}

/** `1.2 KB · 3 days ago · expires in 3 days · not used by any loaded batch`, as plain text. */
export function fileDescription(file: FileObject, uses: readonly FileUse[] | undefined, nowMs = Date.now()): string {
  const parts: string[] = [];
  if (typeof file.bytes === 'number' && Number.isFinite(file.bytes) && file.bytes >= 0) parts.push(formatBytes(file.bytes));
  const created = unixSeconds(file.created_at);
  if (created !== undefined) parts.push(relativeTime(created, nowMs));
  const expiry = expiryText(file, nowMs);
  if (expiry) parts.push(expiry);
  if (!uses?.length) parts.push('not used by any loaded batch');
  return parts.join(' · ');
}

/** `input of "Nightly eval" (in progress)`: one use, as plain text. */
export function useText(use: FileUse): string {
  return `${use.role === 'error' ? 'errors' : use.role} of "${batchLabel(use.batch)}" (${humanizeStatus(statusOf(use.batch)).toLowerCase()})`;
}

/** The hover of a file node: name, id, purpose, size, times, and the batches using it. Every API string escaped. */
export function fileTooltipMarkdown(file: FileObject, uses: readonly FileUse[] | undefined, nowMs = Date.now()): string {
  const lines: string[] = [`**${markdownText(fileLabel(file))}**`, ''];
  const row = (name: string, value: string | undefined): void => {
    if (value) lines.push(`${name}: ${value}  `);
  };
  row('ID', markdownCode(file.id, ID_HOVER_MAX));
  if (file.purpose) row('Purpose', markdownText(file.purpose, 60));
  if (typeof file.bytes === 'number') row('Size', formatBytes(file.bytes));
  const created = unixSeconds(file.created_at);
  if (created !== undefined) row('Created', `${formatTimestamp(created)} (${relativeTime(created, nowMs)})`);
  const expires = unixSeconds(file.expires_at);
  if (expires !== undefined)
    row(expires * 1000 <= nowMs ? 'Expired' : 'Expires', `${formatTimestamp(expires)} (${relativeTime(expires, nowMs)})`);
  lines.push('');
  if (!uses?.length) lines.push('Not used by any loaded batch.');
  else {
    lines.push('Used by:', '');
    for (const use of uses) lines.push(`- ${markdownText(useText(use), 300)}`);
  }
  return lines.join('\n');
}

/**
 * Why a file must not be deleted, or undefined when nothing loaded forbids it: a plain-text
 * sentence naming the active batches that use it.
 */
export function deleteRefusal(file: { id: string; filename?: string | null }, uses: readonly FileUse[] | undefined): string | undefined {
  const active = activeUses(uses);
  if (active.length === 0) return undefined;
  const name = plainText(file.filename, 120) || plainText(shortId(file.id), ID_MAX);
  const listed = active.slice(0, 3).map(useText).join(', ');
  const more = active.length > 3 ? ` and ${active.length - 3} more` : '';
  return `"${name}" is still in use: ${listed}${more}. A file cannot be deleted while a validating, in-progress, finalizing or cancelling batch uses it.`;
}

/**
 * Whether the loaded batches include every batch that can still be active: the server said all
 * pages are loaded (`incomplete` false), or the oldest loaded batch is older than
 * {@link ACTIVE_WINDOW_SECONDS}. Until then, "no loaded batch uses it" says nothing about the
 * batches not loaded yet.
 */
export function coversActiveBatches(batches: readonly Batch[], incomplete: boolean, nowMs = Date.now()): boolean {
  if (!incomplete) return true;
  let oldest = Infinity;
  for (const batch of batches) {
    const created = unixSeconds(batch.created_at);
    if (created !== undefined && created < oldest) oldest = created;
  }
  return oldest < nowMs / 1000 - ACTIVE_WINDOW_SECONDS;
}

export interface BulkDeleteOptions {
  /** Only files created more than this many days ago. */
  olderThanDays: number;
  nowMs?: number;
}

/**
 * The files a bulk delete offers: created more than `olderThanDays` ago (files without a readable
 * creation time are left out) and not used by any active loaded batch. Input, output and error
 * files of finished batches qualify; the caller makes sure the loaded batches cover every batch
 * that can still be active ({@link coversActiveBatches}).
 */
export function bulkDeleteCandidates(files: readonly FileObject[], batches: readonly Batch[], options: BulkDeleteOptions): FileObject[] {
  const cutoff = (options.nowMs ?? Date.now()) / 1000 - options.olderThanDays * DAY_SECONDS;
  const usage = fileUsage(batches);
  return files.filter((file) => {
    const created = unixSeconds(file.created_at);
    return created !== undefined && created < cutoff && activeUses(usage.get(file.id)).length === 0;
  });
}

/** `Delete 37 files not used by any active batch, older than 30 days?` */
export function bulkDeleteQuestion(count: number, olderThanDays: number): string {
  return `Delete ${count.toLocaleString('en-US')} file${count === 1 ? '' : 's'} not used by any active batch, older than ${olderThanDays} day${olderThanDays === 1 ? '' : 's'}?`;
}

/** Merges newest-first lists into one, newest first, each id once (a provider may list a file under both purposes). */
export function mergeNewestFirst(lists: readonly (readonly FileObject[])[]): FileObject[] {
  const seen = new Set<string>();
  const merged: FileObject[] = [];
  for (const list of lists) {
    for (const file of list) {
      if (seen.has(file.id)) continue;
      seen.add(file.id);
      merged.push(file);
    }
  }
  // Stable: files with the same time (or none, last) keep their list order.
  return merged
    .map((file, position) => ({ file, position, created: unixSeconds(file.created_at) ?? -Infinity }))
    .sort((a, b) => b.created - a.created || a.position - b.position)
    .map((entry) => entry.file);
}
