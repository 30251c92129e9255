import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCancellation } from '../../../../src/core/api/errors';
import { indexProgressively, indexWorkersRunning, type IndexingStatus } from '../../../../src/core/results/progressiveIndex';
import { parseResultLine } from '../../../../src/core/results/resultLine';
import { ResultsJoiner } from '../../../../src/core/results/resultsJoiner';

const request = (id: string): string => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/embeddings', body: { input: id } });
const embedding = (id: string, vector: number[] = [0.6, 0.8]): string =>
  JSON.stringify({
    custom_id: id,
    response: {
      status_code: 200,
      body: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: vector }], usage: { prompt_tokens: 2, total_tokens: 2 } },
    },
    error: null,
  });

describe('results index, progressive (worker thread)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obe-progressive-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function files(requests: number, results: number): Promise<{ input: string; output: string }> {
    const ids = Array.from({ length: requests }, (_, i) => `r${i}`);
    const paths = { input: join(dir, 'input.jsonl'), output: join(dir, 'output.jsonl') };
    await writeFile(paths.input, `${ids.map(request).join('\n')}\n`);
    // Results in reverse order, the last requests without one.
    await writeFile(
      paths.output,
      `${ids
        .slice(0, results)
        .reverse()
        .map((id) => embedding(id))
        .join('\n')}\n`,
    );
    return paths;
  }

  it('shows the rows with a result while the rest are read, then counts the ones without as missing', async () => {
    const paths = await files(3000, 2900);
    const seen: { status: IndexingStatus; rows: number; missing: number; complete: boolean }[] = [];
    const opening = indexProgressively(paths, {
      endpoint: '/v1/embeddings',
      firstRows: 50,
      updateMs: 1,
      onRows: (status) => {
        const all = opening.index.find({ outcome: 'all', search: '', sortKey: 'line', descending: false });
        const missing = opening.index.find({ outcome: 'missing', search: '', sortKey: 'line', descending: false });
        seen.push({ status, rows: all.length, missing: missing.length, complete: opening.index.complete });
      },
    });
    assert.equal(opening.index.rows.length, 0);
    const index = await opening.done;
    assert.equal(index, opening.index);
    const partial = seen.filter((s) => !s.complete);
    assert.ok(partial.length > 0, 'no update before the end');
    const midway = partial.find((s) => s.status.indexed > 0 && s.status.indexed < 2900);
    assert.ok(midway, `updates at ${partial.map((s) => s.status.indexed).join(', ')}`);
    // While indexing, the table shows exactly the rows that have their result, and no missing ones yet.
    for (const s of partial) {
      assert.equal(s.rows, s.status.indexed);
      assert.equal(s.missing, 0);
      assert.equal(s.status.done, false);
    }
    assert.ok(
      partial.some((s) => s.status.expected !== undefined && !s.status.exact),
      'an estimate from bytes read',
    );
    const last = seen[seen.length - 1];
    assert.deepEqual(last.status, { indexed: 2900, expected: 2900, exact: true, done: true });
    assert.deepEqual(index.report.counts, { succeeded: 2900, failed: 0, missing: 100, unmatched: 0 });
    assert.equal(index.find({ outcome: 'missing', search: '', sortKey: 'line', descending: false }).length, 100);
    assert.equal(index.rows[0].answer, '1 embedding · expand for dimensions and norm');
    assert.equal((await index.detail(0))?.answer, '2 dimensions · norm 1.000');
  });

  it('says the batch’s own request count when given', async () => {
    const paths = await files(10, 10);
    const statuses: IndexingStatus[] = [];
    await indexProgressively(paths, { expected: 10, firstRows: 1, updateMs: 0, onRows: (s) => statuses.push(s) }).done;
    assert.ok(statuses.length >= 2);
    assert.ok(statuses.every((s) => s.expected === 10 && s.exact));
  });

  it('stops the worker when cancelled', async () => {
    const paths = await files(2000, 2000);
    const abort = new AbortController();
    const opening = indexProgressively(paths, { signal: abort.signal });
    abort.abort();
    await assert.rejects(opening.done, (error: unknown) => isCancellation(error));
    assert.equal(indexWorkersRunning(), 0);
  });

  it('indexes opened together share one worker thread, which stops when the last is done', async () => {
    const first = await files(3000, 2900);
    const second = { input: join(dir, 'input-b.jsonl'), output: join(dir, 'output-b.jsonl') };
    await writeFile(second.input, `${Array.from({ length: 500 }, (_, i) => request(`b${i}`)).join('\n')}\n`);
    await writeFile(second.output, `${Array.from({ length: 450 }, (_, i) => embedding(`b${i}`)).join('\n')}\n`);
    const a = indexProgressively(first, { endpoint: '/v1/embeddings' });
    const b = indexProgressively(second, { endpoint: '/v1/embeddings' });
    assert.equal(indexWorkersRunning(), 1);
    const [indexA, indexB] = await Promise.all([a.done, b.done]);
    assert.deepEqual(indexA.report.counts, { succeeded: 2900, failed: 0, missing: 100, unmatched: 0 });
    assert.deepEqual(indexB.report.counts, { succeeded: 450, failed: 0, missing: 50, unmatched: 0 });
    assert.ok(indexB.rows.every((row) => row.customId.startsWith('b')));
    assert.equal(indexWorkersRunning(), 0);
  });

  it('cancelling one of two indexes sharing the worker leaves the other to finish', async () => {
    const paths = await files(3000, 2900);
    const abort = new AbortController();
    const cancelled = indexProgressively(paths, { signal: abort.signal });
    const kept = indexProgressively(paths, { endpoint: '/v1/embeddings' });
    abort.abort();
    await assert.rejects(cancelled.done, (error: unknown) => isCancellation(error));
    assert.equal(indexWorkersRunning(), 1);
    assert.deepEqual((await kept.done).report.counts, { succeeded: 2900, failed: 0, missing: 100, unmatched: 0 });
    assert.equal(indexWorkersRunning(), 0);
  });

  it('gives the same rows and report in the worker as on this thread, whatever the lines hold', async function () {
    this.timeout(20_000);
    // Duplicated ids, a result no request asked for, failures in both files, lines that are not
    // JSON or have no custom_id, an input line whose custom_id is not first, blank and CRLF lines,
    // and two results longer than a read (about 1.2 MB each, so they span reads).
    const chat = (id: string, text: string): string =>
      JSON.stringify({ custom_id: id, response: { status_code: 200, body: { choices: [{ message: { content: text } }] } }, error: null });
    const failure = (id: string): string =>
      JSON.stringify({
        custom_id: id,
        response: { status_code: 400, body: { error: { message: 'bad input', code: 'invalid' } } },
        error: null,
      });
    const requests = Array.from({ length: 400 }, (_, i) =>
      i === 17 ? JSON.stringify({ method: 'POST', custom_id: 'r17', body: {} }) : request(`r${i}`),
    );
    requests.splice(50, 0, '', request('r5'), 'not json');
    const output = [
      ...Array.from({ length: 300 }, (_, i) =>
        i % 7 === 0
          ? embedding(
              `r${i}`,
              Array.from({ length: i === 7 || i === 14 ? 250_000 : 100 }, () => 0.001),
            )
          : i % 11 === 0
            ? failure(`r${i}`)
            : chat(`r${i}`, `answer ${i}`),
      ),
      chat('r5', 'a second answer for r5'),
      chat('nobody-asked', 'unmatched'),
      '{"no_custom_id":true}',
      '{broken',
    ];
    const paths = { input: join(dir, 'input.jsonl'), output: join(dir, 'output.jsonl'), error: join(dir, 'error.jsonl') };
    await writeFile(paths.input, `${requests.join('\r\n')}\r\n`);
    await writeFile(paths.output, `${output.reverse().join('\n')}\n\n`);
    await writeFile(paths.error, `${[failure('r350'), failure('r351'), failure('r5')].join('\n')}`);
    const inWorker = await indexProgressively(paths, { endpoint: '/v1/chat/completions' }).done;
    const onThread = await indexProgressively(paths, { endpoint: '/v1/chat/completions', worker: false }).done;
    assert.equal(onThread.rows.length, 403);
    // 302 output rows and 3 error rows; 98 requests without a result; one of r5's three results and
    // the one nobody asked for are unmatched (r5 has two input lines).
    assert.deepEqual(onThread.report.counts, { succeeded: 278, failed: 27, missing: 98, unmatched: 2 });
    assert.deepEqual(inWorker.report, onThread.report);
    assert.deepEqual(inWorker.inInputOrder(), onThread.inInputOrder());
  });

  it('fails with the reason when a file cannot be read', async () => {
    await assert.rejects(indexProgressively({ output: join(dir, 'absent.jsonl') }).done, /ENOENT/);
  });
});

