import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines } from '../../../../src/core/util/lineReader';
import { ResultsIndex } from '../../../../src/core/results/resultsIndex';
import { answerSummary } from '../../../../src/core/results/answers';
import { toCsv, usageOf } from '../../../../src/core/results/resultsJoin';
import { joinResults, ResultsJoiner } from '../../../../src/core/results/resultsJoiner';

const request = (id: string, url = '/v1/chat/completions'): string =>
  JSON.stringify({ custom_id: id, method: 'POST', url, body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: id }] } });

const chatResult = (id: string, content: string, status = 200): string =>
  JSON.stringify({
    id: `batch_req_${id}`,
    custom_id: id,
    response: {
      status_code: status,
      request_id: `req_${id}`,
      body: {
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content } }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      },
    },
    error: null,
  });

const errorResult = (id: string, message: string): string =>
  JSON.stringify({
    id: `batch_req_${id}`,
    custom_id: id,
    response: {
      status_code: 400,
      request_id: `req_${id}`,
      body: { error: { message, type: 'invalid_request_error', code: 'invalid_value' } },
    },
    error: null,
  });

async function* asyncLines(lines: string[]): AsyncGenerator<string> {
  for (const line of lines) {
    await Promise.resolve();
    yield line;
  }
}

describe('joinResults', () => {
  it('joins out-of-order output to input order, keeping 1-based input lines', async () => {
    const report = await joinResults(
      [request('a'), '', request('b'), request('c')],
      asyncLines([chatResult('c', 'third'), chatResult('a', 'first'), chatResult('b', 'second')]),
    );
    assert.deepEqual(
      report.rows.map((r) => [r.customId, r.line, r.outcome, r.answer]),
      [
        ['a', 1, 'succeeded', 'first'],
        ['b', 3, 'succeeded', 'second'],
        ['c', 4, 'succeeded', 'third'],
      ],
    );
    assert.deepEqual(report.rows[0].usage, { input_tokens: 10, output_tokens: 5, total_tokens: 15 });
    assert.equal(report.rows[0].statusCode, 200);
    // Rows keep no parsed request: lines given as text have no place in a file to read it back from.
    assert.equal(report.rows[0].inputAt, undefined);
    assert.deepEqual(report.counts, { succeeded: 3, failed: 0, missing: 0, unmatched: 0 });
  });

  it('marks requests without a result as missing', async () => {
    const report = await joinResults([request('a'), request('b')], [chatResult('b', 'ok')]);
    assert.deepEqual(
      report.rows.map((r) => [r.customId, r.outcome, r.answer]),
      [
        ['a', 'missing', undefined],
        ['b', 'succeeded', 'ok'],
      ],
    );
    assert.equal(report.counts.missing, 1);
  });

  it('joins error-file rows as failures with their message', async () => {
    const expired = JSON.stringify({
      id: 'batch_req_b',
      custom_id: 'b',
      response: null,
      error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
    });
    const report = await joinResults(
      [request('a'), request('b'), request('c')],
      [chatResult('a', 'ok')],
      [errorResult('c', 'Bad model'), expired],
    );
    assert.deepEqual(
      report.rows.map((r) => [r.customId, r.outcome, r.statusCode, r.answer]),
      [
        ['a', 'succeeded', 200, 'ok'],
        ['b', 'failed', undefined, 'This request could not be executed before the completion window expired. (batch_expired)'],
        ['c', 'failed', 400, 'Bad model (invalid_value)'],
      ],
    );
    // Only the message is kept; the whole error is read back from the error file (see resultsIndex.test.ts).
    assert.equal('error' in report.rows[1], false);
    assert.deepEqual(report.counts, { succeeded: 1, failed: 2, missing: 0, unmatched: 0 });
  });

  it('counts a non-2xx status in the output file as failed, falling back to the status when there is no message', async () => {
    const bare = JSON.stringify({ custom_id: 'b', response: { status_code: 500, body: {} }, error: null });
    const report = await joinResults([request('a'), request('b')], [errorResult('a', 'Rate limit reached'), bare]);
    assert.deepEqual(
      report.rows.map((r) => [r.outcome, r.statusCode, r.answer]),
      [
        ['failed', 400, 'Rate limit reached (invalid_value)'],
        ['failed', 500, 'HTTP 500'],
      ],
    );
  });

  it('appends results whose custom_id is not in the input with line -1', async () => {
    const report = await joinResults([request('a')], [chatResult('a', 'ok'), chatResult('stranger', 'who?')]);
    assert.deepEqual(
      report.rows.map((r) => [r.customId, r.line, r.outcome]),
      [
        ['a', 1, 'succeeded'],
        ['stranger', -1, 'succeeded'],
      ],
    );
    assert.equal(report.counts.unmatched, 1);
  });

  it('works without an input file, in result order', async () => {
    const report = await joinResults(undefined, [chatResult('b', 'x'), chatResult('a', 'y')]);
    assert.deepEqual(
      report.rows.map((r) => [r.customId, r.line]),
      [
        ['b', -1],
        ['a', -1],
      ],
    );
  });

  it('gives each of two input lines with the same custom_id its own result', async () => {
    const report = await joinResults([request('a'), request('a')], [chatResult('a', 'one'), chatResult('a', 'two')]);
    assert.deepEqual(
      report.rows.map((r) => [r.line, r.answer]),
      [
        [1, 'one'],
        [2, 'two'],
      ],
    );
  });

  it('places the results of a custom_id once each, in order; a result read after its id was placed stays unmatched', () => {
    const joiner = new ResultsJoiner();
    for (const answer of ['one', 'two', 'three']) joiner.addResult('output', joiner.rows.length + 1, chatResult('a', answer));
    assert.equal(joiner.addRequest(1, request('a')), 0);
    assert.equal(joiner.addRequest(2, request('a')), 1);
    // A result after the input line that placed its id: not placed by it again.
    joiner.addResult('output', 4, chatResult('b', 'late'));
    assert.equal(joiner.addRequest(3, request('b')), 3);
    joiner.addResult('output', 5, chatResult('b', 'later'));
    assert.equal(joiner.addRequest(4, request('a')), 2);
    // No result left for a fourth input line of "a", nor for a second of "c": each adds a row of its own.
    assert.equal(joiner.addRequest(5, request('a')), 5);
    joiner.addResult('output', 6, chatResult('c', 'only'));
    assert.equal(joiner.addRequest(6, request('c')), 6);
    assert.equal(joiner.addRequest(7, request('c')), 7);
    const report = joiner.report();
    assert.deepEqual(
      report.rows.map((r) => [r.customId, r.line, r.answer ?? r.outcome]),
      [
        ['a', 1, 'one'],
        ['a', 2, 'two'],
        ['b', 3, 'late'],
        ['a', 4, 'three'],
        ['a', 5, 'missing'],
        ['c', 6, 'only'],
        ['c', 7, 'missing'],
        ['b', -1, 'later'],
      ],
    );
    assert.equal(report.counts.unmatched, 1);
  });

  it('skips lines that cannot be joined and says which', async () => {
    const report = await joinResults([request('a'), '{broken', '{"no":"id"}'], ['not json', chatResult('a', 'ok')]);
    assert.equal(report.rows.length, 1);
    assert.deepEqual(report.skipped, [
      { file: 'input', line: 2, reason: 'not a JSON object' },
      { file: 'input', line: 3, reason: 'no string custom_id' },
      { file: 'output', line: 1, reason: 'not a JSON object' },
    ]);
    assert.equal(report.skippedCount, 3);
  });

  it('reads embeddings as their dimension count and norm', async () => {
    const output = JSON.stringify({
      custom_id: 'e',
      response: {
        status_code: 200,
        body: {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
          usage: { prompt_tokens: 4, total_tokens: 4 },
        },
      },
      error: null,
    });
    const report = await joinResults([request('e', '/v1/embeddings')], [output]);
    assert.equal(report.rows[0].answer, '3 dimensions · norm 0.374');
    assert.deepEqual(report.rows[0].usage, { input_tokens: 4, total_tokens: 4 });
    assert.equal(
      answerSummary(undefined, { data: [{ embedding: 'AAAAAAAAAAA=' }, { embedding: 'AAAAAAAAAAA=' }] }),
      '2 embeddings · 2 dimensions · norm 0.000',
    );
  });

  it('reads Responses API bodies: output_text, then output message text, then function calls', async () => {
    const body = {
      object: 'response',
      output: [
        { type: 'reasoning', summary: [] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Paris', annotations: [] }] },
      ],
      usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
    };
    const output = JSON.stringify({ custom_id: 'r', response: { status_code: 200, body }, error: null });
    const report = await joinResults([request('r', '/v1/responses')], [output]);
    assert.equal(report.rows[0].answer, 'Paris');
    assert.deepEqual(report.rows[0].usage, { input_tokens: 12, output_tokens: 3, total_tokens: 15 });
    assert.equal(answerSummary(undefined, { output_text: 'short', output: [] }), 'short');
    assert.equal(
      answerSummary(undefined, { output: [{ type: 'function_call', name: 'lookup', arguments: '{"q":1}' }] }),
      'tool call: lookup({"q":1})',
    );
  });

  it('reads other shapes: completions, tool calls, refusals, moderations, images', () => {
    assert.equal(answerSummary(undefined, { choices: [{ text: 'legacy' }] }), 'legacy');
    assert.equal(
      answerSummary(undefined, { choices: [{ message: { content: null, tool_calls: [{ function: { name: 'f', arguments: '{}' } }] } }] }),
      'tool call: f({})',
    );
    assert.equal(answerSummary(undefined, { choices: [{ message: { content: null, refusal: 'No.' } }] }), 'refusal: No.');
    assert.equal(
      answerSummary(undefined, {
        choices: [
          {
            message: {
              content: [
                { type: 'text', text: 'a' },
                { type: 'text', text: 'b' },
              ],
            },
          },
        ],
      }),
      'ab',
    );
    assert.equal(
      answerSummary(undefined, { results: [{ flagged: true, categories: { harassment: true, violence: false } }] }),
      'flagged: harassment',
    );
    assert.equal(answerSummary(undefined, { results: [{ flagged: false }] }), 'not flagged');
    assert.equal(answerSummary(undefined, { created: 1, data: [{ url: 'https://x' }, { url: 'https://y' }] }), '2 images · as URLs');
    assert.equal(answerSummary(undefined, { weird: true }), undefined);
    assert.equal(usageOf({ nonsense: 1 }), undefined);
  });

  it('reads lines from a file with CRLF and a BOM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'results-join-'));
    try {
      const inputPath = join(dir, 'input.jsonl');
      await writeFile(inputPath, `\uFEFF${request('a')}\r\n${request('b')}\r\n`);
      const outputPath = join(dir, 'output.jsonl');
      await writeFile(outputPath, `${chatResult('b', 'B')}\n${chatResult('a', 'A')}`);
      const report = await joinResults(readLines(inputPath), readLines(outputPath));
      assert.deepEqual(
        report.rows.map((r) => [r.customId, r.answer]),
        [
          ['a', 'A'],
          ['b', 'B'],
        ],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('joins 50,000 requests from files (timing printed, not asserted)', async function () {
    // Generating the fixture takes longer than the measured part; keep a slow machine from timing out.
    this.timeout(60_000);
    const dir = await mkdtemp(join(tmpdir(), 'results-join-'));
    try {
      const count = 50_000;
      const inputs: string[] = [];
      const outputs: string[] = [];
      const errors: string[] = [];
      for (let i = 0; i < count; i++) inputs.push(request(`request-${i}`));
      // Reverse order, every 10th failed, every 100th missing.
      for (let i = count - 1; i >= 0; i--) {
        if (i % 100 === 99) continue;
        if (i % 10 === 9) errors.push(errorResult(`request-${i}`, 'Bad request'));
        else
          outputs.push(chatResult(`request-${i}`, `The answer to request ${i} is a few sentences long, like a typical short completion.`));
      }
      await writeFile(join(dir, 'input.jsonl'), `${inputs.join('\n')}\n`);
      await writeFile(join(dir, 'output.jsonl'), `${outputs.join('\n')}\n`);
      await writeFile(join(dir, 'error.jsonl'), `${errors.join('\n')}\n`);
      global.gc?.();
      const before = process.memoryUsage().heapUsed;
      const started = process.hrtime.bigint();
      const report = await joinResults(
        readLines(join(dir, 'input.jsonl')),
        readLines(join(dir, 'output.jsonl')),
        readLines(join(dir, 'error.jsonl')),
      );
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const heapMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
      const csvStarted = process.hrtime.bigint();
      const csv = toCsv(report.rows);
      const csvMs = Number(process.hrtime.bigint() - csvStarted) / 1e6;
      assert.equal(report.rows.length, count);
      assert.deepEqual(report.counts, { succeeded: 45_000, failed: 4_500, missing: 500, unmatched: 0 });
      assert.equal(report.rows[12_345].customId, 'request-12345');
      console.log(
        `      joinResults, 50,000 requests (input + output + error files): ${ms.toFixed(0)} ms, heap +${heapMb.toFixed(0)} MB holding the rows; toCsv ${csvMs.toFixed(0)} ms (${(csv.length / 1024 / 1024).toFixed(1)} MB)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('toCsv and toJsonl', () => {
  it('quotes commas, quotes and newlines, and defuses spreadsheet formulas', async () => {
    const report = await joinResults(
      [request('a,1'), request('b'), request('c'), request('d')],
      [chatResult('a,1', 'He said "hi"\nthen left'), chatResult('b', '=HYPERLINK("x")'), chatResult('c', ' padded ')],
    );
    const csv = toCsv(report.rows);
    assert.equal(
      csv,
      [
        'custom_id,line,outcome,status_code,answer,input_tokens,output_tokens,total_tokens',
        '"a,1",1,succeeded,200,"He said ""hi""\nthen left",10,5,15',
        `b,2,succeeded,200,"'=HYPERLINK(""x"")",10,5,15`,
        'c,3,succeeded,200," padded ",10,5,15',
        'd,4,missing,,,,,',
        '',
      ].join('\r\n'),
    );
  });

  it('writes one JSON object per row with request, response and error', async () => {
    // Rows keep no parsed request or response: the export reads them back from the files.
    const dir = await mkdtemp(join(tmpdir(), 'results-join-'));
    try {
      await writeFile(join(dir, 'input.jsonl'), `${request('a')}\n${request('b')}\n`);
      await writeFile(join(dir, 'output.jsonl'), `${chatResult('a', 'ok')}\n`);
      const index = await ResultsIndex.open({ input: join(dir, 'input.jsonl'), output: join(dir, 'output.jsonl') });
      await index.exportRows([0, 1], 'jsonl', join(dir, 'export.jsonl'));
      const lines = (await readFile(join(dir, 'export.jsonl'), 'utf8')).trimEnd().split('\n');
      assert.equal(lines.length, 2);
      const first = JSON.parse(lines[0]);
      assert.equal(first.custom_id, 'a');
      assert.equal(first.outcome, 'succeeded');
      assert.equal(first.request.custom_id, 'a');
      assert.equal(first.response.status_code, 200);
      assert.equal(first.error, null);
      assert.deepEqual(JSON.parse(lines[1]), {
        custom_id: 'b',
        line: 2,
        outcome: 'missing',
        status_code: null,
        answer: null,
        usage: null,
        request: JSON.parse(request('b')),
        response: null,
        error: null,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
