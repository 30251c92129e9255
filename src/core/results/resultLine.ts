/**
 * Reads one output/error line for the results index without building what the table never
 * shows. An embeddings line is about 30 KB, almost all of it the vector's numbers, and
 * `JSON.parse` spends nearly all its time turning them into an array (about 20 times the cost of
 * the rest of the line). So each `"embedding": [numbers]` is cut out of the bytes before the
 * rest is decoded and parsed, and stands as {@link EMBEDDING_NOT_READ}: the row gets the count
 * of embeddings, and the expanded row, which reads the whole line back, their dimensions and norm.
 *
 * Measured per 30 KB line (1,536 dimensions; see the bench's `results_index_ms`): whole-line
 * `JSON.parse` about 0.9 ms; cut and parse the rest about 0.05 ms; cut, parse the rest and count
 * the numbers in JavaScript (for the dimensions) about 0.16 ms; cut and parse the numbers by hand
 * (for the norm) about 0.65 ms. Only the cut alone stays near the speed of reading the file.
 */
import { EMBEDDING_NOT_READ } from './answers';

const EMBEDDING_KEY = Buffer.from('"embedding":');
const NOT_READ_JSON = JSON.stringify(EMBEDDING_NOT_READ);
const NOT_READ_BYTES = Buffer.from(NOT_READ_JSON);
/** Where a cut line is assembled before it is decoded; a longer one is decoded piece by piece. */
const scratch = Buffer.allocUnsafe(64 * 1024);
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** A number's first character: the array holds numbers (or is empty), not objects, arrays or strings. */
function startsNumber(byte: number | undefined): boolean {
  return byte === 0x2d || byte === CLOSE_BRACKET || (byte !== undefined && byte >= 0x30 && byte <= 0x39);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Where each array of numbers under an `"embedding"` key is: the positions of its `[` and of
 * the first `]` after it, two numbers per array. A quoted `"embedding":` inside a string value
 * cannot occur (its quotes would be escaped), and a cut in the wrong place (an array holding
 * arrays or strings) leaves text that does not parse, so callers fall back to the whole line then.
 */
export function embeddingSpans(bytes: Buffer): number[] {
  const spans: number[] = [];
  findSpans(bytes, spans);
  return spans;
}

/** {@link embeddingSpans} into `spans` (emptied first): an index reuses one array for every line. */
function findSpans(bytes: Buffer, spans: number[]): void {
  spans.length = 0;
  let at = bytes.indexOf(EMBEDDING_KEY);
  while (at >= 0) {
    let open = at + EMBEDDING_KEY.length;
    while (isSpace(bytes[open])) open++;
    let first = open + 1;
    while (isSpace(bytes[first])) first++;
    const close = bytes[open] === OPEN_BRACKET && startsNumber(bytes[first]) ? bytes.indexOf(CLOSE_BRACKET, first) : -1;
    if (close < 0) {
      at = bytes.indexOf(EMBEDDING_KEY, open);
      continue;
    }
    spans.push(open, close);
    at = bytes.indexOf(EMBEDDING_KEY, close + 1);
  }
}

/** The spans of the line being read: used only within {@link parseResultLine}. */
const lineSpans: number[] = [];

/**
 * The line parsed, with each array of numbers under an `"embedding"` key (see
 * {@link embeddingSpans}) replaced by {@link EMBEDDING_NOT_READ}; `cut` says how many were. When
 * the cut text does not parse, the whole line is parsed as it is. Undefined when it is not JSON.
 */
export function parseResultLine(bytes: Buffer): { value: unknown; cut: number } {
  const spans = lineSpans;
  findSpans(bytes, spans);
  if (spans.length === 0) return { value: parse(bytes.toString('utf8')), cut: 0 };
  const value = parse(cutText(bytes, spans));
  return value === undefined ? { value: parse(bytes.toString('utf8')), cut: 0 } : { value, cut: spans.length / 2 };
}

/** The line's text with each span replaced by {@link NOT_READ_JSON}: assembled as bytes and decoded once. */
function cutText(bytes: Buffer, spans: readonly number[]): string {
  let size = bytes.length;
  for (let i = 0; i < spans.length; i += 2) size -= spans[i + 1] - spans[i] + 1 - NOT_READ_BYTES.length;
  if (size > scratch.length) {
    let text = '';
    let from = 0;
    for (let i = 0; i < spans.length; i += 2) {
      text += bytes.toString('utf8', from, spans[i]) + NOT_READ_JSON;
      from = spans[i + 1] + 1;
    }
    return text + bytes.toString('utf8', from);
  }
  let to = 0;
  let from = 0;
  for (let i = 0; i < spans.length; i += 2) {
    to += bytes.copy(scratch, to, from, spans[i]);
    to += NOT_READ_BYTES.copy(scratch, to);
    from = spans[i + 1] + 1;
  }
  to += bytes.copy(scratch, to, from);
  return scratch.toString('utf8', 0, to);
}

/** Whether a line holds only JSON whitespace (a blank line is passed over, not counted as skipped). */
export function isBlankBytes(bytes: Buffer): boolean {
  for (const byte of bytes) if (!isSpace(byte)) return false;
  return true;
}

const CUSTOM_ID_KEY = Buffer.from('"custom_id":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * An input line's `custom_id`, read from its bytes when the line starts `{"custom_id":"…"` (as
 * batch input files do) and ends with `}`, without decoding or parsing the request body (a few
 * KB a line, 200 MB for 50,000 embeddings requests). Undefined when the line has another shape
 * or the id holds an escape: the caller parses the whole line then. The API accepted these lines
 * as JSON when the batch was created; the expanded row parses the line it reads back.
 */
export function leadingCustomId(bytes: Buffer): string | undefined {
  let at = 0;
  while (isSpace(bytes[at])) at++;
  if (bytes[at] !== 0x7b) return undefined;
  at++;
  while (isSpace(bytes[at])) at++;
  if (bytes.compare(CUSTOM_ID_KEY, 0, CUSTOM_ID_KEY.length, at, at + CUSTOM_ID_KEY.length) !== 0) return undefined;
  at += CUSTOM_ID_KEY.length;
  while (isSpace(bytes[at])) at++;
  if (bytes[at] !== QUOTE) return undefined;
  const start = at + 1;
  const end = bytes.indexOf(QUOTE, start);
  if (end < 0) return undefined;
  for (let i = start; i < end; i++) if (bytes[i] === BACKSLASH) return undefined;
  let last = bytes.length - 1;
  while (last > end && isSpace(bytes[last])) last--;
  if (bytes[last] !== 0x7d) return undefined;
  return bytes.toString('utf8', start, end);
}
