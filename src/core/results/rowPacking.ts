/**
 * Rows as the results worker hands them to the thread that shows them: in columns of numbers and
 * strings rather than one object per row. Structured clone writes every property name of every
 * object, and the receiving thread builds every object again from that; columns of typed arrays
 * cross as blocks of bytes (handed over without copying), and repeated texts (an embeddings
 * batch's answers, error groups) once. `unpackRows` gives back rows equal to those packed, with
 * the same properties present.
 */
import type { JoinedResult, Outcome, ResultFile } from './resultsJoin';

const OUTCOMES: readonly Outcome[] = ['succeeded', 'failed', 'missing'];
const FILES: readonly ResultFile[] = ['output', 'error'];
const USAGE_KEYS = ['input_tokens', 'output_tokens', 'total_tokens', 'cached_tokens'] as const;

/** Which of a row's optional properties are present. */
const HAS_STATUS = 1;
const HAS_ANSWER = 2;
const ANSWER_CUT = 4;
const HAS_USAGE = 8;
const HAS_RESULT_AT = 16;
const HAS_INPUT_AT = 32;
const HAS_ERROR_KEY = 64;

export interface PackedRows {
  ids: string[];
  /** Per row: `line`, `statusCode` (NaN when undefined), then `resultAt` (file, line, offset, bytes) and `inputAt` (offset, bytes). */
  numbers: Float64Array;
  /** Per row: outcome, then the flags above. */
  codes: Uint8Array;
  /** Per row: the four token counts (NaN when absent). */
  usage: Float64Array;
  /** Per row: the index of its answer and of its error key in `texts` (-1: undefined). */
  textIndexes: Int32Array;
  texts: string[];
}

const NUMBERS = 8;

/** `value` (a whole number) as a small integer when it is one, so V8 keeps it unboxed (a double in a row's field makes V8 migrate every row's shape, measured 3× slower). */
export function small(value: number): number {
  return value <= 0x3fffffff ? value | 0 : value;
}

/** The buffers to hand over (transfer) with `packed`. */
export function packedBuffers(packed: PackedRows): ArrayBuffer[] {
  return [packed.numbers.buffer, packed.codes.buffer, packed.usage.buffer, packed.textIndexes.buffer] as ArrayBuffer[];
}

export function packRows(rows: readonly JoinedResult[]): PackedRows {
  const count = rows.length;
  const numbers = new Float64Array(count * NUMBERS);
  const codes = new Uint8Array(count * 2);
  const usage = new Float64Array(count * USAGE_KEYS.length);
  const textIndexes = new Int32Array(count * 2);
  const texts: string[] = [];
  const textIndex = new Map<string, number>();
  const indexOf = (text: string | undefined): number => {
    if (text === undefined) return -1;
    let index = textIndex.get(text);
    if (index === undefined) textIndex.set(text, (index = texts.push(text) - 1));
    return index;
  };
  const ids: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const row = rows[i];
    ids[i] = row.customId;
    let flags = 0;
    const at = i * NUMBERS;
    numbers[at] = row.line;
    if ('statusCode' in row) flags |= HAS_STATUS;
    numbers[at + 1] = row.statusCode ?? NaN;
    if (row.resultAt) {
      flags |= HAS_RESULT_AT;
      numbers[at + 2] = FILES.indexOf(row.resultAt.file);
      numbers[at + 3] = row.resultAt.line;
      numbers[at + 4] = row.resultAt.offset;
      numbers[at + 5] = row.resultAt.bytes;
    }
    if (row.inputAt) {
      flags |= HAS_INPUT_AT;
      numbers[at + 6] = row.inputAt.offset;
      numbers[at + 7] = row.inputAt.bytes;
    }
    if ('answer' in row) flags |= HAS_ANSWER;
    if (row.answerCut) flags |= ANSWER_CUT;
    if (row.errorKey !== undefined) flags |= HAS_ERROR_KEY;
    if (row.usage) {
      flags |= HAS_USAGE;
      for (let k = 0; k < USAGE_KEYS.length; k++) usage[i * USAGE_KEYS.length + k] = row.usage[USAGE_KEYS[k]] ?? NaN;
    }
    codes[2 * i] = OUTCOMES.indexOf(row.outcome);
    codes[2 * i + 1] = flags;
    textIndexes[2 * i] = indexOf(row.answer);
    textIndexes[2 * i + 1] = indexOf(row.errorKey);
  }
  return { ids, numbers, codes, usage, textIndexes, texts };
}

export function unpackRows(packed: PackedRows): JoinedResult[] {
  const { ids, numbers, codes, usage, textIndexes, texts } = packed;
  const rows: JoinedResult[] = new Array<JoinedResult>(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const at = i * NUMBERS;
    const flags = codes[2 * i + 1];
    const row: JoinedResult = { customId: ids[i], line: small(numbers[at]), outcome: OUTCOMES[codes[2 * i]] };
    if (flags & HAS_STATUS) row.statusCode = Number.isNaN(numbers[at + 1]) ? undefined : small(numbers[at + 1]);
    if (flags & HAS_ANSWER) row.answer = textIndexes[2 * i] < 0 ? undefined : texts[textIndexes[2 * i]];
    if (flags & ANSWER_CUT) row.answerCut = true;
    if (flags & HAS_USAGE) {
      const counts: NonNullable<JoinedResult['usage']> = {};
      for (let k = 0; k < USAGE_KEYS.length; k++) {
        const value = usage[i * USAGE_KEYS.length + k];
        if (!Number.isNaN(value)) counts[USAGE_KEYS[k]] = small(value);
      }
      row.usage = counts;
    }
    if (flags & HAS_ERROR_KEY) row.errorKey = texts[textIndexes[2 * i + 1]];
    if (flags & HAS_RESULT_AT)
      row.resultAt = {
        file: FILES[numbers[at + 2]],
        line: small(numbers[at + 3]),
        offset: small(numbers[at + 4]),
        bytes: small(numbers[at + 5]),
      };
    if (flags & HAS_INPUT_AT) row.inputAt = { offset: small(numbers[at + 6]), bytes: small(numbers[at + 7]) };
    rows[i] = row;
  }
  return rows;
}