describe('reading a result line without its embedding numbers', () => {
  const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

  it('cuts every embedding array, spaced or not, and parses the rest', () => {
    const line = `{"custom_id":"a","response":{"status_code":200,"body":{"data":[{"embedding": [ -0.5, 1e-3 ]},{"embedding":[1,2]}]}}}`;
    const { value, cut } = parseResultLine(bytes(line));
    assert.equal(cut, 2);
    assert.deepEqual(value, {
      custom_id: 'a',
      response: {
        status_code: 200,
        body: { data: [{ embedding: '\u0000embedding not read' }, { embedding: '\u0000embedding not read' }] },
      },
    });
  });

  it('leaves base64 embeddings, nested arrays and text that only mentions "embedding" as they are', () => {
    for (const value of [
      { custom_id: 'a', response: { body: { data: [{ embedding: 'AACAPw==' }] } } },
      { custom_id: 'a', response: { body: { data: [{ embedding: [[1, 2], [3]] }] } } },
      { custom_id: 'a', response: { body: { choices: [{ message: { content: '{"embedding":[1,2]} and ]' } }] } } },
    ]) {
      assert.deepEqual(parseResultLine(bytes(value)), { value, cut: 0 });
    }
    assert.deepEqual(parseResultLine(bytes('{"custom_id":"a","embedding":[1,2')), { value: undefined, cut: 0 });
  });

  it('parses the whole line when a cut went wrong, and keeps text around the cut whole, however long', () => {
    // An array that starts with a number but holds an array: the first "]" is not its end.
    const mixed = { custom_id: 'a', response: { body: { data: [{ embedding: [1, [2], 3] }] } } };
    assert.deepEqual(parseResultLine(bytes(mixed)), { value: mixed, cut: 0 });
    // Multi-byte text on both sides of the cut, short (assembled in the scratch buffer) and over 64 KiB (pieced together).
    for (const size of [10, 70_000]) {
      const text = 'é☃'.repeat(size);
      const line = { custom_id: 'b', note: text, response: { body: { data: [{ embedding: [0.25, -1] }], model: `m-${text}` } } };
      const { value, cut } = parseResultLine(bytes(line));
      assert.equal(cut, 1);
      assert.deepEqual(value, { ...line, response: { body: { data: [{ embedding: '\u0000embedding not read' }], model: `m-${text}` } } });
    }
  });

  it('gives every endpoint the same answer from bytes as from text, but for the embedding numbers', () => {
    const bodies: [string, unknown][] = [
      ['/v1/chat/completions', { choices: [{ message: { content: 'hi' } }], usage: { prompt_tokens: 1, completion_tokens: 2 } }],
      ['/v1/completions', { choices: [{ text: 'done' }] }],
      [
        '/v1/responses',
        { output: [{ type: 'message', content: [{ type: 'output_text', text: 'ok' }] }], usage: { input_tokens: 3, output_tokens: 4 } },
      ],
      ['/v1/moderations', { results: [{ flagged: true, categories: { violence: true } }] }],
      ['/v1/images/generations', { data: [{ b64_json: 'AAAA' }], size: '1024x1024' }],
      ['/v1/videos', { object: 'video', id: 'video_1', status: 'completed' }],
    ];
    for (const [endpoint, body] of bodies) {
      const line = JSON.stringify({ custom_id: 'a', response: { status_code: 200, body }, error: null });
      const fromText = new ResultsJoiner({ endpoint });
      fromText.addResult('output', 1, line);
      const fromBytes = new ResultsJoiner({ endpoint });
      fromBytes.addResult('output', 1, { bytes: Buffer.from(line), offset: 0, length: line.length });
      const { resultAt, ...row } = fromBytes.rows[0];
      assert.deepEqual(row, fromText.rows[0], endpoint);
      assert.deepEqual(resultAt, { file: 'output', line: 1, offset: 0, bytes: line.length });
    }
  });
});
