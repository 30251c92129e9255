/**
 * The join of a batch's output, error and input lines by `custom_id`, one line at a time, so
 * rows can be shown while the rest of the files are still being read (see `indexFiles.ts`).
 * Result lines first, so the first rows show before the input file (200 MB for 50,000
 * embeddings requests) is read: each adds a row, not yet placed in the input (`line` -1). Then
 * input lines, each placing the first row of its custom_id not yet placed, or adding a row
 * without a result. Until {@link ResultsJoiner.report}, a row without a result is only pending,
 * and one without an input line only not placed yet.
 */
import type { LineBuffer, LineLocation, LineRecord, OversizedLine } from '../util/lineReader';
import { isRecord } from '../util/json';
import { resultErrorKey } from './errorSummary';
import { isBlankBytes, leadingCustomId, parseResultLine } from './resultLine';
import {
  applyResult,
  type JoinedResult,
  type JoinOptions,
  type JoinReport,
  type LineSource,
  MAX_ROWS,
  isBlank,
  oversized,
  parseLine,
  type ResultFile,
  type SkippedLine,
} from './resultsJoin';

/** One line as a reader gives it: text, a record with its place in the file, or its undecoded bytes. */
export type JoinLine = string | OversizedLine | LineRecord | LineBuffer;

type Json = Record<string, unknown>;

const FILE_RANK: Record<SkippedLine['file'], number> = { input: 0, output: 1, error: 2 };

/** At most this many skipped lines are listed; all are counted. */
const MAX_SKIPPED_LISTED = 100;

export class ResultsJoiner {
  readonly rows: JoinedResult[] = [];
  private readonly skipped: SkippedLine[] = [];
  private skippedCount = 0;
  private overLimit = 0;
  private readonly maxRows: number;
  /** One copy of each error group key, shared by the rows of the group. */
  private readonly errorKeys = new Map<string, string>();
  /**
   * custom_id → the row of its result, or its rows when it has several, first first. An input
   * line looks its custom_id up once and changes nothing in the map: which rows are placed is
   * in {@link placed}.
   */
  private readonly byId = new Map<string, number | number[]>();
  /** 1 for each row an input line has placed, by row index: a small array, where the rows are scattered in memory. */
  private placed = new Uint8Array(1024);
  /** Whether rows have been handed over as copies (see {@link slim}). */
  private slimmed = false;

  constructor(private readonly options: JoinOptions = {}) {
    this.maxRows = options.maxRows ?? MAX_ROWS;
  }

  /**
   * Line `lineNumber` (1-based) of the input file, read after all result lines: places the first
   * row of its custom_id not placed yet, or adds a row without a result. Returns the index of the
   * row it placed or added (added when {@link rows} grew), if any.
   */
  addRequest(lineNumber: number, item: JoinLine): number | undefined {
    const customId = this.requestId(lineNumber, item);
    if (customId === undefined) return undefined;
    const index = this.takeUnplaced(customId);
    if (index !== undefined) {
      this.placed[index] = 1;
      const row = this.rows[index];
      row.line = lineNumber;
      // Rows handed over as copies learn where their request is from the caller's numbers.
      const at = this.slimmed ? undefined : locationOf(item);
      if (at) row.inputAt = at;
      return index;
    }
    const at = locationOf(item);
    if (this.rows.length >= this.maxRows) {
      this.overLimit++;
      return undefined;
    }
    // Copied: the row must not hold the parsed line or its text.
    const row: JoinedResult = { customId, line: lineNumber, outcome: 'missing' };
    if (at) row.inputAt = at;
    return this.rows.push(row) - 1;
  }

  /** Line `lineNumber` of the output or error file; returns the index of the row it adds, if any. */
  addResult(file: ResultFile, lineNumber: number, item: JoinLine): number | undefined {
    const read = this.readLine(file, lineNumber, item, true);
    if (!read) return undefined;
    if (this.rows.length >= this.maxRows) {
      // Its request may be one of those left out: it cannot be told from an unmatched result.
      this.overLimit++;
      return undefined;
    }
    const result = read.value;
    const customId = result.custom_id as string;
    const row: JoinedResult = { customId, line: -1, outcome: 'missing' };
    applyResult(row, result, this.options.endpoint);
    // Numbers left unread (see resultLine.ts): the whole answer is read back with the line.
    if (read.cut) row.answerCut = true;
    if (row.outcome === 'failed') row.errorKey = this.internedErrorKey(result);
    const at = locationOf(item);
    if (at) row.resultAt = { file, line: lineNumber, offset: at.offset, bytes: at.bytes };
    const index = this.rows.push(row) - 1;
    if (index >= this.placed.length) {
      const grown = new Uint8Array(2 * this.placed.length);
      grown.set(this.placed);
      this.placed = grown;
    }
    const known = this.byId.get(customId);
    if (known === undefined) this.byId.set(customId, index);
    else if (Array.isArray(known)) known.push(index);
    else this.byId.set(customId, this.placed[known] ? index : [known, index]);
    return index;
  }

