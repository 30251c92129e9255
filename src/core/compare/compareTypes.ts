/**
 * The names the compare view's host and page share. Imports nothing, so the page can take its
 * types (`import type`) without Node's.
 */

/**
 * How a custom_id's two results compare:
 * - `same`/`different`: both succeeded, judged by the rule of the endpoint (see `sameness.ts`);
 * - `pending`: both succeeded, but the previews cannot tell (long answers, embeddings): the
 *   lines are read back in the background and the verdict replaced;
 * - `failedOne`: one succeeded, the other failed or has no result;
 * - `failedBoth`: neither succeeded;
 * - `onlyA`/`onlyB`: the id is in one run only.
 */
export const VERDICTS = ['same', 'different', 'pending', 'failedOne', 'failedBoth', 'onlyA', 'onlyB'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What the filter buttons keep: every row, or rows of one kind. */
export const COMPARE_FILTERS = ['all', 'different', 'same', 'failedOne', 'onlyA', 'onlyB'] as const;
export type CompareFilter = (typeof COMPARE_FILTERS)[number];

/** How sameness is judged, from the runs' endpoint. */
export type SamenessRule = 'text' | 'embedding' | 'moderation' | 'images';

/** Embeddings count as the same at or above this cosine similarity. */
export const EMBEDDING_SAME_THRESHOLD = 0.98;

/** The agreement matrix keeps this many labels (the most frequent); the rest count as "other". */
export const MATRIX_MAX_LABELS = 10;

/** The label of the matrix row/column that gathers the labels left out. */
export const OTHER_LABEL = '(other)';

/** The longest search text accepted from the page. */
export const MAX_COMPARE_SEARCH_CHARS = 1000;

/** Rows per page the host sends. */
export const COMPARE_ROWS_PER_PAGE = 200;

/** The agreement of two runs' labels: `counts[i][j]` rows where A said `labels[i]` and B said `labels[j]`. */
export interface AgreementMatrix {
  labels: string[];
  counts: number[][];
  /** Rows counted (both succeeded). */
  total: number;
  /** Of those, rows whose labels agree. */
  agreeing: number;
}

/** The counts the summary shows. */
export interface CompareCounts {
  /** Rows (custom_ids in either run). */
  total: number;
  both: number;
  onlyA: number;
  onlyB: number;
  same: number;
  different: number;
  pending: number;
  failedOne: number;
  failedBoth: number;
}
