import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCancellation } from '../../../../src/core/api/errors';
import { LineFile, readLineRecords } from '../../../../src/core/util/lineReader';
import { ResultsIndex } from '../../../../src/core/results/resultsIndex';
import { ANSWER_PREVIEW_CHARS } from '../../../../src/core/results/resultsJoin';
import { type LineRecord } from '../../../../src/core/util/lineReader';
import { embeddingResult } from '../../helpers';

const request = (id: string, input = `text of ${id}`): string =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input } });

/** A unit vector of `dimensions` values, scaled to `norm`. */
function vector(dimensions: number, norm = 1): number[] {
  const values = Array.from({ length: dimensions }, (_, i) => Math.sin(i + 1));
  const length = Math.sqrt(values.reduce((sum, x) => sum + x * x, 0));
  return values.map((x) => (x / length) * norm);
}

const chatResult = (id: string, content: string): string =>
  JSON.stringify({
    custom_id: id,
    response: {
      status_code: 200,
      body: { choices: [{ message: { role: 'assistant', content } }], usage: { prompt_tokens: 3, completion_tokens: 4 } },
    },
    error: null,
  });

const expired = (id: string): string =>
  JSON.stringify({ custom_id: id, response: null, error: { code: 'batch_expired', message: 'Not executed before the window expired.' } });

async function collect(source: AsyncIterable<LineRecord>): Promise<LineRecord[]> {
  const records: LineRecord[] = [];
  for await (const record of source) records.push(record);
  return records;
}

/** Every line read back by its offset equals the line read in order, and the file's bytes there. */
async function assertReadBack(path: string, records: LineRecord[]): Promise<void> {
  const bytes = await readFile(path);
  const file = await LineFile.open(path);
  try {
    for (const record of records) {
      if (typeof record.text !== 'string') continue;
      assert.equal(await file.read(record.offset, record.bytes), record.text, `line at ${record.offset}`);
      assert.equal(bytes.subarray(record.offset, record.offset + record.bytes).toString('utf8'), record.text);
    }
  } finally {
    await file.close();
  }
}

