/**
 * Two runs joined by custom_id: one row per id found in either, as three typed arrays (which row
 * of A, which of B, the verdict) plus a similarity for embeddings, so 100,000 ids cost about
 * 1.3 MB besides the runs' own compact rows. Pure; no Node or `vscode`.
 */
import type { JoinedResult } from '../results/resultsJoin';
import {
  type CompareCounts,
  type CompareFilter,
  MAX_COMPARE_SEARCH_CHARS,
  type SamenessRule,
  type Verdict,
  VERDICTS,
} from './compareTypes';
import { judgePreviews } from './sameness';

/** What the join reads of a run's row. */
export type CompareSideRow = Pick<JoinedResult, 'customId' | 'outcome' | 'answer' | 'answerCut'>;

const VERDICT_CODE = new Map<Verdict, number>(VERDICTS.map((verdict, code) => [verdict, code]));

/** The joined rows of two runs. Row `i` is A's row `a[i]` (-1: none) against B's row `b[i]` (-1: none). */
export class CompareTable {
  private readonly codes: Uint8Array;
  /** Embeddings: the cosine similarity of a row's two answers, once read back; NaN until then. */
  readonly similarity: Float32Array;

  constructor(
    readonly a: Int32Array,
    readonly b: Int32Array,
    verdicts: Uint8Array,
  ) {
    this.codes = verdicts;
    this.similarity = new Float32Array(a.length).fill(Number.NaN);
  }

  get length(): number {
    return this.a.length;
  }

  verdict(row: number): Verdict {
    return VERDICTS[this.codes[row]];
  }

  /** Replaces a `pending` verdict once the full answers have been read. */
  settle(row: number, verdict: 'same' | 'different', similarity?: number): void {
    this.codes[row] = VERDICT_CODE.get(verdict)!;
    if (similarity !== undefined) this.similarity[row] = similarity;
  }

  /** The rows still `pending`, in order. */
  pendingRows(): number[] {
    const pending = VERDICT_CODE.get('pending')!;
    const rows: number[] = [];
    for (let i = 0; i < this.codes.length; i++) if (this.codes[i] === pending) rows.push(i);
    return rows;
  }

  counts(): CompareCounts {
    const counts: CompareCounts = {
      total: this.length,
      both: 0,
      onlyA: 0,
      onlyB: 0,
      same: 0,
      different: 0,
      pending: 0,
      failedOne: 0,
      failedBoth: 0,
    };
    for (let i = 0; i < this.length; i++) {
      const verdict = this.verdict(i);
      counts[verdict]++;
      if (verdict !== 'onlyA' && verdict !== 'onlyB') counts.both++;
    }
    return counts;
  }
}

/** The verdict of one pair of rows, from what the rows hold. */
function judge(rule: SamenessRule, a: CompareSideRow | undefined, b: CompareSideRow | undefined): Verdict {
  if (!a) return 'onlyB';
  if (!b) return 'onlyA';
  const okA = a.outcome === 'succeeded';
  const okB = b.outcome === 'succeeded';
  if (okA && okB) return judgePreviews(rule, a, b);
  return okA || okB ? 'failedOne' : 'failedBoth';
}

/**
 * Joins two runs' rows by custom_id: A's ids in A's order, then the ids only B has, in B's order.
 * An id on several rows of one run (a batch that repeated it) pairs with its occurrences in the
 * other in order; extra occurrences stand alone.
 */
export function joinRuns(rule: SamenessRule, rowsA: readonly CompareSideRow[], rowsB: readonly CompareSideRow[]): CompareTable {
  /** custom_id → B's rows with it not yet paired, first first. */
  const inB = new Map<string, number | number[]>();
  for (let j = 0; j < rowsB.length; j++) {
    const id = rowsB[j].customId;
    const known = inB.get(id);
    inB.set(id, known === undefined ? j : Array.isArray(known) ? (known.push(j), known) : [known, j]);
  }
  const paired = new Uint8Array(rowsB.length);
  const total = rowsA.length + rowsB.length;
  const a = new Int32Array(total);
  const b = new Int32Array(total);
  const verdicts = new Uint8Array(total);
  let n = 0;
  const push = (i: number, j: number): void => {
    a[n] = i;
    b[n] = j;
    verdicts[n] = VERDICT_CODE.get(judge(rule, rowsA[i], rowsB[j]))!;
    n++;
  };
  for (let i = 0; i < rowsA.length; i++) {
    const known = inB.get(rowsA[i].customId);
    let j = -1;
    if (typeof known === 'number') {
      j = known;
      inB.delete(rowsA[i].customId);
    } else if (Array.isArray(known)) {
      j = known.shift()!;
      if (known.length === 0) inB.delete(rowsA[i].customId);
    }
    if (j >= 0) paired[j] = 1;
    push(i, j);
  }
  for (let j = 0; j < rowsB.length; j++) if (!paired[j]) push(-1, j);
  return new CompareTable(a.slice(0, n), b.slice(0, n), verdicts.slice(0, n));
}

/** Which rows a filter keeps. */
function keeps(filter: CompareFilter, verdict: Verdict): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'different':
      return verdict === 'different';
    case 'same':
      return verdict === 'same';
    case 'failedOne':
      return verdict === 'failedOne';
    case 'onlyA':
      return verdict === 'onlyA';
    case 'onlyB':
      return verdict === 'onlyB';
  }
}

/** Escapes `text` for use as a literal in a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The rows a filter and a search keep, in table order. Search is case-insensitive over the
 * custom_id and both answer previews. The last answer is kept, so turning pages costs nothing;
 * it is dropped when a verdict settles.
 */
export class CompareFinder {
  private last: { key: string; rows: Uint32Array } | undefined;

  constructor(
    private readonly table: CompareTable,
    private readonly rowsA: readonly CompareSideRow[],
    private readonly rowsB: readonly CompareSideRow[],
  ) {}

  /** Forgets the last answer (verdicts changed). */
  invalidate(): void {
    this.last = undefined;
  }

  find(filter: CompareFilter, searchText: string): Uint32Array {
    const search = searchText.trim().slice(0, MAX_COMPARE_SEARCH_CHARS);
    const key = JSON.stringify([filter, search.toLowerCase()]);
    if (this.last?.key === key) return this.last.rows;
    const pattern = search ? new RegExp(literal(search), 'i') : undefined;
    const { table, rowsA, rowsB } = this;
    const kept = new Uint32Array(table.length);
    let count = 0;
    for (let row = 0; row < table.length; row++) {
      if (!keeps(filter, table.verdict(row))) continue;
      if (pattern) {
        const a = table.a[row] >= 0 ? rowsA[table.a[row]] : undefined;
        const b = table.b[row] >= 0 ? rowsB[table.b[row]] : undefined;
        const id = (a ?? b)!.customId;
        if (!pattern.test(id) && !pattern.test(a?.answer ?? '') && !pattern.test(b?.answer ?? '')) continue;
      }
      kept[count++] = row;
    }
    const rows = kept.slice(0, count);
    this.last = { key, rows };
    return rows;
  }
}
