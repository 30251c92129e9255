import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ErrorGrouper,
  errorGroupLabel,
  errorKeyOf,
  MAX_ERROR_GROUPS,
  MAX_EXAMPLES,
  MAX_LINES,
  normalizeMessage,
  resultErrorKey,
  summarizeErrors,
} from '../../../../src/core/results/errorSummary';
import { readLines } from '../../../../src/core/util/lineReader';
import { batchText } from '../../../../src/core/agents/agentText';
import { batchErrorItems } from '../../../../src/core/batches/batchFacts';
import type { Batch } from '../../../../src/core/api/types';
import { detailView } from '../../../../src/webview/detail/detailView';

const errorLine = (id: string, code: string, message: string): string =>
  JSON.stringify({ id: `batch_req_${id}`, custom_id: id, response: null, error: { code, message } });
const httpLine = (id: string, status: number, error?: { code?: string; type?: string; message?: string }): string =>
  JSON.stringify({
    id: `batch_req_${id}`,
    custom_id: id,
    response: { status_code: status, request_id: 'r', body: error ? { error } : { choices: [] } },
    error: null,
  });

describe('errorSummary: grouping failures by code and message', () => {
  it('groups error-file lines by code and message, largest first, with up to three examples', async () => {
    const lines = [
      ...Array.from({ length: 412 }, (_, i) => errorLine(`r${i}`, 'rate_limit_exceeded', 'Rate limit reached for requests')),
      httpLine('bad1', 400, { type: 'invalid_request_error', message: "Invalid value for 'temperature': 3" }),
      httpLine('bad2', 400, { type: 'invalid_request_error', message: "Invalid value for 'temperature': 7" }),
      httpLine('bad3', 400, { type: 'invalid_request_error', message: "Invalid value for 'temperature': 2.5" }),
      httpLine('ok', 200),
      '',
    ];
    const summary = await summarizeErrors({ errors: null }, [lines]);
    assert.equal(summary.total, 415);
    assert.equal(summary.groups.length, 2);
    const [rate, invalid] = summary.groups;
    assert.equal(rate.count, 412);
    assert.equal(rate.code, 'rate_limit_exceeded');
    assert.deepEqual(rate.examples, ['r0', 'r1', 'r2']);
    assert.equal(errorGroupLabel(rate), '412 × rate_limit_exceeded: Rate limit reached for requests');
    assert.equal(invalid.count, 3);
    assert.equal(invalid.code, 'invalid_request_error');
    assert.equal(invalid.message, "Invalid value for 'temperature': 3", 'the first message is shown as it was');
    assert.deepEqual(invalid.examples, ['bad1', 'bad2', 'bad3']);
    assert.equal(errorGroupLabel(invalid), "3 × invalid_request_error: Invalid value for 'temperature': 3");
  });

  it('labels a group whose message is empty with its code alone', () => {
    assert.equal(errorGroupLabel({ count: 412, code: 'rate_limit_exceeded', message: '' }), '412 × rate_limit_exceeded');
    assert.equal(errorGroupLabel({ count: 1234, code: 'HTTP 500', message: 'HTTP 500' }), '1,234 × HTTP 500');
  });

  it('skips 2xx lines of the output file and counts non-2xx ones (status code when there is no error body)', () => {
    const grouper = new ErrorGrouper();
    grouper.addResultLine(httpLine('a', 200));
    grouper.addResultLine(httpLine('b', 201));
    grouper.addResultLine(httpLine('c', 500));
    grouper.addResultLine(httpLine('d', 500));
    const summary = grouper.summary();
    assert.equal(summary.total, 2);
    assert.equal(summary.groups[0].code, 'HTTP 500');
    assert.deepEqual(summary.groups[0].examples, ['c', 'd']);
  });

  it('groups validation errors (errors.data[]) with their line numbers, separately from request failures', async () => {
    const data = [
      ...Array.from({ length: 12 }, (_, i) => ({ code: 'invalid_json', message: 'Line is not valid JSON.', param: null, line: i * 2 + 1 })),
      { code: 'missing_custom_id', message: 'Missing custom_id', line: 40 },
      { code: 'invalid_json', message: 'Line is not valid JSON.', line: null },
      'junk',
    ];
    const summary = await summarizeErrors({ errors: { object: 'list', data: data as never } }, [
      [errorLine('x', 'invalid_json', 'Line is not valid JSON.')],
    ]);
    const validation = summary.groups.filter((g) => g.source === 'validation');
    assert.equal(validation.length, 2);
    assert.equal(validation[0].count, 13);
    assert.equal(validation[0].lines.length, MAX_LINES, 'line numbers kept are bounded');
    assert.deepEqual(validation[0].lines.slice(0, 3), [1, 3, 5]);
    assert.deepEqual(validation[1].lines, [40]);
    const request = summary.groups.filter((g) => g.source === 'request');
    assert.equal(request.length, 1, 'a request failure with the same code is its own group');
    assert.equal(summary.total, 15);
  });

  it('puts messages that differ only in ids, quoted values and numbers into one group', () => {
    assert.equal(
      normalizeMessage('Request req_abc123def timed out after 30 s'),
      normalizeMessage('Request req_zzz999yyy timed out after 45 s'),
    );
    assert.notEqual(normalizeMessage('Invalid model'), normalizeMessage('Invalid temperature'));
    assert.equal(errorKeyOf('x', 'a  \n b'), errorKeyOf('x', 'a b'));
  });

  it('gives result lines the key of their group, so the results view can filter to it', async () => {
    const line = JSON.parse(errorLine('a', 'server_error', 'The server had an error')) as Record<string, unknown>;
    const summary = await summarizeErrors({}, [[JSON.stringify(line)]]);
    assert.equal(resultErrorKey(line), summary.groups[0].key);
    assert.equal(resultErrorKey(JSON.parse(httpLine('ok', 200)) as Record<string, unknown>), undefined);
  });

  it('bounds its memory: groups, examples and message lengths are capped, the rest counted', () => {
    const grouper = new ErrorGrouper();
    for (let i = 0; i < MAX_ERROR_GROUPS + 50; i++) {
      for (let j = 0; j < 5; j++)
        grouper.addResultLine(errorLine(`id${i}-${j}`, `code_${String.fromCharCode(97 + (i % 26))}${i}x`, 'm'.repeat(5000)));
    }
    grouper.addResultLine('not json');
    grouper.addResultLine({ bytes: 1e9, limit: 64 });
    const summary = grouper.summary();
    assert.equal(summary.groups.length, MAX_ERROR_GROUPS);
    assert.equal(summary.otherCount, 50 * 5);
    assert.equal(summary.total, (MAX_ERROR_GROUPS + 50) * 5);
    assert.equal(summary.unreadable, 2);
    for (const group of summary.groups) {
      assert.ok(group.examples.length <= MAX_EXAMPLES);
      assert.ok(group.message.length <= 300);
    }
  });

  it('streams a 200,000-line error file through readLines into two groups', async function () {
    this.timeout(60000);
    const dir = await mkdtemp(join(tmpdir(), 'obe-errors-'));
    try {
      const path = join(dir, 'errors.jsonl');
      const out = createWriteStream(path);
      const lines = 200_000;
      for (let i = 0; i < lines; i++) {
        const line = `${errorLine(`req-${i}`, i % 3 ? 'rate_limit_exceeded' : 'server_error', i % 3 ? 'Rate limit reached' : `Server error ${i}`)}\n`;
        if (!out.write(line)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      const summary = await summarizeErrors({}, [readLines(path)]);
      assert.equal(summary.total, lines);
      assert.equal(summary.groups.length, 2);
      assert.equal(summary.groups[0].count + summary.groups[1].count, lines);
      assert.equal(summary.groups[0].code, 'rate_limit_exceeded');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops when its signal aborts', async () => {
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(summarizeErrors({}, [[errorLine('a', 'x', 'y')]], abort.signal), /cancelled/);
  });
});

describe("Azure's errors.data: one object, with line a string", () => {
  // Azure's published description (2024-10-21) types errors.data as one object, and line as a string.
  const azure: Batch = {
    id: 'batch_azure',
    status: 'failed',
    errors: { object: 'list', data: { code: 'invalid_json_line', message: 'Line 3 is not valid JSON.', param: null, line: '3' } },
  };
  const openai: Batch = {
    id: 'batch_openai',
    status: 'failed',
    errors: { object: 'list', data: [{ code: 'invalid_json_line', message: 'Line 3 is not valid JSON.', param: null, line: 3 }] },
  };

  it('reads one object as one error, and a string line as its number, the same as OpenAI’s array', () => {
    assert.deepEqual(batchErrorItems(azure), [{ code: 'invalid_json_line', message: 'Line 3 is not valid JSON.', line: 3 }]);
    assert.deepEqual(batchErrorItems(azure), batchErrorItems(openai));
    assert.deepEqual(batchErrorItems({ errors: { data: { code: 'x', line: 'near the end' } } }), [{ code: 'x' }]);
    const notObjects = [{ data: 'Input file is empty.' as never }, { data: 7 as never }, { data: [null, 3, 'junk'] as never }];
    for (const errors of [null, undefined, {}, { data: null }, { data: [] }, ...notObjects]) {
      assert.deepEqual(batchErrorItems({ errors }), [], JSON.stringify(errors));
    }
  });

  it('groups it in the error summary, with its line number', async () => {
    const summary = await summarizeErrors(azure, []);
    assert.equal(summary.total, 1);
    assert.equal(summary.groups[0].source, 'validation');
    assert.equal(summary.groups[0].code, 'invalid_json_line');
    assert.deepEqual(summary.groups[0].lines, [3]);
  });

  it('lists it in the agent text and the detail panel', () => {
    const text = batchText(azure, Date.now());
    assert.ok(text.split('\n').includes('Errors: 1'), text);
    assert.ok(text.includes('  - line 3: [invalid_json_line] Line 3 is not valid JSON.'), text);
    const view = detailView(azure, Date.now(), new Map());
    assert.deepEqual(view.errors, { rows: [{ code: 'invalid_json_line', message: 'Line 3 is not valid JSON.', line: 3 }], total: 1 });
    assert.deepEqual(detailView(openai, Date.now(), new Map()).errors, view.errors);
    assert.equal(detailView({ id: 'b', errors: null }, Date.now(), new Map()).errors, undefined);
  });
});
