import { formatBytes } from '../util/text';
import { isRecord } from '../util/json';
import { LineFile } from '../util/lineReader';
import {
  CSV_HEADER,
  type FullResult,
  type JoinedResult,
  type JoinReport,
  readableJson,
  type ResultFile,
  summarizeResult,
  toCsv,
  toJsonl,
} from './resultsJoin';
import { type LineLocation } from '../util/lineReader';
import { type ExportFormat, RowFinder, type RowQuery } from './resultsQuery';
import { combineAttempts } from './combinedResults';
import { writeAtomically } from './exportFile';
import { type FileRole, indexFiles, type IndexFilesOptions, type ResultFilePaths, type RowUpdate } from './indexFiles';
import { small } from './rowPacking';

export type { IndexProgress, ResultFilePaths } from './indexFiles';

export type OpenResultsOptions = Pick<IndexFilesOptions, 'endpoint' | 'maxRows' | 'signal' | 'onProgress'>;

/** What a growing index has not counted yet: everything but its rows. */
export type JoinTotals = Omit<JoinReport, 'rows'>;

/** One page of the table: the rows (with their index, the handle the page sends back) and where it is. */
export interface RowPage {
  rows: { index: number; row: JoinedResult }[];
  /** 0-based, clamped to the pages there are. */
  page: number;
  /** Rows the query keeps, on all pages. */
  matched: number;
}

/** An expanded row, as text: the whole answer and the request, response and error as readable JSON. */
export interface ResultDetail {
  answer: string | null;
  request: string | null;
  response: string | null;
  error: string | null;
}

export interface ExportOptions {
  signal?: AbortSignal;
  /** Called after each row is written. */
  onProgress?: (written: number, total: number) => void;
}

/**
 * Longest line shown in an expanded row. Longer ones (image results) would make a page of
 * hundreds of megabytes of text; they are still exported whole.
 */
export const MAX_DETAIL_LINE_BYTES = 16 * 1024 * 1024;

/** Export text is handed to the file in pieces of about this many characters. */
const EXPORT_PIECE_CHARS = 256 * 1024;

/**
 * The results of one batch, indexed: the compact joined rows in memory and, for each, where its
 * request and result lines are in the local files. Search, sort and paging run over the rows;
 * an expanded row or an export reads its lines back by offset, so memory does not grow with
 * the size of the files.
 */
export class ResultsIndex {
  /** Made again when rows change: its sort orders are of the rows it was made with. */
  private finder: RowFinder | undefined;
  private done: boolean;

  private constructor(
    private joined: JoinReport,
    /** The file sets rows read back from: one, or one per batch of a chain (`row.source`). */
    private readonly paths: ResultFilePaths | readonly ResultFilePaths[],
    private readonly endpoint: string | null | undefined,
    complete = true,
  ) {
    this.done = complete;
  }

  /**
   * An index with no rows yet, for an indexer to fill ({@link applyRows}, then {@link finish}):
   * see `progressiveIndex.ts`. Until it is finished, queries keep only the rows that have their
   * result (the others are pending, not yet missing).
   */
  static growing(paths: ResultFilePaths, endpoint: string | null | undefined): ResultsIndex {
    const report: JoinReport = {
      rows: [],
      counts: { succeeded: 0, failed: 0, missing: 0, unmatched: 0 },
      skipped: [],
      skippedCount: 0,
      overLimit: 0,
    };
    return new ResultsIndex(report, paths, endpoint, false);
  }

  /** Whether all the files have been read: until then rows are added and filled in. */
  get complete(): boolean {
    return this.done;
  }

  /** The rows and what the join counted; while growing, rows without a result count as `missing`. */
  get report(): JoinReport {
    return this.joined;
  }

  /** Takes in rows an indexer added, and places rows an input line was read for. */
  applyRows(update: Pick<RowUpdate, 'indexes' | 'rows' | 'placed'>): void {
    const { rows, counts } = this.joined;
    for (let i = 0; i < update.indexes.length; i++) {
      const index = update.indexes[i];
      const row = update.rows[i];
      const old = rows[index];
      if (old) {
        counts[old.outcome]--;
        if (old.line < 0) counts.unmatched--;
      }
      counts[row.outcome]++;
      if (row.line < 0) counts.unmatched++;
      rows[index] = row;
    }
    const placed = update.placed;
    if (placed) {
      for (let i = 0; i + 3 < placed.length; i += 4) {
        const row = rows[placed[i]];
        if (!row) continue;
        if (row.line < 0) counts.unmatched--;
        // As small integers: a double stored where the row had one (-1) would make V8 migrate every row's shape (3× slower).
        row.line = small(placed[i + 1]);
        row.inputAt = { offset: small(placed[i + 2]), bytes: small(placed[i + 3]) };
      }
    }
    this.finder = undefined;
  }

