import type { Outcome } from './resultsQuery';

/** The outcome of one request in one attempt: what a joined row says. */
export interface AttemptRow {
  customId: string;
  outcome: Outcome;
}

/** One batch's rows, in its input order. */
export interface AttemptRows<R extends AttemptRow> {
  attempt: number;
  rows: readonly R[];
}

/** The combined outcome of one original request: the row of the latest attempt that ran it. */
export interface CombinedRow<R extends AttemptRow> {
  row: R;
  /** Which of `attempts` the row comes from (its position in the list given). */
  source: number;
  /** The attempt number of that row (1 = the original). */
  attempt: number;
  /** How many attempts included this request. */
  attempts: number;
}

/**
 * One row per `custom_id` across the attempts, in the order the ids first appear (attempts are
 * taken in order of attempt number, then as given): the latest attempt's row wins, and the count
 * says how many attempts ran the request. Memory: one entry per distinct id.
 */
export function combineAttempts<R extends AttemptRow>(attempts: readonly AttemptRows<R>[]): CombinedRow<R>[] {
  const order = attempts
    .map((entry, source) => ({ entry, source }))
    .sort((a, b) => a.entry.attempt - b.entry.attempt || a.source - b.source);
  const combined: CombinedRow<R>[] = [];
  const byId = new Map<string, number>();
  for (const { entry, source } of order) {
    for (const row of entry.rows) {
      const known = byId.get(row.customId);
      if (known === undefined) {
        byId.set(row.customId, combined.push({ row, source, attempt: entry.attempt, attempts: 1 }) - 1);
        continue;
      }
      const current = combined[known];
      current.attempts++;
      // An id twice in one attempt (two parts) counts again but keeps the first row.
      if (entry.attempt > current.attempt) combined[known] = { ...current, row, source, attempt: entry.attempt };
    }
  }
  return combined;
}
