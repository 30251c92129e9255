/**
 * The join of a batch's input, output and error lines by `custom_id`, one line at a time, so
 * rows can be shown while the rest of the files are still being read (see `indexFiles.ts`).
 * Input lines first, in order (one row each); then result lines, each filling in its request's
 * row or adding an unmatched one. Until {@link ResultsJoiner.report}, a row without a result is
 * only pending: it is `missing` once all result lines have been read.
 */
import type { LineBuffer, LineLocation, LineRecord, OversizedLine } from '../util/lineReader';
import { isRecord } from '../util/json';
import { resultErrorKey } from './errorSummary';
import { leadingCustomId, parseResultLine } from './resultLine';
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

/** At most this many skipped lines are listed; all are counted. */
const MAX_SKIPPED_LISTED = 100;

export class ResultsJoiner {
  readonly rows: JoinedResult[] = [];
  private readonly skipped: SkippedLine[] = [];
  private skippedCount = 0;
  private overLimit = 0;
  private inputCut = false;
  private unmatched = 0;
  private readonly maxRows: number;
  /** One copy of each error group key, shared by the rows of the group. */
  private readonly errorKeys = new Map<string, string>();
  /** custom_id → row index; an id used on several input lines maps to all of them, in order. */
  private readonly byId = new Map<string, number | number[]>();

  constructor(private readonly options: JoinOptions = {}) {
    this.maxRows = options.maxRows ?? MAX_ROWS;
  }

  /** Line `lineNumber` (1-based) of the input file; returns the index of the row it adds, if any. */
  addRequest(lineNumber: number, item: JoinLine): number | undefined {
    const request = this.readLine('input', lineNumber, item, false)?.value;
    if (!request) return undefined;
    if (this.rows.length >= this.maxRows) {
      this.overLimit++;
      this.inputCut = true;
      return undefined;
    }
    // Copied: the row must not hold the parsed line or its text.
    const customId = request.custom_id as string;
    const row: JoinedResult = { customId, line: lineNumber, outcome: 'missing' };
    const at = locationOf(item);
    if (at) row.inputAt = at;
    const index = this.rows.push(row) - 1;
    const known = this.byId.get(customId);
    if (known === undefined) this.byId.set(customId, index);
    else this.byId.set(customId, Array.isArray(known) ? [...known, index] : [known, index]);
    return index;
  }

  /** Line `lineNumber` of the output or error file; returns the index of the row it fills in or adds, if any. */
  addResult(file: ResultFile, lineNumber: number, item: JoinLine): number | undefined {
    const { rows } = this;
    const read = this.readLine(file, lineNumber, item, true);
    if (!read) return undefined;
    const result = read.value;
    const customId = result.custom_id as string;
    const known = this.byId.get(customId);
    const candidates = known === undefined ? [] : Array.isArray(known) ? known : [known];
    const index = candidates.find((i) => rows[i].outcome === 'missing');
    if (index === undefined && (this.inputCut || rows.length >= this.maxRows)) {
      // Its request may be one of those left out: it cannot be told from an unmatched result.
      this.overLimit++;
      return undefined;
    }
    const row: JoinedResult = index !== undefined ? rows[index] : { customId, line: -1, outcome: 'missing' };
    applyResult(row, result, this.options.endpoint);
    // Numbers left unread (see resultLine.ts): the whole answer is read back with the line.
    if (read.cut) row.answerCut = true;
    if (row.outcome === 'failed') row.errorKey = this.internedErrorKey(result);
    const at = locationOf(item);
    if (at) row.resultAt = { file, line: lineNumber, offset: at.offset, bytes: at.bytes };
    if (index !== undefined) return index;
    this.unmatched++;
    return rows.push(row) - 1;
  }

  /** What the join came to; rows without a result are `missing` from now on. */
  report(): JoinReport {
    const counts = { succeeded: 0, failed: 0, missing: 0, unmatched: this.unmatched };
    for (const row of this.rows) counts[row.outcome]++;
    return { rows: this.rows, counts, skipped: this.skipped, skippedCount: this.skippedCount, overLimit: this.overLimit };
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
      const customId = leadingCustomId(content);
      if (customId !== undefined) return { value: { custom_id: customId }, cut: false };
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

function isBlankBytes(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0a) return false;
  return true;
}

function locationOf(item: JoinLine): LineLocation | undefined {
  if (typeof item !== 'object' || !('offset' in item)) return undefined;
  return { offset: item.offset, bytes: 'text' in item ? item.bytes : item.length };
}

/**
 * Joins input, output and error lines. Any source may be absent (an input file the provider
 * will not serve, a batch with only an error file): without the input, rows follow result order.
 */
export async function joinResults(
  input?: LineSource,
  output?: LineSource,
  error?: LineSource,
  options: JoinOptions = {},
): Promise<JoinReport> {
  const joiner = new ResultsJoiner(options);
  if (input) {
    let lineNumber = 0;
    for await (const item of input) joiner.addRequest(++lineNumber, item);
  }
  for (const [file, source] of [
    ['output', output],
    ['error', error],
  ] as const) {
    if (!source) continue;
    let lineNumber = 0;
    for await (const item of source) joiner.addResult(file, ++lineNumber, item);
  }
  return joiner.report();
}
