/**
 * The one message protocol between the batch detail panel (extension host) and its page.
 * Plain types and validators only: this file is compiled into both sides, so it imports
 * neither `vscode` nor Node.
 */
import type { Batch } from '../core/types';

/** What `GET /files/{id}` said about a file, keyed by file id. */
export interface FileInfo {
  filename?: string | null;
  bytes?: number | null;
}

export type FileInfoMap = Record<string, FileInfo>;

export type HostToPage =
  | { type: 'batch'; batch: Batch; now: number; fileInfo?: FileInfoMap }
  | { type: 'error'; message: string }
  | { type: 'loading'; loading: boolean };

export const COPY_TARGETS = ['batchId', 'inputFileId', 'outputFileId', 'errorFileId'] as const;
export type CopyTarget = (typeof COPY_TARGETS)[number];

/** Page messages never carry ids: the host acts on the batch it holds, so a page cannot aim a command elsewhere. */
export type PageToHost =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'copy'; what: CopyTarget }
  | { type: 'cancel' }
  | { type: 'openOutput' }
  | { type: 'openError' }
  | { type: 'openJson' };

/** What the page keeps with `setState`, so it can redraw at once after a reload; the host reads it to restore. */
export interface PageState {
  batch: Batch;
  fileInfo?: FileInfoMap;
}

const BARE_PAGE_MESSAGES: ReadonlySet<string> = new Set(['ready', 'refresh', 'cancel', 'openOutput', 'openError', 'openJson']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBatchLike(value: unknown): value is Batch {
  return isRecord(value) && typeof value.id === 'string' && value.id !== '';
}

function isFileInfoMap(value: unknown): value is FileInfoMap {
  return isRecord(value) && Object.values(value).every(isRecord);
}

/** Validates everything the page sends: exactly one of the {@link PageToHost} shapes, with no extra fields. */
export function isPageMessage(value: unknown): value is PageToHost {
  if (!isRecord(value) || typeof value.type !== 'string') return false;
  const keys = Object.keys(value);
  if (value.type === 'copy') {
    return keys.length === 2 && typeof value.what === 'string' && (COPY_TARGETS as readonly string[]).includes(value.what);
  }
  return keys.length === 1 && BARE_PAGE_MESSAGES.has(value.type);
}

/** A light shape check of what the host sends (the page still renders every field defensively). */
export function isHostMessage(value: unknown): value is HostToPage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'batch':
      return isBatchLike(value.batch) && typeof value.now === 'number' && (value.fileInfo === undefined || isFileInfoMap(value.fileInfo));
    case 'error':
      return typeof value.message === 'string';
    case 'loading':
      return typeof value.loading === 'boolean';
    default:
      return false;
  }
}

/** Whether a saved page state (from `getState`, or handed to the serializer) is usable. */
export function isPageState(value: unknown): value is PageState {
  return isRecord(value) && isBatchLike(value.batch) && (value.fileInfo === undefined || isFileInfoMap(value.fileInfo));
}
