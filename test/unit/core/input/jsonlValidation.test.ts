import * as assert from 'node:assert/strict';
import { looksLikeBatchInput, type Problem, type ProblemCode, validateBatchInput } from '../../../../src/core/input/jsonlValidation';
import { locateMember } from '../../../../src/core/input/jsonMember';
import { BATCH_ENDPOINTS } from '../../../../src/core/api/endpoints';

function chat(customId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${customId}` }] },
    ...extra,
  });
}

/** A clean first line, then `line`: the problems found on line 1 (file-level ones excluded). */
function problemsOf(line: string): Problem[] {
  return validateBatchInput(`${chat('first')}\n${line}\n`).problems.filter((p) => p.line === 1);
}

function only(line: string, code: ProblemCode): Problem {
  const problems = problemsOf(line);
  assert.deepEqual(
    problems.map((p) => p.code),
    [code],
    `expected exactly ${code}, got ${JSON.stringify(problems)}`,
  );
  return problems[0];
}

describe('validateBatchInput', () => {
  it('finds no problems in a clean file, counts requests, ignores empty lines and a trailing newline', () => {
    const text = `${chat('a')}\n\n${chat('b')}\r\n   \n${chat('c')}\n`;
    const result = validateBatchInput(text);
    assert.deepEqual(result, { requests: 3, endpoint: '/v1/chat/completions', problems: [] });
  });

  it('accepts every supported endpoint with a minimal body', () => {
    for (const url of BATCH_ENDPOINTS) {
      const body =
        url === '/v1/chat/completions'
          ? { model: 'm', messages: [{ role: 'user', content: 'x' }] }
          : url === '/v1/responses'
            ? { model: 'm', input: 'x' }
            : { model: 'm' };
      const result = validateBatchInput(JSON.stringify({ custom_id: 'x', method: 'POST', url, body }));
      assert.deepEqual(result.problems, [], url);
      assert.equal(result.endpoint, url);
    }
  });

  it('reports invalid JSON with the column V8 gives', () => {
    const problem = only('{"custom_id": "x",, "method": "POST"}', 'invalidJson');
    assert.equal(problem.severity, 'error');
    assert.equal(problem.column, 18);
    assert.equal(problem.endColumn, 19);
    assert.match(problem.message, /^Not valid JSON: /);
    assert.doesNotMatch(problem.message, /position/);
  });

  it('points an unexpected end of input at the end of the line', () => {
    const line = '{"custom_id": "x", "method": "POST"';
    const problem = only(line, 'invalidJson');
    assert.equal(problem.column, line.length);
  });

  it('reports a line that is not an object', () => {
    assert.match(only('[1, 2, 3]', 'notAnObject').message, /not an array/);
    assert.match(only('"just text"', 'notAnObject').message, /not a string/);
  });

  it('reports a missing custom_id on the whole line', () => {
    const line = JSON.stringify({
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
    });
    const problem = only(line, 'missingCustomId');
    assert.equal(problem.column, undefined);
  });

  it('reports a custom_id that is not a string, at the member', () => {
    const line = chat('placeholder').replace('"placeholder"', '42');
    const problem = only(line, 'customIdNotString');
    assert.equal(line.slice(problem.column, problem.endColumn), '"custom_id":42');
  });

  it('reports a duplicate custom_id on both lines, each pointing at the other', () => {
    const result = validateBatchInput([chat('a'), chat('b'), chat('a'), chat('a')].join('\n'));
    const duplicates = result.problems.filter((p) => p.code === 'duplicateCustomId');
    assert.deepEqual(
      duplicates.map((p) => [p.line, p.relatedLine]),
      [
        [0, 2],
        [2, 0],
        [3, 0],
      ],
    );
    assert.match(duplicates[0].message, /used again on line 3/);
    assert.match(duplicates[1].message, /first used on line 1/);
  });

  it('reports a method other than POST', () => {
    const problem = only(chat('x', { method: 'GET' }), 'methodNotPost');
    assert.match(problem.message, /"GET"/);
  });

  it('reports an unsupported url', () => {
    const problem = only(chat('x', { url: '/v1/chat/completion' }), 'unsupportedUrl');
    assert.match(problem.message, /\/v1\/chat\/completion"/);
  });

  it('reports a url that differs from the first line, pointing at the first line', () => {
    const line = JSON.stringify({
      custom_id: 'e',
      method: 'POST',
      url: '/v1/embeddings',
      body: { model: 'text-embedding-3-small', input: 'x' },
    });
    const problems = problemsOf(line);
    const mixed = problems.find((p) => p.code === 'mixedUrl');
    assert.ok(mixed);
    assert.equal(mixed.relatedLine, 0);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['mixedUrl', 'mixedModel'],
    );
  });

  it('reports a missing or non-object body', () => {
    only(JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/chat/completions' }), 'missingBody');
    only(chat('x', { body: 'text' }), 'missingBody');
  });

  it('reports a missing model at the body', () => {
    const line = chat('x', { body: { messages: [{ role: 'user', content: 'x' }] } });
    const problem = only(line, 'missingModel');
    assert.ok(line.slice(problem.column, problem.endColumn).startsWith('"body":{'));
  });

  it('warns when the model differs from the first line', () => {
    const problem = only(chat('x', { body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] } }), 'mixedModel');
    assert.equal(problem.severity, 'warning');
    assert.equal(problem.relatedLine, 0);
  });

  it('reports chat completions without a non-empty messages array', () => {
    assert.match(only(chat('x', { body: { model: 'gpt-4o-mini' } }), 'missingMessages').message, /missing/);
    const empty = chat('x', { body: { model: 'gpt-4o-mini', messages: [] } });
    const problem = only(empty, 'missingMessages');
    assert.equal(empty.slice(problem.column, problem.endColumn), '"messages":[]');
  });

  it('reports a Responses API request without input', () => {
    const first = JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/responses', body: { model: 'm', input: 'hi' } });
    const second = JSON.stringify({ custom_id: 'b', method: 'POST', url: '/v1/responses', body: { model: 'm' } });
    const result = validateBatchInput(`${first}\n${second}`);
    assert.deepEqual(
      result.problems.map((p) => [p.line, p.code]),
      [[1, 'missingInput']],
    );
  });

  it('warns on line 0 when over the request limit', () => {
    const result = validateBatchInput([chat('a'), chat('b'), chat('c')].join('\n'), { maxRequests: 2 });
    assert.deepEqual(
      result.problems.map((p) => [p.line, p.code, p.severity]),
      [[0, 'tooManyRequests', 'warning']],
    );
  });

  it('warns on line 0 when over the size limit, counting UTF-8 bytes', () => {
    const text = chat('é'.repeat(40));
    const bytes = Buffer.byteLength(text);
    assert.deepEqual(validateBatchInput(text, { maxBytes: bytes }).problems, []);
    const result = validateBatchInput(text, { maxBytes: bytes - 1 });
    assert.deepEqual(
      result.problems.map((p) => [p.line, p.code, p.severity]),
      [[0, 'fileTooLarge', 'warning']],
    );
  });

  it('keeps columns right after a byte order mark', () => {
    const result = validateBatchInput(`\uFEFF${chat('x', { method: 'GET' })}`);
    const problem = result.problems[0];
    const line = `\uFEFF${chat('x', { method: 'GET' })}`;
    assert.equal(line.slice(problem.column, problem.endColumn), '"method":"GET"');
  });

  it('validates 50,000 requests quickly (timing printed, not asserted)', function () {
    // Generating the fixture takes longer than the measured part; keep a slow machine from timing out.
    this.timeout(60_000);
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(chat(`request-${i}`));
    const text = `${lines.join('\n')}\n`;
    const timings: string[] = [];
    for (const run of ['first run', 'second run']) {
      const before = process.memoryUsage().heapUsed;
      const started = process.hrtime.bigint();
      const result = validateBatchInput(text);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const heapMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
      assert.equal(result.requests, 50_000);
      assert.deepEqual(result.problems, []);
      timings.push(`${run} ${ms.toFixed(0)} ms (heap ${heapMb >= 0 ? '+' : ''}${heapMb.toFixed(1)} MB)`);
    }
    console.log(`      validateBatchInput, 50,000 lines (${(text.length / 1024 / 1024).toFixed(1)} MB): ${timings.join(', ')}`);
  });
});

describe('looksLikeBatchInput', () => {
  it('recognises batch input by its first non-empty line', () => {
    assert.equal(looksLikeBatchInput(`\n  \n${chat('a')}\nnot json`), true);
    assert.equal(looksLikeBatchInput(`\uFEFF${chat('a')}`), true);
  });

  it('rejects other JSONL, such as result files, and non-JSON', () => {
    assert.equal(
      looksLikeBatchInput(JSON.stringify({ id: 'batch_req_1', custom_id: 'a', response: { status_code: 200, body: {} }, error: null })),
      false,
    );
    assert.equal(looksLikeBatchInput('{"custom_id": '), false);
    assert.equal(looksLikeBatchInput(''), false);
  });
});

describe('locateMember', () => {
  it('finds nested members, skipping look-alikes inside strings', () => {
    const line = '{"custom_id":"say \\"model\\": 1","body":{"messages":[{"content":"\\"model\\":"}],"model": "gpt"}}';
    const span = locateMember(line, ['body', 'model']);
    assert.ok(span);
    assert.equal(line.slice(span.column, span.endColumn), '"model": "gpt"');
    assert.equal(locateMember(line, ['model']), undefined);
  });
});
