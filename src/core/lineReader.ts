import { open } from 'node:fs/promises';
import type { OversizedLine } from './resultsJoin';

/**
 * Longest line read into memory: 64 MiB. The longest legitimate JSONL lines are image results
 * (up to 10 base64 images per request) and requests with inline images, a few MB to tens of MB;
 * a line over this is reported by size and skipped, so one line costs at most about three times
 * this while it is decoded and parsed.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export interface ReadLinesOptions {
  /** Default {@link MAX_LINE_BYTES}. */
  maxLineBytes?: number;
  /** Bytes per read; default 1 MiB. */
  chunkBytes?: number;
}

/**
 * The lines of a UTF-8 text file, streamed (LF or CRLF; a leading BOM is dropped), so a 200 MB
 * JSONL file is never held as one string. A line longer than `maxLineBytes` is yielded as an
 * {@link OversizedLine} instead of text: its bytes are counted and dropped as they stream by,
 * so memory stays bounded however long it is, and the lines after it are read as usual.
 */
export async function* readLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<string | OversizedLine> {
  const limit = options.maxLineBytes ?? MAX_LINE_BYTES;
  // One buffer, reused for every read: skipping a long line allocates nothing.
  const buffer = Buffer.allocUnsafe(options.chunkBytes ?? 1024 * 1024);
  /** The current line's pieces, while it is within the limit. */
  let pieces: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  let first = true;

  /** `copy`: the piece outlives this read, and so must not be a view of the reused buffer. */
  const add = (piece: Buffer, copy: boolean): void => {
    length += piece.length;
    if (tooLong) return;
    if (length > limit) {
      tooLong = true;
      pieces = [];
    } else if (piece.length > 0) {
      pieces.push(copy ? Buffer.from(piece) : piece);
    }
  };
  const finish = (): string | OversizedLine => {
    const line = tooLong ? { bytes: length, limit } : decode(pieces, length, first);
    pieces = [];
    length = 0;
    tooLong = false;
    first = false;
    return line;
  };

  const file = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
        // The line is decoded before the next read, so its last piece can stay a view.
        add(chunk.subarray(start, end), false);
        start = end + 1;
        yield finish();
      }
      add(chunk.subarray(start), true);
    }
    if (length > 0 || tooLong) yield finish();
  } finally {
    await file.close();
  }
}

function decode(pieces: Buffer[], length: number, first: boolean): string {
  let bytes = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, length);
  if (bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
  if (first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  return bytes.toString('utf8');
}
