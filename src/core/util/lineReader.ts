import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

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
  for await (const record of readLineRecords(path, options)) yield record.text;
}

/**
 * {@link readLines} with where each line is in the file: its byte offset and length without the
 * line break (and without the BOM on the first line), so {@link LineFile.read} can read exactly
 * that text back later without the file being held.
 */
export async function* readLineRecords(path: string, options: ReadLinesOptions = {}): AsyncGenerator<LineRecord> {
  for await (const line of readLineBuffers(path, options)) {
    const text = line.bytes instanceof Uint8Array ? line.bytes.toString('utf8') : line.bytes;
    yield { text, offset: line.offset, bytes: line.length };
  }
}

/**
 * The lines of a file as bytes, not decoded: for a caller that looks at a few fields of each
 * line and need not turn a 30 KB line into a string first (the results index). Each line's
 * `bytes` is a view of a buffer reused by the next read: use it, or copy it, before the next
 * line is asked for. Same limits, line breaks and BOM handling as {@link readLineRecords}.
 */
export async function* readLineBuffers(path: string, options: ReadLinesOptions = {}): AsyncGenerator<LineBuffer> {
  // One buffer, reused for every read: skipping a long line allocates nothing.
  const buffer = Buffer.allocUnsafe(options.chunkBytes ?? 1024 * 1024);
  const lines = new LineAssembler(options.maxLineBytes ?? MAX_LINE_BYTES);
  const file = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      yield* lines.take(buffer.subarray(0, bytesRead));
    }
    const last = lines.end();
    if (last) yield last;
  } finally {
    await file.close();
  }
}

/**
 * {@link readLineBuffers} with blocking reads: for a worker thread, whose only task is reading
 * the file, where each awaited read would wait for a turn of the thread pool. Never on the
 * extension host's thread.
 */
export function* readLineBuffersSync(path: string, options: ReadLinesOptions = {}): Generator<LineBuffer> {
  const buffer = Buffer.allocUnsafe(options.chunkBytes ?? 1024 * 1024);
  const lines = new LineAssembler(options.maxLineBytes ?? MAX_LINE_BYTES);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      yield* lines.take(buffer.subarray(0, bytesRead));
    }
    const last = lines.end();
    if (last) yield last;
  } finally {
    closeSync(fd);
  }
}

/**
 * Splits the chunks of a file into lines. A line within one chunk is a view of it; the earlier
 * bytes of a line that spans chunks are copied into one buffer kept for the purpose (grown as
 * needed, and let go after a line over {@link KEPT_CARRY_BYTES}), so a 30 KB line that crosses a
 * read allocates nothing.
 */
class LineAssembler {
  /** The current line's bytes from earlier chunks, while it is within the limit. */
  private carry: Buffer | undefined;
  private carried = 0;
  /** Bytes of the current line seen so far, kept or not. */
  private length = 0;
  private tooLong = false;
  private first = true;
  /** File offsets of the current line's first byte and of the current chunk. */
  private lineStart = 0;
  private chunkStart = 0;
  /** The line's last byte, kept when its bytes are dropped so a CR can still be left out of its length. */
  private lastByte = -1;

  constructor(private readonly limit: number) {}

