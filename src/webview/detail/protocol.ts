/**
 * The one message protocol between the batch detail panel (extension host) and its page. The
 * page imports its types only (`import type`); the validators here run in the host.
 */
import type { BatchError, FileRole } from '../../core/batches/batchFacts';
import { isRecord } from '../../core/util/json';
import type { Batch } from '../../core/api/types';

export type { Batch, BatchError, FileRole };

/** A time as the page shows it, formatted by the host. */
export interface Moment {
  /** Unix seconds, for `<time datetime>` and the time between two steps. */
  seconds: number;
  /** `2024-05-01 12:00:00 UTC`. */
  text: string;
  /** `5 minutes ago`. */
  relative: string;
}

/** One of the batch's files, a row per role in `FILE_ROLES` order. */
export interface FileRow {
  role: FileRole;
  label: string;
  copy: CopyTarget;
  /** Absent when the batch has no file in this role. */
  id?: string;
  /** What `GET /files/{id}` said: `name.jsonl · 1.2 KB`. */
  about?: string;
  /** When the file is (or was) deleted by the provider, from `GET /files/{id}`; absent when it does not expire. */
  expires?: Moment & { expired: boolean };
}

/** What the page shows that the host works out from the batch: labels, status, counts, times. */
export interface DetailView {
  label: string;
  /** `Completed with failures`. */
  status: string;
  /** The status's theme colour id (`format.batchPresentation`); the page maps it to a style. */
  color?: string;
  cancellable: boolean;
  /**
   * A completed batch's failed requests, said above everything else: all of them, some (counted),
   * or some that only a non-empty error file shows (the provider reported no request counts).
   */
  failures?: { kind: 'all' } | { kind: 'some'; failed: number; total: number } | { kind: 'unreported'; errorFileSize: string };
  /** Absent when the API reported no request counts. */
  requests?: { completed: number; failed: number; total: number };
  /** The steps that have a time, in the order they happened. */
  timeline: { label: string; at: Moment }[];
  /** The completion-window deadline, while the batch can still run into it. */
  expires?: Moment;
  files: FileRow[];
  /** The batch's estimated cost, labelled (`≈ $0.38 (estimate: …)`), or why there is none. */
  cost?: { text: string; estimate: boolean };
  /** Rate, ETA and the counts seen over time, while the batch runs (see `progressView.ts`). */
  progress?: ProgressView;
  /** The batch's validation errors (`batchFacts.batchErrorItems`: OpenAI's array or Azure's one object), the first {@link MAX_ERROR_ROWS}. */
  errors?: { rows: BatchError[]; total: number };
}

/** Validation errors listed in the detail page; the rest are counted. */
export const MAX_ERROR_ROWS = 500;

/** A running batch's progress as the detail page draws it: a line of text and a small chart. */
export interface ProgressView {
  /** `1,240/5,000 · ~18 min left`. */
  headline: string;
  /** The rate and ETA in a sentence, or plainly why there is no estimate yet. */
  sentence: string;
  total: number;
  /** Requests finished (completed + failed) as polls saw them, oldest first; `seconds` from the first. */
  points: { seconds: number; done: number }[];
  /** Seconds from the first point at which the rest should be finished, when there is an estimate. */
  finishSeconds?: number;
  /** `2024-05-01 12:00:00 UTC`: when the first point was seen. */
  since?: string;
}

/** A batch linked to this one (its original, a resubmission, another part of its group); opened by its position. */
export interface ChainLinkRow {
  relation: 'resubmission of' | 'resubmitted as' | 'other part';
  id: string;
  /** The linked batch's name, when it is loaded. */
  label?: string;
}

/** Resubmit and chain facts, worked out by `chainView.recoveryView`. */
export interface RecoveryView {
  /** Resubmit Failed Requests… applies. */
  resubmittable: boolean;
  links: ChainLinkRow[];
  /** `part 2 of 3 · group split_ab12`. */
  group?: string;
}

/** One group of the error summary, as the page shows it (see `core/results/errorSummary`). */
export interface ErrorGroupRow {
  /** `412 × rate_limit_exceeded`, `3 × invalid_request_error: …`. */
  label: string;
  source: 'request' | 'validation';
  examples: string[];
  /** Validation errors: input line numbers. */
  lines: number[];
  /** More lines than listed. */
  moreLines: boolean;
}

/** The error summary section: nothing to group, not read yet (with why), being read, read, or failed. */
export type ErrorGroupsView =
  /** `anyway`: the error file is larger than an automatic read may be; the button asks to read it all the same. */
  | { state: 'idle'; note: string; anyway?: boolean }
  | { state: 'running'; message: string }
  | { state: 'done'; groups: ErrorGroupRow[]; notes: string[] }
  | { state: 'failed'; message: string; anyway?: boolean };

export type HostToPage =
  | { type: 'batch'; batch: Batch; view: DetailView & Partial<RecoveryView> }
  | { type: 'error'; message: string }
  | { type: 'loading'; loading: boolean }
  /** The error summary section; `view` absent: the batch has no failures to group. */
  | { type: 'errorGroups'; view?: ErrorGroupsView };

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
  | { type: 'openJson' }
  | { type: 'resubmit' }
  /** Opens the batch at this position of `RecoveryView.links`. */
  | { type: 'openLinked'; index: number }
  /** Reads the error file (and a downloaded output file) and groups the failures. */
  | { type: 'groupErrors' }
  /** Groups the failures even though the error file is past the size read without asking (a click allows it). */
  | { type: 'groupErrorsAnyway' }
  /** Opens Results filtered to the group at this index of the last summary. */
  | { type: 'openErrorGroup'; index: number }
  /** Reveal the batch's file in this role in the Files view. */
  | { type: 'showFile'; role: FileRole };

/** What the page keeps with `setState`, so it can redraw at once after a reload; the host reads the batch to restore. */
export interface PageState {
  batch: Batch;
  view?: DetailView & Partial<RecoveryView>;
}

const BARE_PAGE_MESSAGES: ReadonlySet<string> = new Set([
  'ready',
  'refresh',
  'cancel',
  'openOutput',
  'openError',
  'openJson',
  'groupErrors',
  'groupErrorsAnyway',
  'resubmit',
]);

/** Validates everything the page sends: exactly one of the {@link PageToHost} shapes, with no extra fields. */
export function isPageMessage(value: unknown): value is PageToHost {
  if (!isRecord(value) || typeof value.type !== 'string') return false;
  const keys = Object.keys(value);
  if (value.type === 'openLinked' || value.type === 'openErrorGroup') {
    return keys.length === 2 && typeof value.index === 'number' && Number.isSafeInteger(value.index) && value.index >= 0;
  }
  if (value.type === 'copy') {
    return keys.length === 2 && typeof value.what === 'string' && (COPY_TARGETS as readonly string[]).includes(value.what);
  }
  if (value.type === 'showFile') {
    return keys.length === 2 && (value.role === 'input' || value.role === 'output' || value.role === 'error');
  }
  return keys.length === 1 && BARE_PAGE_MESSAGES.has(value.type);
}

/** Whether a saved page state (handed to the serializer) names a batch to restore. */
export function isPageState(value: unknown): value is PageState {
  return isRecord(value) && isRecord(value.batch) && typeof value.batch.id === 'string' && value.batch.id !== '';
}
