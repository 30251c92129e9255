/**
 * The message protocol between the results panel (extension host) and its page. The page
 * imports its types only (`import type`); the validators here run in the host.
 */
import { isRecord } from '../../core/util/json';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  MAX_ERROR_KEY_CHARS,
  MAX_SEARCH_CHARS,
  type Outcome,
  OUTCOME_FILTERS,
  type OutcomeFilter,
  type RowQuery,
  SORT_KEYS,
  type SortKey,
} from '../../core/results/resultsQuery';

export type { ExportFormat, Outcome, OutcomeFilter, RowQuery, SortKey };

/** One request as the table shows it; the full JSON is fetched on demand with `detail`. */
export interface ResultRow {
  /** Position in the host's joined rows: the only handle the page may send back. */
  index: number;
  customId: string;
  /** 1-based input line, -1 when the result's request is not in the input file. */
  line: number;
  statusCode: number | null;
  outcome: Outcome;
  /** A preview (an embedding's dimensions and norm, never its numbers); the detail view has all of it. */
  answer: string;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  /** Combined results of a chain: the attempt the outcome comes from, how many ran the request, and that batch. */
  attempt?: number;
  attempts?: number;
  batchId?: string;
  /** The request's estimated cost (`$0.000012`) from its usage and the batch's model; null when there is no figure. */
  cost: string | null;
}

/** Failed rows of one error group (from the detail panel's error summary), shown with the group's label. */
export interface ErrorFilter {
  errorKey: string;
  /** `412 × rate_limit_exceeded`. */
  label: string;
}

/**
 * Rows per page. The host searches, sorts and filters, and sends one page at a time, so a
 * 50,000-row result never crosses to the page at once.
 */
export const ROWS_PER_PAGE = 200;

export interface ResultCounts {
  succeeded: number;
  failed: number;
  missing: number;
  /** Results whose custom_id is not in the input (included in the other counts). */
  unmatched: number;
}

export type HostToPage =
  /** First on every `ready`: the page keeps the id (its saved state) so the panel comes back after a reload. */
  | { type: 'batch'; batchId: string }
  | { type: 'loading'; message: string }
  | {
      type: 'begin';
      title: string;
      batchId: string;
      total: number;
      counts: ResultCounts;
      notes: string[];
      /** Offer Resubmit Failed Requests… for this batch. */
      resubmittable?: boolean;
      /** The estimated cost of all rows, labelled; absent when there is no figure. */
      cost?: string;
      /** Show only this error group at first. */
      errorFilter?: ErrorFilter;
      /** Rows are still being indexed: `progress` messages follow. */
      indexing?: { indexed: number; expected: number | null; exact: boolean };
    }
  /**
   * Indexing went on: more rows are in (the page asks for its page again), or it is `done`.
   * While indexing, `total` and `counts` are of the rows that have their result so far, and
   * queries keep only those; `notes` and `cost` come when done.
   */
  | {
      type: 'progress';
      /** Requests whose result has been read, and how many there will be (null before any is read). */
      indexed: number;
      expected: number | null;
      /** Whether `expected` is the batch's own count rather than an estimate from bytes read. */
      exact: boolean;
      done: boolean;
      total: number;
      counts: ResultCounts;
      notes?: string[];
      cost?: string;
    }
  /** Show only one error group (the panel was already open when a group was clicked). */
  | ({ type: 'errorFilter' } & ErrorFilter)
  /** The answer to the `query` numbered `seq`: one page of the rows it keeps. */
  | { type: 'page'; seq: number; page: number; pageSize: number; matched: number; rows: ResultRow[] }
  | { type: 'detail'; index: number; answer: string | null; request: string | null; response: string | null; error: string | null }
  | { type: 'error'; message: string };

export type PageToHost =
  | { type: 'ready' }
  | { type: 'retry' }
  /** Which rows to show: sent after `begin` and on every change of filter, search, sort or page. */
  | ({ type: 'query'; seq: number; page: number } & RowQuery)
  | { type: 'detail'; index: number }
  | { type: 'export'; format: ExportFormat; outcome: OutcomeFilter }
  | { type: 'resubmit' }
  /** Compare Results… with this batch as A. */
  | { type: 'compare' };

function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const present = Object.keys(value);
  return present.length === keys.length && keys.every((key) => key in value);
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Validates everything the page sends: exactly one {@link PageToHost} shape, no extra fields. */
export function isResultsPageMessage(value: unknown): value is PageToHost {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'retry':
    case 'resubmit':
    case 'compare':
      return hasExactly(value, ['type']);
    case 'query':
      return (
        (hasExactly(value, ['type', 'seq', 'page', 'outcome', 'search', 'sortKey', 'descending']) ||
          (hasExactly(value, ['type', 'seq', 'page', 'outcome', 'search', 'sortKey', 'descending', 'errorKey']) &&
            typeof value.errorKey === 'string' &&
            value.errorKey.length <= MAX_ERROR_KEY_CHARS)) &&
        isIndex(value.seq) &&
        isIndex(value.page) &&
        (OUTCOME_FILTERS as readonly unknown[]).includes(value.outcome) &&
        typeof value.search === 'string' &&
        value.search.length <= MAX_SEARCH_CHARS &&
        (SORT_KEYS as readonly unknown[]).includes(value.sortKey) &&
        typeof value.descending === 'boolean'
      );
    case 'detail':
      return hasExactly(value, ['type', 'index']) && isIndex(value.index);
    case 'export':
      return (
        hasExactly(value, ['type', 'format', 'outcome']) &&
        (EXPORT_FORMATS as readonly unknown[]).includes(value.format) &&
        (OUTCOME_FILTERS as readonly unknown[]).includes(value.outcome)
      );
    default:
      return false;
  }
}

/** What the page keeps with `setState`; the serializer reopens the panel from it. */
export interface ResultsPageState {
  batchId: string;
}

/** Whether a saved page state (handed to the serializer) names a batch to restore. */
export function isResultsPageState(value: unknown): value is ResultsPageState {
  return isRecord(value) && typeof value.batchId === 'string' && value.batchId !== '';
}
