import { writeAtomically } from '../results/exportFile';
import { csvNumber, csvText, type JoinedResult } from '../results/resultsJoin';
import { agreementMatrix } from './agreement';
import { CompareFinder, CompareTable, joinRuns } from './compareJoin';
import type { AgreementMatrix, CompareCounts, CompareFilter, SamenessRule, Verdict } from './compareTypes';
import { RunFiles, type RunSource } from './runFiles';
import { describeRule, embeddingSimilarity, samenessRule, sameSummary, similarityVerdict } from './sameness';
import { type DiffPart, wordDiff } from './wordDiff';

/** One side of a comparison: a run's compact rows (a batch's, or a chain's combined) and where their lines are. */
export interface CompareRun extends RunSource {
  rows: readonly JoinedResult[];
}

/** One row of the comparison: the two runs' rows for a custom_id (either may be absent). */
export interface ComparedRow {
  /** The handle the page sends back. */
  index: number;
  customId: string;
  verdict: Verdict;
  /** Embeddings: the cosine similarity, once read; NaN otherwise. */
  similarity: number;
  a?: JoinedResult;
  b?: JoinedResult;
}

/** An expanded row: both whole answers and their word diff (for text answers). */
export interface ComparedDetail {
  answerA: string | null;
  answerB: string | null;
  diff: DiffPart[] | null;
}

export type CompareExportFormat = 'csv' | 'jsonl';

export interface CompareExportOptions {
  signal?: AbortSignal;
  /** A row's cost cell for one side (`$0.000012`), or null. */
  cost: (side: 'a' | 'b', row: JoinedResult) => string | null;
  onProgress?: (written: number, total: number) => void;
}

/** How many pending verdicts are settled between two progress reports. */
const SETTLE_CHUNK = 500;

/** Export text is handed to the file in pieces of about this many characters. */
const EXPORT_PIECE_CHARS = 256 * 1024;

const CSV_HEADER = 'custom_id,verdict,similarity,outcome_a,outcome_b,answer_a,answer_b,total_tokens_a,total_tokens_b,cost_a,cost_b\r\n';

/**
 * Two runs of the same requests compared by custom_id: the join, the verdicts, the summary and
 * the agreement matrix in memory (compact: typed arrays over the runs' own rows); whole answers
 * are read back by offset for an expanded row, an export or a verdict the previews cannot give.
 */
export class Comparison {
  readonly rule: SamenessRule;
  readonly table: CompareTable;
  private readonly finder: CompareFinder;
  private matrix: AgreementMatrix | undefined | null = null;

  constructor(
    readonly runA: CompareRun,
    readonly runB: CompareRun,
  ) {
    this.rule = samenessRule(runA.endpoint, runB.endpoint);
    this.table = joinRuns(this.rule, runA.rows, runB.rows);
    this.finder = new CompareFinder(this.table, runA.rows, runB.rows);
  }

  /** The sentence that says how sameness was judged. */
  get ruleText(): string {
    return describeRule(this.rule);
  }

  counts(): CompareCounts {
    return this.table.counts();
  }

  /** The agreement matrix, when the answers are labels; computed once. */
  agreement(): AgreementMatrix | undefined {
    if (this.matrix === null) this.matrix = agreementMatrix(this.table, this.runA.rows, this.runB.rows);
    return this.matrix;
  }

  row(index: number): ComparedRow | undefined {
    const { table } = this;
    if (!Number.isSafeInteger(index) || index < 0 || index >= table.length) return undefined;
    const a = table.a[index] >= 0 ? this.runA.rows[table.a[index]] : undefined;
    const b = table.b[index] >= 0 ? this.runB.rows[table.b[index]] : undefined;
    return { index, customId: (a ?? b)!.customId, verdict: table.verdict(index), similarity: table.similarity[index], a, b };
  }

  /** The rows a filter and search keep, in table order. */
  find(filter: CompareFilter, search: string): Uint32Array {
    return this.finder.find(filter, search);
  }

  /** One page of them: clamped to the pages there are. */
  page(filter: CompareFilter, search: string, page: number, pageSize: number): { rows: ComparedRow[]; page: number; matched: number } {
    const found = this.find(filter, search);
    const last = Math.max(0, Math.ceil(found.length / pageSize) - 1);
    const current = Math.min(Math.max(0, page), last);
    const rows = Array.from(found.subarray(current * pageSize, (current + 1) * pageSize), (index) => this.row(index)!);
    return { rows, page: current, matched: found.length };
  }

