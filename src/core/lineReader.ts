import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The lines of a UTF-8 text file, streamed (CRLF or LF; a leading BOM is dropped), so a
 * 200 MB JSONL file is never held as one string.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let first = true;
  try {
    for await (const line of lines) {
      if (first) {
        first = false;
        yield line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
      } else {
        yield line;
      }
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
