/**
 * Search, filter and sort over the joined rows, for the results table. Runs in the extension
 * host over the compact rows, so the page receives one page of rows at a time. Imports nothing,
 * so the page can share its types without taking in Node's.
 */

export type Outcome = 'succeeded' | 'failed' | 'missing';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What search and sort look at in a row (`JoinedResult` has it). */
export interface QueryRow {
  customId: string;
  /** -1 when the request is not in the input: sorted last. */
  line: number;
  statusCode?: number;
  outcome: Outcome;
  answer?: string;
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
  /** A failed row's error group (see `errorSummary.errorKeyOf`). */
  errorKey?: string;
}

export const SORT_KEYS = ['customId', 'line', 'statusCode', 'answer', 'inputTokens', 'outputTokens', 'totalTokens'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const OUTCOME_FILTERS = ['all', 'succeeded', 'failed', 'missing'] as const;
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];

/** Which rows the table shows, and in which order. */
export interface RowQuery {
  outcome: OutcomeFilter;
  /** Case-insensitive text looked for in the custom_id and the answer preview; blank shows all. */
  search: string;
  sortKey: SortKey;
  descending: boolean;
  /** Only the failed rows of this error group (`errorSummary.errorKeyOf`); absent or empty: no such filter. */
  errorKey?: string;
}

/** The longest error group key accepted from the page. */
export const MAX_ERROR_KEY_CHARS = 1000;

/** The longest search text accepted: far more than anyone types, short enough to stay cheap. */
export const MAX_SEARCH_CHARS = 1000;

function sortValue(row: QueryRow, key: SortKey): string | number | undefined {
  switch (key) {
    case 'customId':
      return row.customId;
    case 'line':
      // Rows not found in the input go last, like empty cells.
      return row.line < 0 ? undefined : row.line;
    case 'statusCode':
      return row.statusCode;
    case 'answer':
      return row.answer || undefined;
    case 'inputTokens':
      return row.usage?.input_tokens;
    case 'outputTokens':
      return row.usage?.output_tokens;
    case 'totalTokens':
      return row.usage?.total_tokens;
  }
}

/** One collator for all comparisons: `localeCompare` with options builds one per call. */
const collator = new Intl.Collator(undefined, { numeric: true });

/**
 * A cheap stand-in for the collator's order: lower case, each run of digits prefixed by its
 * length so `9` comes before `10`. Sorting by it first leaves the rows nearly in collator order,
 * so the collator's own pass over them (a merge sort, which finds the sorted runs) is quick.
 */
function roughKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, (digits) => String.fromCharCode(0x30 + Math.min(digits.length, 9)) + digits);
}

/**
 * Sorts `indexes` (ascending) by `numbers[index]` (`direction` 1 or -1), ties by index, when
 * every value is a whole number from 0 to 2^31 (line numbers, status codes, token counts),
 * without a comparison called for each pair: values up to a few times the count (line numbers
 * above all) by counting them, others as one typed array of `value × numbers.length + index`
 * sorted natively (50,000 line numbers: about 2 ms against 25 with a comparison). False, and
 * `indexes` untouched, when a value is not such a number.
 */
function sortWholeNumbers(indexes: number[], numbers: readonly number[], direction: number): boolean {
  const scale = numbers.length;
  let max = 0;
  for (const index of indexes) {
    const value = numbers[index];
    if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) return false;
    if (value > max) max = value;
  }
  const key = (index: number): number => (direction > 0 ? numbers[index] : max - numbers[index]);
  if (max <= 4 * indexes.length + 1024) {
    // Counting: where each value's run starts, then the indexes in their (ascending) order into their runs.
    const starts = new Int32Array(max + 2);
    for (const index of indexes) starts[key(index) + 1]++;
    for (let value = 1; value < starts.length; value++) starts[value] += starts[value - 1];
    const sorted = new Int32Array(indexes.length);
    for (const index of indexes) sorted[starts[key(index)]++] = index;
    for (let k = 0; k < sorted.length; k++) indexes[k] = sorted[k];
    return true;
  }
  if ((max + 1) * scale > Number.MAX_SAFE_INTEGER) return false;
  const keys = new Float64Array(indexes.length);
  for (let k = 0; k < indexes.length; k++) keys[k] = key(indexes[k]) * scale + indexes[k];
  keys.sort();
  for (let k = 0; k < keys.length; k++) indexes[k] = keys[k] % scale;
  return true;
}

