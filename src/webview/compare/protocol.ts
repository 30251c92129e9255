/**
 * The message protocol between the compare panel (extension host) and its page. The page
 * imports its types only (`import type`); the validator here runs in the host.
 */
import { isRecord } from '../../core/util/json';
import {
  type AgreementMatrix,
  COMPARE_FILTERS,
  type CompareCounts,
  type CompareFilter,
  MAX_COMPARE_SEARCH_CHARS,
  type Verdict,
} from '../../core/compare/compareTypes';

export type { AgreementMatrix, CompareCounts, CompareFilter, Verdict };

/** One side of a row: what one run said for the custom_id. */
export interface CompareCell {
  outcome: 'succeeded' | 'failed' | 'missing';
  /** The preview (an embedding's dimensions and norm, never its numbers); the expanded row has all of it. */
  answer: string;
  totalTokens: number | null;
  /** Estimated cost (`$0.000012`) from the row's usage and the run's model; null without a figure. */
  cost: string | null;
}

export interface CompareRow {
  /** The only handle the page may send back. */
  index: number;
  customId: string;
  verdict: Verdict;
  /** Embeddings: the cosine similarity, once read; null otherwise. */
  similarity: number | null;
  a: CompareCell | null;
  b: CompareCell | null;
}

/** What the summary shows. */
export interface CompareSummary {
  /** `A: <label>` and `B: <label>`, with what each run is (a batch, or a chain combined). */
  titleA: string;
  titleB: string;
  counts: CompareCounts;
  /** How sameness was judged, as a sentence. */
  rule: string;
  /** Present when the answers are labels. */
  matrix?: AgreementMatrix;
  /** Cost labels of each run's rows, when there is a figure. */
  costA?: string;
  costB?: string;
  notes: string[];
  /** Set while verdicts the previews could not give are read from the files. */
  checking?: string;
  /** Set while the runs are still being indexed: the rows are those both have so far. */
  indexing?: string;
}

export type ExportFormat = 'csv' | 'jsonl';

export type HostToPage =
  | { type: 'loading'; message: string }
  | { type: 'error'; message: string }
  /** The comparison is ready, or its verdicts changed: the page shows it and asks for rows again. */
  | ({ type: 'summary'; ids: { a: string; b: string } } & CompareSummary)
  | { type: 'page'; seq: number; page: number; pageSize: number; matched: number; rows: CompareRow[] }
  | {
      type: 'detail';
      index: number;
      answerA: string | null;
      answerB: string | null;
      diff: { kind: 'same' | 'removed' | 'added'; text: string }[] | null;
      error?: string;
    };

export type PageToHost =
  | { type: 'ready' }
  | { type: 'retry' }
  | { type: 'query'; seq: number; page: number; filter: CompareFilter; search: string }
  | { type: 'detail'; index: number }
  | { type: 'export'; format: ExportFormat; filter: CompareFilter };

function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const present = Object.keys(value);
  return present.length === keys.length && keys.every((key) => key in value);
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isFilter(value: unknown): value is CompareFilter {
  return (COMPARE_FILTERS as readonly unknown[]).includes(value);
}

/** Validates everything the page sends: exactly one {@link PageToHost} shape, no extra fields. */
export function isComparePageMessage(value: unknown): value is PageToHost {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'retry':
      return hasExactly(value, ['type']);
    case 'query':
      return (
        hasExactly(value, ['type', 'seq', 'page', 'filter', 'search']) &&
        isIndex(value.seq) &&
        isIndex(value.page) &&
        isFilter(value.filter) &&
        typeof value.search === 'string' &&
        value.search.length <= MAX_COMPARE_SEARCH_CHARS
      );
    case 'detail':
      return hasExactly(value, ['type', 'index']) && isIndex(value.index);
    case 'export':
      return (
        hasExactly(value, ['type', 'format', 'filter']) && (value.format === 'csv' || value.format === 'jsonl') && isFilter(value.filter)
      );
    default:
      return false;
  }
}
