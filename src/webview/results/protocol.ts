/**
 * The message protocol between the results panel (extension host) and its page. The page
 * imports its types only (`import type`); the validators here run in the host.
 */
import { isRecord } from '../../core/json';
import type { Outcome } from '../../core/resultsJoin';

export type { Outcome };

/** One request as the table shows it; the full JSON is fetched on demand with `detail`. */
export interface ResultRow {
  /** Position in the host's joined rows: the only handle the page may send back. */
  index: number;
  customId: string;
  /** 1-based input line, -1 when the result's request is not in the input file. */
  line: number;
  statusCode: number | null;
  outcome: Outcome;
  /** Cut to {@link ANSWER_PREVIEW_CHARS}; the detail view has all of it. */
  answer: string;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
}

export const ANSWER_PREVIEW_CHARS = 300;
/** Rows per `rows` message, so a 50,000-row result arrives in pieces the page can draw between. */
export const ROWS_PER_MESSAGE = 2000;

export const OUTCOME_FILTERS = ['all', 'succeeded', 'failed', 'missing'] as const;
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

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
  | { type: 'begin'; title: string; batchId: string; total: number; counts: ResultCounts; notes: string[] }
  | { type: 'rows'; rows: ResultRow[] }
  | { type: 'end' }
  | { type: 'detail'; index: number; answer: string | null; request: string | null; response: string | null; error: string | null }
  | { type: 'error'; message: string };

export type PageToHost =
  | { type: 'ready' }
  | { type: 'retry' }
  | { type: 'detail'; index: number }
  | { type: 'export'; format: ExportFormat; outcome: OutcomeFilter };

function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const present = Object.keys(value);
  return present.length === keys.length && keys.every((key) => key in value);
}

/** Validates everything the page sends: exactly one {@link PageToHost} shape, no extra fields. */
export function isResultsPageMessage(value: unknown): value is PageToHost {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'retry':
      return hasExactly(value, ['type']);
    case 'detail':
      return (
        hasExactly(value, ['type', 'index']) && typeof value.index === 'number' && Number.isSafeInteger(value.index) && value.index >= 0
      );
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
