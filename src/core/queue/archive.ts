/**
 * The expiry guardian's archive: the output and error files of finished batches saved into a
 * folder before they expire, each once. A ledger beside the queue (in the extension's storage)
 * names what was saved, written after each file, so a restart carries on where it stopped and
 * never saves a file twice; each download goes to a temporary file renamed when complete, and
 * is capped at the file record's size plus a margin (`userDownloadLimit`).
 */

import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchApiClient } from '../api/client';
import { ApiError, errorMessage, isCancellation } from '../api/errors';
import type { Batch, FileObject } from '../api/types';
import { descriptionOf } from '../batches/batchChains';
import { TERMINAL_STATUSES } from '../batches/batchFacts';
import { statusOf } from '../batches/grouping';
import { downloadFile } from '../files/download';
import { userDownloadLimit } from '../api/sizeLimit';
import { isRecord } from '../util/json';
import { fileStem } from '../util/fileNames';
import { writeAtomically } from './queueStore';

export type ArchivedRole = 'output' | 'error';

export interface ArchivedFile {
  batchId: string;
  role: ArchivedRole;
  /** Where it was saved. */
  path: string;
  bytes: number;
  /** Unix ms. */
  at: number;
}

export interface ArchiveLedger {
  version: 1;
  account: string;
  /** By file id. */
  files: Record<string, ArchivedFile>;
  /** File ids warned about (unix ms), so a warning comes once. */
  warned: Record<string, number>;
  /** Files that can no longer be archived (expired, deleted), by file id: not tried again. */
  gone: Record<string, string>;
}

/** One file to archive. */
export interface ArchiveTask {
  batch: Batch;
  role: ArchivedRole;
  fileId: string;
}

/** A description as a file name part: letters, digits, `-`, `_`, `.` only, at most 60 characters. */
function safePart(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+|[._]+$/g, '')
    .slice(0, 60);
}

/**
 * `<batch id>[--<description>].<role>.jsonl`: the batch id first (never a reserved Windows name,
 * never a path), the description made safe.
 */
export function archiveName(batch: Batch, role: ArchivedRole): string {
  const description = safePart(descriptionOf(batch) ?? '');
  const stem = fileStem(batch.id).replace(/\.+$/, '');
  // Windows reserves these device names whatever follows the first dot (`CON.output.jsonl` too).
  const safeStem = /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(stem.split('.')[0]) || !stem ? `batch-${stem}` : stem;
  return `${safeStem}${description ? `--${description}` : ''}.${role}.jsonl`;
}

/** The output and error files of finished batches not archived yet (nor known gone), oldest batch first. */
export function archiveTasks(batches: readonly Batch[], ledger: ArchiveLedger): ArchiveTask[] {
  const tasks: ArchiveTask[] = [];
  for (const batch of batches) {
    if (!TERMINAL_STATUSES.has(statusOf(batch))) continue;
    for (const role of ['output', 'error'] as const) {
      const fileId = role === 'output' ? batch.output_file_id : batch.error_file_id;
      if (typeof fileId === 'string' && fileId && !ledger.files[fileId] && !ledger.gone[fileId]) tasks.push({ batch, role, fileId });
    }
  }
  return tasks.reverse();
}

/** Output files that expire within `days` (by their records) and were not archived: what to warn about. */
export function expiringUnarchived(
  records: ReadonlyMap<string, FileObject>,
  tasks: readonly ArchiveTask[],
  days: number,
  nowMs = Date.now(),
): { task: ArchiveTask; expiresAt: number }[] {
  if (days <= 0) return [];
  const found: { task: ArchiveTask; expiresAt: number }[] = [];
  for (const task of tasks) {
    const expiresAt = records.get(task.fileId)?.expires_at;
    if (task.role !== 'output' || typeof expiresAt !== 'number') continue;
    if (expiresAt * 1000 > nowMs && expiresAt * 1000 <= nowMs + days * 86_400_000) found.push({ task, expiresAt });
  }
  return found;
}

function isLedger(value: unknown): value is ArchiveLedger {
  return isRecord(value) && value.version === 1 && typeof value.account === 'string' && isRecord(value.files) && isRecord(value.warned);
}

/** One account's archive ledger, in the extension's storage. */
export class ArchiveLedgerStore {
  readonly path: string;

  constructor(
    readonly root: string,
    readonly account: string,
  ) {
    this.path = join(root, `archive-${createHash('sha256').update(account).digest('hex').slice(0, 24)}.json`);
  }

  async load(): Promise<ArchiveLedger> {
    try {
      const value: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      if (isLedger(value) && value.account === this.account) return { ...value, gone: isRecord(value.gone) ? value.gone : {} };
    } catch {
      // Missing or damaged: start a new one.
    }
    return { version: 1, account: this.account, files: {}, warned: {}, gone: {} };
  }

  async save(ledger: ArchiveLedger): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeAtomically(this.path, JSON.stringify(ledger));
  }
}

export type ArchiveOutcome = { kind: 'saved'; path: string; bytes: number } | { kind: 'gone'; reason: string };

/**
 * Saves one file into `folder` under {@link archiveName}: reads its record first (size, expiry),
 * then streams it to a temporary file renamed into place, never writing more than the record's
 * size plus its margin (`recordMarginBytes`). A file already there with the record's size is taken as
 * saved (a run that stopped between the rename and the ledger). Expired or deleted: `gone`.
 */
export async function archiveOne(
  client: BatchApiClient,
  task: ArchiveTask,
  folder: string,
  signal?: AbortSignal,
  onRecord?: (record: FileObject) => void,
): Promise<ArchiveOutcome> {
  let record: FileObject;
  try {
    record = await client.getFile(task.fileId, { signal });
    onRecord?.(record);
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'notFound') return { kind: 'gone', reason: 'not found' };
    throw error;
  }
  if (typeof record.expires_at === 'number' && record.expires_at * 1000 <= Date.now()) return { kind: 'gone', reason: 'expired' };
  const bytes = typeof record.bytes === 'number' && record.bytes >= 0 ? record.bytes : undefined;
  await mkdir(folder, { recursive: true });
  const path = join(folder, archiveName(task.batch, task.role));
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isFile() && bytes !== undefined && existing.size === bytes) return { kind: 'saved', path, bytes };
  if (existing) throw new ApiError('conflict', `${path} already exists and is not this file: it was left alone.`);
  try {
    // The record's size plus a margin (see sizeLimit.ts); without a record size, the ceiling of a download asked for.
    const saved = await downloadFile(client, task.fileId, path, userDownloadLimit(bytes), { signal });
    return { kind: 'saved', path, bytes: saved.bytes };
  } catch (error) {
    if (!isCancellation(error) && error instanceof ApiError && error.kind === 'notFound')
      return { kind: 'gone', reason: errorMessage(error) };
    throw error;
  }
}