  /**
   * Keeps of the rows at `indexes` only what the join still needs (custom_id, line, outcome):
   * for a worker, once it has handed the rows over, so it does not hold a second copy of them.
   */
  slim(indexes: readonly number[]): void {
    this.slimmed = true;
    const { rows } = this;
    for (const index of indexes) {
      const { customId, line, outcome } = rows[index];
      rows[index] = { customId, line, outcome };
    }
  }

  /**
   * What the join came to: rows without a result are `missing` from now on, and those no input
   * line placed are unmatched. The report's rows are in input order (unmatched last, in result
   * order), unless rows were handed over as copies (see {@link slim}): then only their count is
   * of use, and they are left unsorted. {@link rows} stays in the order rows were added, the
   * indexes given out.
   */
  report(): JoinReport {
    const counts = { succeeded: 0, failed: 0, missing: 0, unmatched: 0 };
    const placed: JoinedResult[] = [];
    const unplaced: JoinedResult[] = [];
    for (const row of this.rows) {
      counts[row.outcome]++;
      (row.line < 0 ? unplaced : placed).push(row);
    }
    counts.unmatched = unplaced.length;
    // Rows handed over as copies are of use only for their count (see `slim`).
    if (!this.slimmed) placed.sort((a, b) => a.line - b.line);
    const rows = unplaced.length === 0 ? placed : placed.concat(unplaced);
    // Listed as the files are named (input, output, error), whatever order they were read in.
    const skipped = [...this.skipped].sort((a, b) => FILE_RANK[a.file] - FILE_RANK[b.file] || a.line - b.line);
    return { rows, counts, skipped, skippedCount: this.skippedCount, overLimit: this.overLimit };
  }

  /** An input line's custom_id: read from its first bytes when it starts with it, else parsed. */
  private requestId(lineNumber: number, item: JoinLine): string | undefined {
    if (typeof item === 'object' && 'length' in item && Buffer.isBuffer(item.bytes)) {
      const customId = leadingCustomId(item.bytes);
      if (customId !== undefined) return customId;
    }
    return this.readLine('input', lineNumber, item, false)?.value.custom_id as string | undefined;
  }

  /** The first row of `customId` no input line has placed yet (the caller places it). */
  private takeUnplaced(customId: string): number | undefined {
    const known = this.byId.get(customId);
    if (known === undefined) return undefined;
    const { placed } = this;
    if (!Array.isArray(known)) return placed[known] ? undefined : known;
    while (known.length > 0) {
      const index = known.shift() as number;
      if (!placed[index]) return index;
    }
    return undefined;
  }

  private skip(entry: SkippedLine): void {
    if (this.skippedCount++ < MAX_SKIPPED_LISTED) this.skipped.push(entry);
  }

  /** Parses one line into a JSON object with a string custom_id, or says why it cannot be joined. */
  private readLine(file: SkippedLine['file'], line: number, item: JoinLine, result: boolean): { value: Json; cut: boolean } | undefined {
    const content = typeof item === 'string' || !('offset' in item) ? item : 'text' in item ? item.text : item.bytes;
    if (typeof content !== 'string' && !Buffer.isBuffer(content)) {
      this.skip({ file, line, reason: oversized(content) });
      return undefined;
    }
    let parsed: unknown;
    let cut = false;
    if (typeof content === 'string') {
      if (isBlank(content)) return undefined;
      parsed = parseLine(content);
    } else if (result) {
      // Bytes with a place in the file: what is cut can be read back.
      const read = parseResultLine(content);
      if (read.value === undefined && isBlankBytes(content)) return undefined;
      parsed = read.value;
      cut = read.cut > 0;
    } else {
      // An input line that starts with its custom_id never gets here (see requestId).
      const text = content.toString('utf8');
      if (isBlank(text)) return undefined;
      parsed = parseLine(text);
    }
    if (!isRecord(parsed) || typeof parsed.custom_id !== 'string') {
      this.skip({ file, line, reason: isRecord(parsed) ? 'no string custom_id' : 'not a JSON object' });
      return undefined;
    }
    return { value: parsed, cut };
  }

  private internedErrorKey(result: Json): string | undefined {
    const key = resultErrorKey(result);
    if (key === undefined) return undefined;
    const known = this.errorKeys.get(key);
    if (known !== undefined) return known;
    this.errorKeys.set(key, key);
    return key;
  }
}

function locationOf(item: JoinLine): LineLocation | undefined {
  if (typeof item !== 'object' || !('offset' in item)) return undefined;
  return { offset: item.offset, bytes: 'text' in item ? item.bytes : item.length };
}

/**
 * Joins input, output and error lines (the results first, see {@link ResultsJoiner}). Any source
 * may be absent (an input file the provider will not serve, a batch with only an error file):
 * without the input, rows follow result order.
 */
export async function joinResults(
  input?: LineSource,
  output?: LineSource,
  error?: LineSource,
  options: JoinOptions = {},
): Promise<JoinReport> {
  const joiner = new ResultsJoiner(options);
  for (const [file, source] of [
    ['output', output],
    ['error', error],
  ] as const) {
    if (!source) continue;
    let lineNumber = 0;
    for await (const item of source) joiner.addResult(file, ++lineNumber, item);
  }
  if (input) {
    let lineNumber = 0;
    for await (const item of input) joiner.addRequest(++lineNumber, item);
  }
  return joiner.report();
}