  /** All files read: rows still without a result are missing from now on. */
  finish(totals: JoinTotals): void {
    this.joined = { ...totals, rows: this.joined.rows };
    this.done = true;
    this.finder = undefined;
  }

  private rowFinder(): RowFinder {
    return (this.finder ??= new RowFinder(this.joined.rows, { pendingHidden: !this.done }));
  }

  /**
   * The combined results of a chain (resubmissions, split parts): one row per `custom_id`, the
   * latest attempt's, each reading its lines back from its own batch's files. Rows are copies.
   */
  static combine(parts: readonly { index: ResultsIndex; attempt: number; batchId: string }[]): ResultsIndex {
    const sources = parts.map(({ index }) =>
      Array.isArray(index.paths) ? (index.paths as ResultFilePaths[])[0] : (index.paths as ResultFilePaths),
    );
    const combined = combineAttempts(parts.map(({ index, attempt }) => ({ attempt, rows: index.inInputOrder() })));
    // `line` becomes the request's place in the original input (parts one after another), as
    // its first attempt had it; `inputAt` still points into the input of the attempt shown.
    let line = 0;
    const rows = combined.map(({ row, source, attempt, attempts }): JoinedResult => ({
      ...row,
      line: row.line < 0 ? -1 : ++line,
      source,
      attempt,
      attempts,
      batchId: parts[source].batchId,
    }));
    const counts = { succeeded: 0, failed: 0, missing: 0, unmatched: 0 };
    for (const row of rows) {
      counts[row.outcome]++;
      if (row.line < 0) counts.unmatched++;
    }
    const reports = parts.map(({ index }) => index.report);
    const report: JoinReport = {
      rows,
      counts,
      skipped: reports.flatMap((r) => r.skipped).slice(0, 100),
      skippedCount: reports.reduce((n, r) => n + r.skippedCount, 0),
      overLimit: reports.reduce((n, r) => n + r.overLimit, 0),
    };
    return new ResultsIndex(report, sources, parts[0]?.index.endpoint);
  }

  /** Reads the files once, line by line, keeping for each row only what the table shows and where its lines are. */
  static async open(paths: ResultFilePaths, options: OpenResultsOptions = {}): Promise<ResultsIndex> {
    return new ResultsIndex(await indexFiles(paths, options), paths, options.endpoint);
  }

  /**
   * The rows, by their index (the handle a page sends back). In input order when opened with
   * {@link open}; in the order they were indexed when filled progressively (results first).
   */
  get rows(): readonly JoinedResult[] {
    return this.report.rows;
  }

  /** The rows in input order, those not in the input last: for a join with other rows (chains, compare). */
  inInputOrder(): readonly JoinedResult[] {
    const order = this.rowFinder().find({ outcome: 'all', search: '', sortKey: 'line', descending: false });
    const { rows } = this;
    return Array.from(order, (index) => rows[index]);
  }

  /** The indexes of the rows a query keeps, in its order. */
  find(query: RowQuery): Uint32Array {
    return this.rowFinder().find(query);
  }

  /** One page of the rows a query keeps. */
  page(query: RowQuery, page: number, pageSize: number): RowPage {
    const indexes = this.rowFinder().find(query);
    const last = Math.max(0, Math.ceil(indexes.length / pageSize) - 1);
    const current = Math.min(Math.max(0, page), last);
    const rows = Array.from(indexes.subarray(current * pageSize, (current + 1) * pageSize), (index) => ({ index, row: this.rows[index] }));
    return { rows, page: current, matched: indexes.length };
  }

