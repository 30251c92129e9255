import * as assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { MAX_LINE_BYTES, readLines } from '../../../../src/core/util/lineReader';
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

describe('readLines: line length limit', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obe-lines-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

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