  /** The lines `chunk` completes; each is valid until the chunk's buffer is read into again. */
  *take(chunk: Buffer): Generator<LineBuffer> {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      const line = this.finish(chunk, start, end);
      start = end + 1;
      this.lineStart = this.chunkStart + start;
      yield line;
    }
    if (start < chunk.length) this.keep(chunk, start, chunk.length);
    this.chunkStart += chunk.length;
  }

  /** The last line, when the file does not end with a line break. */
  end(): LineBuffer | undefined {
    return this.length > 0 || this.tooLong ? this.finish(NO_BYTES, 0, 0) : undefined;
  }

  /** Keeps `chunk[from, to)`, the start of a line that goes on in the next chunk. */
  private keep(chunk: Buffer, from: number, to: number): void {
    this.length += to - from;
    this.lastByte = chunk[to - 1];
    if (this.tooLong) return;
    if (this.length > this.limit) {
      this.drop();
      return;
    }
    this.append(chunk, from, to);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const needed = this.carried + to - from;
    if (!this.carry || this.carry.length < needed) {
      const grown = Buffer.allocUnsafe(Math.min(this.limit, Math.max(needed, 2 * (this.carry?.length ?? 0), 64 * 1024)));
      this.carry?.copy(grown, 0, 0, this.carried);
      this.carry = grown;
    }
    this.carried += chunk.copy(this.carry, this.carried, from, to);
  }

  private drop(): void {
    this.tooLong = true;
    this.carried = 0;
    if ((this.carry?.length ?? 0) > KEPT_CARRY_BYTES) this.carry = undefined;
  }

  /** The line that ends at `chunk[to]` (a line break, or the file's end), its last bytes `chunk[from, to)`. */
  private finish(chunk: Buffer, from: number, to: number): LineBuffer {
    const { limit, lineStart } = this;
    const length = this.length + (to - from);
    if (to > from) this.lastByte = chunk[to - 1];
    let line: LineBuffer;
    if (this.tooLong || length > limit) {
      line = { bytes: { bytes: length, limit }, offset: lineStart, length: length - (this.lastByte === CARRIAGE_RETURN ? 1 : 0) };
    } else {
      // Within one chunk, a view of it; else the earlier bytes and these, together in the kept buffer.
      if (this.carried > 0) this.append(chunk, from, to);
      let bytes = this.carried > 0 ? (this.carry as Buffer).subarray(0, this.carried) : chunk.subarray(from, to);
      let offset = lineStart;
      if (bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
      if (this.first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        bytes = bytes.subarray(3);
        offset += 3;
      }
      line = { bytes, offset, length: bytes.length };
    }
    if ((this.carry?.length ?? 0) > KEPT_CARRY_BYTES) this.carry = undefined;
    this.carried = 0;
    this.length = 0;
    this.tooLong = false;
    this.first = false;
    this.lastByte = -1;
    return line;
  }
}

const NO_BYTES = Buffer.alloc(0);

/** The buffer for lines that span reads is let go after a line longer than this, so one long line does not stay in memory. */
const KEPT_CARRY_BYTES = 4 * 1024 * 1024;

/**
 * One file opened to read lines back by the location {@link readLineRecords} gave them. Opened
 * for one task (showing a row, an export) and closed after it, so no handle outlives the task.
 */
export class LineFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<LineFile> {
    return new LineFile(await open(path, 'r'), path);
  }

  /** The text of the line at `offset`, `bytes` long; fails if the file is now shorter. */
  async read(offset: number, bytes: number): Promise<string> {
    if (bytes > MAX_LINE_BYTES) throw new Error(`A line of ${bytes} bytes is over the ${MAX_LINE_BYTES}-byte limit.`);
    const buffer = Buffer.allocUnsafe(bytes);
    let done = 0;
    while (done < bytes) {
      const { bytesRead } = await this.handle.read(buffer, done, bytes - done, offset + done);
      if (bytesRead === 0) throw new Error(`${this.path} ended before byte ${offset + bytes}: it changed after it was read.`);
      done += bytesRead;
    }
    return buffer.toString('utf8');
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** A line that was not read because it is longer than the reader's limit: only its size is known. */
export interface OversizedLine {
  bytes: number;
  limit: number;
}

/** Where a line is in its file: its first byte and its length, without the line break. */
export interface LineLocation {
  offset: number;
  bytes: number;
}

/** A line as `readLineRecords` yields it: its text (or only its size, when too long) and where it is. */
export interface LineRecord extends LineLocation {
  text: string | OversizedLine;
}

/** A line as {@link readLineBuffers} yields it: its bytes (a view, valid until the next line; or only its size, when too long) and where it is. */
export interface LineBuffer {
  bytes: Buffer | OversizedLine;
  offset: number;
  /** Bytes of the line, without its line break. */
  length: number;
}