describe('results index', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obe-results-index-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes the files and opens them as the panel does. */
  async function openIndex(files: { input?: string[]; output?: string[]; error?: string[] }, maxRows?: number): Promise<ResultsIndex> {
    const paths: { input?: string; output?: string; error?: string } = {};
    for (const role of ['input', 'output', 'error'] as const) {
      const lines = files[role];
      if (!lines) continue;
      paths[role] = join(dir, `${role}.jsonl`);
      await writeFile(paths[role], `${lines.join('\n')}\n`);
    }
    return ResultsIndex.open(paths, { maxRows });
  }

  describe('line offsets', () => {
    it('gives each line its byte offset and length across chunk boundaries, without BOM or CRLF, and an over-long line its size', async () => {
      const path = join(dir, 'lines.jsonl');
      await writeFile(path, `\ufeffbefore\r\n${'x'.repeat(10_000)}\r\nété ☃\n\n${'y'.repeat(1024)}\nafter`);
      const records = await collect(readLineRecords(path, { maxLineBytes: 1024, chunkBytes: 7 }));
      assert.deepEqual(records, [
        { text: 'before', offset: 3, bytes: 6 },
        { text: { bytes: 10_001, limit: 1024 }, offset: 11, bytes: 10_000 },
        { text: 'été ☃', offset: 10_013, bytes: 9 },
        { text: '', offset: 10_023, bytes: 0 },
        { text: 'y'.repeat(1024), offset: 10_024, bytes: 1024 },
        { text: 'after', offset: 11_049, bytes: 5 },
      ]);
      await assertReadBack(path, records);
    });

    it('reads every line back by offset, whatever the chunk size, line breaks and characters', async () => {
      const path = join(dir, 'mixed.jsonl');
      const pieces = ['{"a":1}', 'ü'.repeat(33), '', '😀 emoji', 'z'.repeat(300), '\u2028 separator', '{"custom_id":"x"}'];
      let text = '\ufeff';
      for (let i = 0; i < 200; i++) text += `${pieces[i % pieces.length]}${i % 3 === 0 ? '\r\n' : '\n'}`;
      await writeFile(path, text);
      for (const chunkBytes of [1, 2, 3, 5, 64, 4096]) {
        const records = await collect(readLineRecords(path, { chunkBytes }));
        assert.equal(records.length, 200, `chunks of ${chunkBytes}`);
        assert.deepEqual(
          records.map((r) => r.text),
          Array.from({ length: 200 }, (_, i) => pieces[i % pieces.length]),
        );
        await assertReadBack(path, records);
      }
    });

    it('fails to read back a line the file no longer has', async () => {
      const path = join(dir, 'short.jsonl');
      await writeFile(path, 'abc\n');
      const file = await LineFile.open(path);
      try {
        await assert.rejects(file.read(2, 10), /ended before byte 12/);
      } finally {
        await file.close();
      }
    });
  });

  describe('compact rows', () => {
    it('never reads the numbers of an embedding while indexing; the expanded row and the CSV give its dimensions and norm', async () => {
      const index = await openIndex({
        input: [request('a'), request('b')],
        output: [embeddingResult('b', vector(1536, 0.5)), embeddingResult('a', vector(1536))],
      });
      assert.deepEqual(
        index.rows.map((row) => [row.customId, row.line, row.outcome, row.answer, row.answerCut]),
        [
          ['a', 1, 'succeeded', '1 embedding · expand for dimensions and norm', true],
          ['b', 2, 'succeeded', '1 embedding · expand for dimensions and norm', true],
        ],
      );
      assert.equal((await index.detail(1))!.answer, '1536 dimensions · norm 0.500');
      await index.exportRows([0, 1], 'csv', join(dir, 'embeddings.csv'));
      assert.match(
        await readFile(join(dir, 'embeddings.csv'), 'utf8'),
        /\r\na,1,succeeded,200,1536 dimensions · norm 1\.000,5,,5\r\nb,2,succeeded,200,1536 dimensions · norm 0\.500,5,,5\r\n$/,
      );
      const row = index.rows[0];
      assert.deepEqual(row.usage, { input_tokens: 5, total_tokens: 5 });
      assert.equal(row.resultAt?.file, 'output');
      assert.equal(row.resultAt?.line, 2);
      // Only what the table shows and where the lines are: a few hundred bytes, not the 30 KB line.
      assert.ok(JSON.stringify(row).length < 300, JSON.stringify(row));
    });

    it('reads base64 embeddings (encoding_format "base64") as dimensions and norm', async () => {
      const floats = new Float32Array([3, 4, 0, 0]);
      const base64 = Buffer.from(floats.buffer).toString('base64');
      const index = await openIndex({ input: [request('a')], output: [embeddingResult('a', base64)] });
      assert.equal(index.rows[0].answer, '4 dimensions · norm 5.000');
      const detail = await index.detail(0);
      assert.match(detail!.response!, /"embedding": "\[4 dimensions · norm 5\.000\]"/);
    });

    it('cuts a long answer to a preview; the expanded row and the CSV have all of it', async () => {
      // Longer than the preview, within the 2,000 characters answerSummary keeps.
      const long = `${'word '.repeat(300)}end`;
      const index = await openIndex({ input: [request('a'), request('b')], output: [chatResult('a', long), chatResult('b', 'short')] });
      const [a, b] = index.rows;
      assert.equal(a.answer!.length, ANSWER_PREVIEW_CHARS);
      assert.ok(a.answer!.endsWith('…'));
      assert.equal(a.answerCut, true);
      assert.equal(b.answer, 'short');
      assert.equal(b.answerCut, undefined);
      assert.equal((await index.detail(0))!.answer, long);
      await index.exportRows([0, 1], 'csv', join(dir, 'out.csv'));
      const csv = await readFile(join(dir, 'out.csv'), 'utf8');
      assert.equal(
        csv,
        `custom_id,line,outcome,status_code,answer,input_tokens,output_tokens,total_tokens\r\na,1,succeeded,200,${long},3,4,7\r\nb,2,succeeded,200,short,3,4,7\r\n`,
      );
    });
  });

  describe('expanded rows', () => {
    it('reads one row back by offset: its request, and its response with each embedding as dimensions and norm', async () => {
      const index = await openIndex({
        input: [request('a', 'hello'), request('b')],
        output: [embeddingResult('b', vector(8)), embeddingResult('a', vector(1536))],
      });
      const detail = await index.detail(0);
      assert.ok(detail);
      assert.equal(detail.answer, '1536 dimensions · norm 1.000');
      assert.deepEqual(JSON.parse(detail.request!), JSON.parse(request('a', 'hello')));
      const response = JSON.parse(detail.response!) as { status_code: number; body: { data: { embedding: unknown }[] } };
      assert.equal(response.status_code, 200);
      assert.equal(response.body.data[0].embedding, '[1536 dimensions · norm 1.000]');
      assert.doesNotMatch(detail.response!, /\d\.\d{6}/, 'no number of the vector is shown');
      assert.equal(detail.error, null);
      assert.equal(await index.detail(2), undefined);
    });

    it('reads a failure back from the error file, and a missing result as none', async () => {
      const index = await openIndex({ input: [request('a'), request('b')], error: [expired('a')] });
      const failed = await index.detail(0);
      assert.deepEqual(JSON.parse(failed!.error!), { code: 'batch_expired', message: 'Not executed before the window expired.' });
      assert.equal(failed!.response, null);
      assert.equal(failed!.answer, 'Not executed before the window expired. (batch_expired)');
      const missing = await index.detail(1);
      assert.deepEqual(missing, { answer: null, request: JSON.stringify(JSON.parse(request('b')), null, 2), response: null, error: null });
    });

    it('refuses to show another request when the file changed since it was indexed', async () => {
      const index = await openIndex({
        input: [request('a'), request('b')],
        output: [embeddingResult('a', vector(4)), embeddingResult('b', vector(4))],
      });
      await writeFile(join(dir, 'output.jsonl'), `${embeddingResult('b', vector(4))}\n${embeddingResult('a', vector(4))}\n`);
      await assert.rejects(index.detail(0), /output file changed since it was read/);
    });
  });

  describe('streamed export', () => {
    it('writes JSONL with the whole vector, row by row into a temporary file renamed into place', async () => {
      const count = 400;
      const ids = Array.from({ length: count }, (_, i) => `r${i}`);
      const embedding = vector(1536);
      const index = await openIndex({
        input: ids.map((id) => request(id)),
        output: [...ids].reverse().map((id) => embeddingResult(id, embedding)),
      });
      const destination = join(dir, 'export.jsonl');
      let partialBytes = 0;
      let checked = false;
      const checking: Promise<void>[] = [];
      await index.exportRows(index.find({ outcome: 'all', search: '', sortKey: 'line', descending: false }), 'jsonl', destination, {
        onProgress: (written) => {
          // Midway, the text so far is already in a temporary file, not in memory, and nothing is at the destination.
          if (written !== count - 50 || checked) return;
          checked = true;
          checking.push(
            (async () => {
              const names = await readdir(dir);
              const part = names.find((name) => name.startsWith('export.jsonl.') && name.endsWith('.part'));
              assert.ok(part, names.join(', '));
              assert.equal(names.includes('export.jsonl'), false);
              partialBytes = (await stat(join(dir, part))).size;
            })(),
          );
        },
      });
      await Promise.all(checking);
      assert.ok(checked && partialBytes > 0, `partial file of ${partialBytes} bytes`);
      const lines = (await readFile(destination, 'utf8')).trimEnd().split('\n');
      assert.equal(lines.length, count);
      const first = JSON.parse(lines[0]) as {
        custom_id: string;
        answer: string;
        request: unknown;
        response: { body: { data: { embedding: number[] }[] } };
      };
      assert.equal(first.custom_id, 'r0');
      assert.equal(first.answer, '1536 dimensions · norm 1.000');
      assert.deepEqual(first.request, JSON.parse(request('r0')));
      assert.deepEqual(first.response.body.data[0].embedding, embedding);
      assert.deepEqual(await readdir(dir), ['export.jsonl', 'input.jsonl', 'output.jsonl']);
    });

    it('a cancelled export leaves nothing behind', async () => {
      const ids = Array.from({ length: 300 }, (_, i) => `r${i}`);
      const index = await openIndex({ input: ids.map((id) => request(id)), output: ids.map((id) => embeddingResult(id, vector(256))) });
      const abort = new AbortController();
      const exporting = index.exportRows(
        index.find({ outcome: 'all', search: '', sortKey: 'line', descending: false }),
        'jsonl',
        join(dir, 'export.jsonl'),
        {
          signal: abort.signal,
          onProgress: (written) => {
            if (written === 100) abort.abort();
          },
        },
      );
      await assert.rejects(exporting, (error: unknown) => isCancellation(error));
      assert.deepEqual(await readdir(dir), ['input.jsonl', 'output.jsonl']);
    });
  });

  describe('size limits', () => {
    it('keeps at most maxRows rows and counts what it left out', async () => {
      const ids = ['a', 'b', 'c', 'd', 'e'];
      const index = await openIndex({ input: ids.map((id) => request(id)), output: ids.map((id) => chatResult(id, id)) }, 3);
      assert.deepEqual(
        index.rows.map((row) => [row.customId, row.answer]),
        [
          ['a', 'a'],
          ['b', 'b'],
          ['c', 'c'],
        ],
      );
      // Two requests, and the two results that might be theirs.
      assert.equal(index.report.overLimit, 4);
      assert.deepEqual(index.report.counts, { succeeded: 3, failed: 0, missing: 0, unmatched: 0 });
    });

    it('stops reading when the signal aborts', async () => {
      const paths = { input: join(dir, 'input.jsonl') };
      await writeFile(paths.input, `${request('a')}\n`);
      const abort = new AbortController();
      abort.abort();
      await assert.rejects(ResultsIndex.open(paths, { signal: abort.signal }), (error: unknown) => isCancellation(error));
    });
  });

  describe('pages', () => {
    it('serves one page of a query at a time, clamped to the pages there are', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `r${i}`);
      const index = await openIndex({
        input: ids.map((id) => request(id)),
        output: ids.filter((_, i) => i % 5).map((id) => chatResult(id, `answer ${id}`)),
      });
      const all = { outcome: 'all', search: '', sortKey: 'line', descending: false } as const;
      const second = index.page(all, 1, 10);
      assert.deepEqual(
        second.rows.map(({ index: i, row }) => [i, row.customId]),
        ids.slice(10, 20).map((id, i) => [10 + i, id]),
      );
      assert.equal(second.matched, 25);
      const beyond = index.page(all, 99, 10);
      assert.equal(beyond.page, 2);
      assert.equal(beyond.rows.length, 5);
      const missing = index.page({ ...all, outcome: 'missing' }, 0, 10);
      assert.deepEqual(
        missing.rows.map(({ row }) => row.customId),
        ['r0', 'r5', 'r10', 'r15', 'r20'],
      );
      const none = index.page({ ...all, search: 'nothing like it' }, 3, 10);
      assert.deepEqual(none, { rows: [], page: 0, matched: 0 });
    });
  });
});