/** Escapes `text` for use as a literal in a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds the rows of a query. Each sort order is computed once (empty cells last in either
 * direction, ties in input order) and kept, so paging, filtering and searching within a sort
 * only walk the rows; the last answer is kept too, so turning pages costs nothing.
 */
export class RowFinder {
  private readonly orders = new Map<string, Uint32Array>();
  private last: { key: string; indexes: Uint32Array } | undefined;

  /**
   * `pendingHidden`: the rows are still being indexed, and a row without a result (`missing`)
   * may yet get one, so no query keeps it.
   */
  constructor(
    private readonly rows: readonly QueryRow[],
    private readonly options: { pendingHidden?: boolean } = {},
  ) {}

  /** Indexes into the rows of those the query keeps, in its order. */
  find(query: RowQuery): Uint32Array {
    const search = query.search.trim().slice(0, MAX_SEARCH_CHARS);
    const errorKey = query.errorKey || undefined;
    const key = JSON.stringify([query.outcome, search.toLowerCase(), query.sortKey, query.descending, errorKey ?? null]);
    if (this.last?.key === key) return this.last.indexes;
    const order = this.order(query.sortKey, query.descending);
    let indexes: Uint32Array;
    const pendingHidden = this.options.pendingHidden === true;
    if (pendingHidden && query.outcome === 'missing') {
      indexes = new Uint32Array(0);
    } else if (query.outcome === 'all' && !search && errorKey === undefined && !pendingHidden) {
      indexes = order;
    } else {
      const pattern = search ? new RegExp(literal(search), 'i') : undefined;
      const kept = new Uint32Array(order.length);
      let count = 0;
      for (const index of order) {
        const row = this.rows[index];
        if (query.outcome !== 'all' && row.outcome !== query.outcome) continue;
        if (pendingHidden && row.outcome === 'missing') continue;
        if (errorKey !== undefined && row.errorKey !== errorKey) continue;
        if (pattern && !pattern.test(row.customId) && !(row.answer !== undefined && pattern.test(row.answer))) continue;
        kept[count++] = index;
      }
      indexes = kept.slice(0, count);
    }
    this.last = { key, indexes };
    return indexes;
  }

  private order(sortKey: SortKey, descending: boolean): Uint32Array {
    const cacheKey = `${sortKey}:${descending}`;
    const cached = this.orders.get(cacheKey);
    if (cached) return cached;
    const direction = descending ? -1 : 1;
    // Empty cells go last in input order; only the others are compared.
    const present: number[] = [];
    const empty: number[] = [];
    const values = this.rows.map((row, index) => {
      const value = sortValue(row, sortKey);
      (value === undefined ? empty : present).push(index);
      return value;
    });
    if (sortKey === 'customId' || sortKey === 'answer') {
      const text = values as (string | undefined)[];
      const roughKeys = new Map<string, string>();
      const rough = text.map((value) => {
        if (value === undefined) return '';
        let key = roughKeys.get(value);
        if (key === undefined) roughKeys.set(value, (key = roughKey(value)));
        return key;
      });
      present.sort((a, b) => (rough[a] < rough[b] ? -direction : rough[a] > rough[b] ? direction : a - b));
      present.sort((a, b) => collator.compare(text[a]!, text[b]!) * direction || a - b);
    } else {
      const numbers = values as (number | undefined)[];
      if (!sortWholeNumbers(present, numbers as number[], direction))
        present.sort((a, b) => (numbers[a]! - numbers[b]!) * direction || a - b);
    }
    const order = new Uint32Array(values.length);
    order.set(present);
    order.set(empty, present.length);
    this.orders.set(cacheKey, order);
    return order;
  }
}