  /** Both whole answers of a row, and their word diff when both are text answers that differ. */
  async detail(index: number): Promise<ComparedDetail | undefined> {
    const row = this.row(index);
    if (!row) return undefined;
    const filesA = new RunFiles(this.runA);
    const filesB = new RunFiles(this.runB);
    try {
      const answerA = row.a ? await filesA.answer(row.a) : null;
      const answerB = row.b ? await filesB.answer(row.b) : null;
      const textual = this.rule === 'text' && row.a?.outcome === 'succeeded' && row.b?.outcome === 'succeeded';
      const diff = textual && answerA !== null && answerB !== null && answerA !== answerB ? wordDiff(answerA, answerB) : null;
      return { answerA, answerB, diff };
    } finally {
      await Promise.all([filesA.close(), filesB.close()]);
    }
  }

  /**
   * Reads back the lines of the rows the previews could not judge (embeddings; long answers that
   * start alike) and settles their verdicts, a row at a time, reporting after each chunk. Stops
   * quietly when `signal` aborts (the panel closed): the rows left stay pending.
   */
  async settlePending(signal: AbortSignal, onProgress: (done: number, total: number) => void): Promise<void> {
    const pending = this.table.pendingRows();
    if (pending.length === 0) return;
    const filesA = new RunFiles(this.runA);
    const filesB = new RunFiles(this.runB);
    try {
      for (let k = 0; k < pending.length; k++) {
        if (signal.aborted) return;
        const { index, a, b } = this.row(pending[k])!;
        if (this.rule === 'embedding') {
          const similarity = embeddingSimilarity(await filesA.body(a!), await filesB.body(b!));
          this.table.settle(index, similarityVerdict(similarity), similarity);
        } else {
          this.table.settle(index, sameSummary(this.rule, await filesA.answer(a!), await filesB.answer(b!)) ? 'same' : 'different');
        }
        if ((k + 1) % SETTLE_CHUNK === 0 || k + 1 === pending.length) {
          this.finder.invalidate();
          onProgress(k + 1, pending.length);
        }
      }
    } finally {
      this.finder.invalidate();
      await Promise.all([filesA.close(), filesB.close()]);
    }
  }

  /**
   * Writes the rows at `indexes` as CSV (RFC 4180, formula-safe cells: `csvText`) or JSON Lines,
   * streamed, with whole answers read back for rows whose preview was cut. One row in memory at a time.
   */
  async exportRows(
    indexes: ArrayLike<number>,
    format: CompareExportFormat,
    destination: string,
    options: CompareExportOptions,
  ): Promise<void> {
    const total = indexes.length;
    const text = async function* (this: Comparison): AsyncGenerator<string> {
      const filesA = new RunFiles(this.runA);
      const filesB = new RunFiles(this.runB);
      try {
        let piece = format === 'csv' ? CSV_HEADER : '';
        for (let k = 0; k < total; k++) {
          const row = this.row(indexes[k])!;
          const answerA = row.a ? await filesA.answer(row.a) : null;
          const answerB = row.b ? await filesB.answer(row.b) : null;
          const similarity = Number.isNaN(row.similarity) ? null : Number(row.similarity.toFixed(6));
          const costA = row.a ? options.cost('a', row.a) : null;
          const costB = row.b ? options.cost('b', row.b) : null;
          if (format === 'csv') {
            piece += `${[
              csvText(row.customId),
              row.verdict,
              similarity === null ? '' : String(similarity),
              row.a?.outcome ?? '',
              row.b?.outcome ?? '',
              csvText(answerA ?? ''),
              csvText(answerB ?? ''),
              csvNumber(row.a?.usage?.total_tokens),
              csvNumber(row.b?.usage?.total_tokens),
              costA ?? '',
              costB ?? '',
            ].join(',')}\r\n`;
          } else {
            const side = (r: JoinedResult | undefined, answer: string | null, cost: string | null): unknown =>
              r
                ? {
                    outcome: r.outcome,
                    status_code: r.statusCode ?? null,
                    answer,
                    usage: r.usage ?? null,
                    cost,
                    batch_id: r.batchId ?? null,
                  }
                : null;
            piece += `${JSON.stringify({
              custom_id: row.customId,
              verdict: row.verdict,
              similarity,
              a: side(row.a, answerA, costA),
              b: side(row.b, answerB, costB),
            })}\n`;
          }
          options.onProgress?.(k + 1, total);
          if (piece.length >= EXPORT_PIECE_CHARS) {
            yield piece;
            piece = '';
          }
        }
        if (piece) yield piece;
      } finally {
        await Promise.all([filesA.close(), filesB.close()]);
      }
    }.call(this);
    await writeAtomically(text, destination, options.signal);
  }
}
