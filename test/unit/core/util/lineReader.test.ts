import * as assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { type LineBuffer, MAX_LINE_BYTES, readLineBuffers, readLineBuffersSync, readLines } from '../../../../src/core/util/lineReader';
import { joinResults } from '../../../../src/core/results/resultsJoiner';
import { type OversizedLine } from '../../../../src/core/util/lineReader';

async function collect(source: AsyncIterable<string | OversizedLine>): Promise<(string | OversizedLine)[]> {
  const lines: (string | OversizedLine)[] = [];
  for await (const line of source) lines.push(line);
  return lines;
}

const result = (id: string): string =>
  JSON.stringify({
    id: `batch_req_${id}`,
    custom_id: id,
    response: { status_code: 200, body: { choices: [{ message: { content: `answer ${id}` } }] } },
    error: null,
  });

describe('line reader', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obe-lines-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('readLines: line length limit', () => {
    it('reports a line over the limit by its size and reads the lines around it, across chunk boundaries', async () => {
      const path = join(dir, 'lines.jsonl');
      const long = 'x'.repeat(10_000);
      // A BOM, CRLF, a multi-byte character split across 7-byte chunks, an empty line, no final newline.
      await writeFile(path, `\ufeffbefore\r\n${long}\r\nété ☃\n\n${'y'.repeat(1024)}\nafter`);
      const lines = await collect(readLines(path, { maxLineBytes: 1024, chunkBytes: 7 }));
      assert.deepEqual(lines, ['before', { bytes: 10_001, limit: 1024 }, 'été ☃', '', 'y'.repeat(1024), 'after']);
    });

    it('skips a line over the default limit; the results join names it and joins the rest', async function () {
      this.timeout(60_000);
      const path = join(dir, 'output.jsonl');
      const out = createWriteStream(path);
      out.write(`${result('a')}\n{"custom_id":"b","response":{"body":"`);
      const megabyte = Buffer.alloc(1024 * 1024, 'z');
      const size = MAX_LINE_BYTES / (1024 * 1024) + 1;
      for (let i = 0; i < size; i++) if (!out.write(megabyte)) await once(out, 'drain');
      out.end(`"}}\n${result('c')}\n`);
      await once(out, 'finish');

      const report = await joinResults(
        ['a', 'b', 'c'].map((id) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: {} })),
        readLines(path),
      );
      assert.deepEqual(
        report.rows.map((row) => [row.customId, row.outcome, row.answer]),
        [
          ['a', 'succeeded', 'answer a'],
          ['b', 'missing', undefined],
          ['c', 'succeeded', 'answer c'],
        ],
      );
      assert.deepEqual(report.skipped, [{ file: 'output', line: 2, reason: '65.0 MB, over the 64.0 MB line limit' }]);
    });
  });

  describe('readLineBuffers: lines that span reads', () => {
    /** Each line as text (copied before the next is read, as a caller must) with its place. */
    function copied(line: LineBuffer): [string | number, number, number] {
      return [Buffer.isBuffer(line.bytes) ? line.bytes.toString('utf8') : -line.bytes.bytes, line.offset, line.length];
    }

    it('gives every line, its offset and length at any read size, blocking or not, including lines far longer than a read', async () => {
      // Lines of 0 B to 200 KB, so some span many reads and the buffer for them grows; CRLF, a BOM, a
      // line over the limit, multi-byte characters, and no final line break.
      const lines = [
        '\ufeff{"a":1}',
        '',
        'x'.repeat(70_000),
        'é'.repeat(3_000) + '\r',
        'short',
        'y'.repeat(200_000),
        'z'.repeat(300),
        'w'.repeat(5),
        'end',
      ];
      const text = lines.join('\n');
      const path = join(dir, 'lines.jsonl');
      await writeFile(path, text);
      const limit = 150_000;
      // What the lines must be: split by hand, offsets counted in bytes.
      const expected: [string | number, number, number][] = [];
      let offset = 0;
      lines.forEach((line, index) => {
        const bytes = Buffer.byteLength(line);
        let body = line.endsWith('\r') ? line.slice(0, -1) : line;
        let at = offset;
        if (index === 0) {
          body = body.slice(1);
          at += 3;
        }
        expected.push(bytes > limit ? [-bytes, offset, bytes] : [body, at, Buffer.byteLength(body)]);
        offset += bytes + 1;
      });
      for (const chunkBytes of [7, 4096, 65_536, 1024 * 1024]) {
        const sync: [string | number, number, number][] = [];
        for (const line of readLineBuffersSync(path, { chunkBytes, maxLineBytes: limit })) sync.push(copied(line));
        assert.deepEqual(sync, expected, `blocking reads of ${chunkBytes} bytes`);
        const streamed: [string | number, number, number][] = [];
        for await (const line of readLineBuffers(path, { chunkBytes, maxLineBytes: limit })) streamed.push(copied(line));
        assert.deepEqual(streamed, expected, `reads of ${chunkBytes} bytes`);
      }
    });
  });
});