  /** A row's request and result read back from the files, for the expanded row: embeddings as their dimensions and norm. */
  async detail(index: number): Promise<ResultDetail | undefined> {
    const row = this.rows[index];
    if (!row) return undefined;
    const files = new OpenFiles(this.paths, this.endpoint);
    try {
      const tooLong = (at: LineLocation, file: FileRole, line: number): string =>
        `This line is ${formatBytes(at.bytes)}, too long to show here: export the row as JSONL, or open the ${file} file at line ${line}.`;
      const request = row.inputAt && row.inputAt.bytes > MAX_DETAIL_LINE_BYTES ? tooLong(row.inputAt, 'input', row.line) : undefined;
      const result =
        row.resultAt && row.resultAt.bytes > MAX_DETAIL_LINE_BYTES
          ? tooLong(row.resultAt, row.resultAt.file, row.resultAt.line)
          : undefined;
      const full = await files.full(row, { request: request === undefined, result: result === undefined });
      return {
        answer: full.answer ?? row.answer ?? null,
        request: request ?? readableJson(full.request),
        response: result ?? readableJson(full.response),
        error: result === undefined ? readableJson(full.error) : null,
      };
    } finally {
      await files.close();
    }
  }

  /**
   * Writes the rows at `indexes` (in that order) to `destination` as CSV or JSON Lines, streamed:
   * each row's lines are read back from the files as it is written, so an export of a 1.5 GB
   * output holds one row at a time ({@link writeAtomically}: nothing partial under the final name).
   */
  async exportRows(
    indexes: ArrayLike<number>,
    format: ExportFormat,
    destination: string,
    options: ExportOptions = {},
  ): Promise<{ rows: number }> {
    const { rows, paths, endpoint } = this;
    const total = indexes.length;
    async function* text(): AsyncGenerator<string> {
      // Owned by the generator: when the export stops, a read in flight ends before the files close.
      const files = new OpenFiles(paths, endpoint);
      try {
        let piece = format === 'csv' ? CSV_HEADER : '';
        for (let i = 0; i < total; i++) {
          const row = rows[indexes[i]];
          if (format === 'csv') {
            // Only a cut answer needs its line read again; everything else is in the row.
            const answer = row.answerCut ? (await files.full(row, { request: false, result: true })).answer : row.answer;
            piece += toCsv([{ ...row, answer }], false);
          } else {
            const full = await files.full(row, { request: true, result: true });
            piece += toJsonl([{ ...row, ...full, answer: full.answer ?? row.answer }]);
          }
          options.onProgress?.(i + 1, total);
          if (piece.length >= EXPORT_PIECE_CHARS) {
            yield piece;
            piece = '';
          }
        }
        if (piece) yield piece;
      } finally {
        await files.close();
      }
    }
    await writeAtomically(text(), destination, options.signal);
    return { rows: total };
  }
}

/** The batch's files, each opened on first use and kept open until {@link close}: one task's worth. */
class OpenFiles {
  /** By path: a chain's rows read from several batches' files. */
  private readonly open = new Map<string, Promise<LineFile>>();

  constructor(
    private readonly sources: ResultFilePaths | readonly ResultFilePaths[],
    private readonly endpoint: string | null | undefined,
  ) {}

  /** A row's request and result lines read back and parsed; checks they are still the row's. */
  async full(row: JoinedResult, read: { request: boolean; result: boolean }): Promise<FullResult> {
    const full: FullResult = {};
    const paths = Array.isArray(this.sources) ? (this.sources as ResultFilePaths[])[row.source ?? 0] : (this.sources as ResultFilePaths);
    if (read.request && row.inputAt) full.request = await this.readJson(paths, 'input', row.inputAt, row.customId);
    if (read.result && row.resultAt) {
      const result = await this.readJson(paths, row.resultAt.file, row.resultAt, row.customId);
      full.response = result.response ?? undefined;
      full.error = result.error ?? undefined;
      full.answer = summarizeResult(result, this.endpoint).answer;
    }
    return full;
  }

  async close(): Promise<void> {
    const files = await Promise.allSettled(this.open.values());
    this.open.clear();
    await Promise.all(files.map((file) => (file.status === 'fulfilled' ? file.value.close() : Promise.resolve())));
  }

  private async readJson(
    paths: ResultFilePaths | undefined,
    role: 'input' | ResultFile,
    at: LineLocation,
    customId: string,
  ): Promise<Record<string, unknown>> {
    const path = paths?.[role];
    if (!path) throw new Error(`The ${role} file is not available.`);
    let file = this.open.get(path);
    if (!file) {
      file = LineFile.open(path);
      this.open.set(path, file);
    }
    const text = await (await file).read(at.offset, at.bytes);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    // The cached copy was replaced since it was indexed: better no answer than another request's.
    if (!isRecord(value) || value.custom_id !== customId) {
      throw new Error(`The ${role} file changed since it was read (no "${customId}" at byte ${at.offset}); reopen the results.`);
    }
    return value;
  }
}
