import * as assert from 'node:assert/strict';
import { startFakeApi, type FakeApi, type FakeApiOptions } from '../../fake-api/server';
import {
  DEMO_NOW,
  allStatuses,
  batchFieldSet,
  demoBatches,
  fixtureBatches,
  generateBatches,
  generatedOutputChunks,
} from '../../fake-api/data';
import type { Batch, BatchList, FileObject } from '../../../src/core/api/types';
import { batchErrorItems } from '../../../src/core/batches/batchFacts';

interface Reply<T> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const KEY = 'sk-fake-test-key';
const TERMINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** fetch with the fake's key by default; `key: null` sends none. Parses JSON when the body is JSON. */
async function call<T = unknown>(
  api: FakeApi,
  path: string,
  init: RequestInit & { key?: string | null; json?: unknown } = {},
): Promise<Reply<T>> {
  const { key = KEY, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key !== null) headers.set('authorization', `Bearer ${key}`);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${api.origin}${path}`, { ...rest, headers, body: json === undefined ? rest.body : JSON.stringify(json) });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: body as T };
}

function assertOpenAiError(reply: Reply<unknown>, status: number, param?: string | null): ErrorBody['error'] {
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  const body = reply.body as ErrorBody;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  if (param !== undefined) assert.equal(body.error.param, param);
  return body.error;
}

async function pageThrough(api: FakeApi, limit: number): Promise<{ ids: string[]; pages: BatchList[] }> {
  const ids: string[] = [];
  const pages: BatchList[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const query = `limit=${limit}${after ? `&after=${after}` : ''}`;
    const page = await call<BatchList>(api, `/v1/batches?${query}`);
    assert.equal(page.status, 200, page.text);
    pages.push(page.body);
    ids.push(...page.body.data.map((b) => b.id));
    if (!page.body.has_more) break;
    after = page.body.last_id ?? undefined;
  }
  return { ids, pages };
}

/** A line of a batch output or error file. */
interface ResultLine {
  id: string;
  custom_id: string;
  response: { status_code: number; body: { model?: string; choices?: { message: { content: string } }[] } } | null;
  error: { code: string; message: string } | null;
}

/** A line of a batch input file. */
interface RequestLine {
  custom_id: string;
  method: string;
  url: string;
  body: Record<string, unknown>;
}

function jsonLines<T = ResultLine>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

async function uploadJsonl(
  api: FakeApi,
  content: string,
  filename = 'requests.jsonl',
  purpose: string | null = 'batch',
): Promise<Reply<FileObject>> {
  const form = new FormData();
  if (purpose !== null) form.append('purpose', purpose);
  form.append('file', new Blob([content], { type: 'application/jsonl' }), filename);
  return call<FileObject>(api, '/v1/files', { method: 'POST', body: form });
}

function chatLine(customId: string, model: string | null): string {
  const body: Record<string, unknown> = { messages: [{ role: 'user', content: `Say hi to ${customId}` }] };
  if (model !== null) body.model = model;
  return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body });
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('fake OpenAI Batch API', () => {
  let api: FakeApi | undefined;
  const start = async (options: FakeApiOptions = {}): Promise<FakeApi> => {
    api = await startFakeApi(options);
    return api;
  };
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  describe('GET /v1/batches', () => {
    it('returns the recorded page newest first with the default limit of 20', async () => {
      const fake = await start();
      const reply = await call<BatchList>(fake, '/v1/batches');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      const expected = fixtureBatches();
      assert.equal(reply.body.object, 'list');
      assert.equal(reply.body.data.length, 20);
      assert.deepEqual(reply.body.data, expected);
      assert.equal(reply.body.first_id, expected[0].id);
      assert.equal(reply.body.last_id, expected[19].id);
      assert.equal(reply.body.has_more, false);

      const small = await call<BatchList>(fake, '/v1/batches?limit=5');
      assert.equal(small.body.data.length, 5);
      assert.equal(small.body.has_more, true);
    });

    it('pages through the whole demo set by `after` without duplicates', async () => {
      const fake = await start({ seed: 'demo' });
      const { ids, pages } = await pageThrough(fake, 7);
      const expected = fake.store.list().map((b) => b.id);
      assert.ok(expected.length >= 60, `demo has ${expected.length} batches`);
      assert.equal(new Set(ids).size, ids.length, 'no duplicates');
      assert.deepEqual(ids, expected);
      assert.equal(pages.length, Math.ceil(expected.length / 7));
      assert.equal(pages[pages.length - 1].has_more, false);
      for (const page of pages) {
        assert.equal(page.first_id, page.data[0].id);
        assert.equal(page.last_id, page.data[page.data.length - 1].id);
      }
      const created = pages.flatMap((p) => p.data.map((b) => b.created_at ?? 0));
      assert.deepEqual(
        created,
        [...created].sort((a, b) => b - a),
        'newest first',
      );
    });

    it('pages through 1,000 generated batches at the maximum limit', async () => {
      const fake = await start({ seed: { generated: 1000 } });
      const { ids, pages } = await pageThrough(fake, 100);
      assert.equal(ids.length, 1000);
      assert.equal(new Set(ids).size, 1000);
      assert.equal(pages.length, 10);
    });

    it('answers an empty store with null cursors', async () => {
      const fake = await start({ seed: 'empty' });
      const reply = await call<BatchList>(fake, '/v1/batches');
      assert.deepEqual(reply.body, { object: 'list', data: [], first_id: null, last_id: null, has_more: false });
    });

    for (const limit of ['0', '101', 'abc', '2.5', '-3', '']) {
      it(`rejects limit=${JSON.stringify(limit)} with 400 naming 'limit'`, async () => {
        const fake = await start();
        assertOpenAiError(await call(fake, `/v1/batches?limit=${limit}`), 400, 'limit');
      });
    }

    it('rejects an unknown `after` cursor with 400 naming it', async () => {
      const fake = await start();
      const error = assertOpenAiError(await call(fake, '/v1/batches?after=batch_doesnotexist'), 400, 'after');
      assert.match(error.message, /batch_doesnotexist/);
    });
  });

  describe('auth', () => {
    it('answers a missing key with 401 invalid_api_key', async () => {
      const fake = await start();
      const error = assertOpenAiError(await call(fake, '/v1/batches', { key: null }), 401, null);
      assert.equal(error.code, 'invalid_api_key');
      assert.equal(error.type, 'invalid_request_error');
    });

    it('answers a wrong key with 401 and masks it like OpenAI', async () => {
      const fake = await start();
      const wrong = 'sk-proj-WRONGsecretVALUE1234';
      const reply = await call(fake, '/v1/batches', { key: wrong });
      const error = assertOpenAiError(reply, 401, null);
      assert.equal(error.code, 'invalid_api_key');
      assert.match(error.message, /^Incorrect API key provided: sk-\*\*\*\*1234\./);
      assert.ok(!reply.text.includes('WRONGsecret'), 'the key is never echoed');
    });

    it('accepts a new key after apiKey changes, and rejects the old one', async () => {
      const fake = await start();
      fake.apiKey = 'sk-rotated-key-0001';
      assert.equal((await call(fake, '/v1/batches')).status, 401);
      assert.equal((await call(fake, '/v1/batches', { key: 'sk-rotated-key-0001' })).status, 200);
    });

    it('reads the key from the `api-key` header in Azure mode', async () => {
      const fake = await start({ authHeader: 'api-key' });
      assert.equal((await call(fake, '/v1/batches')).status, 401, 'Bearer is not enough');
      const ok = await call<BatchList>(fake, '/v1/batches', { key: null, headers: { 'api-key': KEY } });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.data.length, 20);
      assert.equal((await call(fake, '/v1/batches', { key: null, headers: { 'api-key': 'nope-nope-nope' } })).status, 401);
    });

    it('requires the configured api-version query parameter', async () => {
      const fake = await start({ requireApiVersion: '2024-10-21' });
      assertOpenAiError(await call(fake, '/v1/batches'), 400, 'api-version');
      assertOpenAiError(await call(fake, '/v1/batches?api-version=2023-01-01'), 400, 'api-version');
      const ok = await call<BatchList>(fake, '/v1/batches?api-version=2024-10-21&limit=2');
      assert.equal(ok.status, 200);
      assert.equal(ok.body.data.length, 2);
    });
  });

  describe('batches', () => {
    it('answers an unknown route with 404 in the OpenAI error shape', async () => {
      const fake = await start();
      const error = assertOpenAiError(await call(fake, '/v1/batchez'), 404, null);
      assert.equal(error.type, 'invalid_request_error');
      assertOpenAiError(await call(fake, '/v1/batches', { method: 'DELETE' }), 404);
    });

    it('gets one batch, and 404s an unknown id naming it', async () => {
      const fake = await start();
      const first = fixtureBatches()[0];
      const reply = await call<Batch>(fake, `/v1/batches/${first.id}`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, first);
      const error = assertOpenAiError(await call(fake, '/v1/batches/batch_nope'), 404);
      assert.equal(error.message, "No batch found with id 'batch_nope'.");
    });

    it('cancels an active batch: cancelling now, cancelled after the clock moves', async () => {
      const fake = await start({ seed: 'demo' });
      const active = fake.store.list().find((b) => b.status === 'in_progress')!;
      const now = Math.floor(fake.clock.now());
      const reply = await call<Batch>(fake, `/v1/batches/${active.id}/cancel`, { method: 'POST' });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.id, active.id);
      assert.equal(reply.body.status, 'cancelling');
      assert.equal(reply.body.cancelling_at, now);
      assert.equal(reply.body.cancelled_at, null);

      fake.clock.advance(1);
      const after = await call<Batch>(fake, `/v1/batches/${active.id}`);
      assert.equal(after.body.status, 'cancelled');
      assert.equal(after.body.cancelled_at, now + 1);
      const counts = after.body.request_counts!;
      assert.ok(counts.completed + counts.failed < counts.total, 'stopped before the end');
      assert.equal(after.body.output_file_id !== null, counts.completed > 0, 'partial results are kept');
    });

    it('refuses to cancel a completed batch with 409, and 404s an unknown one', async () => {
      const fake = await start();
      const done = fixtureBatches()[0];
      const error = assertOpenAiError(await call(fake, `/v1/batches/${done.id}/cancel`, { method: 'POST' }), 409, null);
      assert.equal(error.message, "Cannot cancel a batch with status 'completed'.");
      assert.equal(fake.store.get(done.id)?.status, 'completed');
      assertOpenAiError(await call(fake, '/v1/batches/batch_nope/cancel', { method: 'POST' }), 404);
    });

    it('runs an uploaded file through validating, in_progress, finalizing and completed', async () => {
      const fake = await start();
      const jsonl =
        [
          chatLine('task-a', 'gpt-4o-mini'),
          chatLine('task-b', 'gpt-4o-mini'),
          '',
          chatLine('task-c', 'gpt-4o-mini'),
          chatLine('task-d', null),
          chatLine('task-é', 'gpt-4o-mini'),
        ].join('\n') + '\n';
      const upload = await uploadJsonl(fake, jsonl);
      assert.equal(upload.status, 200, upload.text);
      assert.match(upload.body.id, /^file-[A-Za-z0-9]{22}$/);
      assert.deepEqual(
        { ...upload.body, id: 'x' },
        {
          id: 'x',
          object: 'file',
          bytes: Buffer.byteLength(jsonl),
          created_at: Math.floor(fake.clock.now()),
          filename: 'requests.jsonl',
          purpose: 'batch',
          status: 'processed',
        },
      );
      const stored = await call(fake, `/v1/files/${upload.body.id}/content`);
      assert.equal(stored.text, jsonl);

      const created = await call<Batch>(fake, '/v1/batches', {
        method: 'POST',
        json: {
          input_file_id: upload.body.id,
          endpoint: '/v1/chat/completions',
          completion_window: '24h',
          metadata: { description: 'unit test' },
        },
      });
      assert.equal(created.status, 200, created.text);
      const batch = created.body;
      const now = Math.floor(fake.clock.now());
      assert.match(batch.id, /^batch_[0-9a-f]{32}$/);
      assert.equal(batch.status, 'validating');
      assert.deepEqual(batch.request_counts, { total: 5, completed: 0, failed: 0 });
      assert.equal(batch.created_at, now);
      assert.equal(batch.expires_at, now + 86_400);
      assert.equal(batch.model, 'gpt-4o-mini');
      assert.deepEqual(batch.metadata, { description: 'unit test' });
      for (const field of [
        'in_progress_at',
        'finalizing_at',
        'completed_at',
        'failed_at',
        'expired_at',
        'cancelling_at',
        'cancelled_at',
        'output_file_id',
        'error_file_id',
        'errors',
      ] as const) {
        assert.equal(batch[field], null, field);
      }
      const listed = await call<BatchList>(fake, '/v1/batches?limit=1');
      assert.equal(listed.body.data[0].id, batch.id, 'newest first');

      const seen: Batch[] = [];
      for (let i = 0; i < 120 && !TERMINAL.has(fake.store.get(batch.id)!.status!); i++) {
        fake.clock.advance(1);
        seen.push((await call<Batch>(fake, `/v1/batches/${batch.id}`)).body);
      }
      const statuses = seen.map((b) => b.status).filter((s, i, all) => s !== all[i - 1]);
      assert.deepEqual(statuses, ['validating', 'in_progress', 'finalizing', 'completed']);
      assert.ok(
        seen.some(
          (b) =>
            b.status === 'in_progress' &&
            b.request_counts!.completed + b.request_counts!.failed > 0 &&
            b.request_counts!.completed + b.request_counts!.failed < 5,
        ),
        'counts grow while in progress',
      );
      const done = seen[seen.length - 1];
      assert.deepEqual(done.request_counts, { total: 5, completed: 4, failed: 1 });
      assert.ok(
        done.created_at! <= done.in_progress_at! &&
          done.in_progress_at! <= done.finalizing_at! &&
          done.finalizing_at! <= done.completed_at!,
      );
      assert.ok(done.usage && done.usage.total_tokens! > 0);

      const output = await call(fake, `/v1/files/${done.output_file_id}/content`);
      assert.equal(output.status, 200);
      assert.equal(output.headers.get('content-type'), 'application/octet-stream');
      assert.equal(Number(output.headers.get('content-length')), Buffer.byteLength(output.text));
      const results = jsonLines(output.text);
      assert.deepEqual(
        results.map((r) => r.custom_id),
        ['task-a', 'task-b', 'task-c', 'task-é'],
      );
      for (const r of results) {
        assert.equal(r.response?.status_code, 200);
        assert.equal(r.error, null);
        assert.equal(typeof r.response.body.choices?.[0].message.content, 'string');
        assert.equal(r.response.body.model, 'gpt-4o-mini');
      }
      const errors = jsonLines((await call(fake, `/v1/files/${done.error_file_id}/content`)).text);
      assert.deepEqual(
        errors.map((r) => r.custom_id),
        ['task-d'],
      );
      assert.equal(errors[0].response?.status_code, 400);

      const meta = await call<FileObject>(fake, `/v1/files/${done.output_file_id}`);
      assert.equal(meta.body.purpose, 'batch_output');
      assert.equal(meta.body.bytes, Buffer.byteLength(output.text));
    });

    it('fails validation of a malformed input file with invalid_json_line and the line number', async () => {
      const fake = await start({ seed: 'empty' });
      const upload = await uploadJsonl(
        fake,
        [chatLine('a', 'gpt-4o-mini'), chatLine('b', 'gpt-4o-mini'), '{"custom_id": "c", "method": "POST"'].join('\n'),
      );
      const created = await call<Batch>(fake, '/v1/batches', {
        method: 'POST',
        json: { input_file_id: upload.body.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
      });
      assert.equal(created.body.metadata, null);
      fake.clock.advance(5);
      const failed = fake.store.get(created.body.id)!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failed_at, Math.floor(fake.clock.now()) - 3);
      assert.equal(failed.in_progress_at, null);
      assert.deepEqual(failed.errors, {
        object: 'list',
        data: [{ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line: 3 }],
      });
    });

    it('validates POST /v1/batches parameters', async () => {
      const fake = await start();
      const good = (await uploadJsonl(fake, chatLine('a', 'gpt-4o-mini'))).body.id;
      const output = (await uploadJsonl(fake, '{}', 'out.jsonl', 'user_data')).body.id;
      const base = { input_file_id: good, endpoint: '/v1/chat/completions', completion_window: '24h' };
      const cases: [unknown, string | null][] = [
        [{ ...base, input_file_id: undefined }, 'input_file_id'],
        [{ ...base, input_file_id: 'file-missing' }, 'input_file_id'],
        [{ ...base, input_file_id: output }, 'input_file_id'],
        [{ ...base, endpoint: '/v1/images/generations' }, 'endpoint'],
        [{ ...base, completion_window: '48h' }, 'completion_window'],
        [{ ...base, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
        [{ ...base, metadata: { n: 1 } }, 'metadata.n'],
      ];
      for (const [json, param] of cases) {
        assertOpenAiError(await call(fake, '/v1/batches', { method: 'POST', json }), 400, param);
      }
      assertOpenAiError(
        await call(fake, '/v1/batches', { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } }),
        400,
      );
      const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v']));
      assert.equal((await call(fake, '/v1/batches', { method: 'POST', json: { ...base, metadata: sixteen } })).status, 200);
    });

    it('expires a batch still running when its 24 h window ends', async () => {
      const fake = await start({ seed: 'demo' });
      const big = fake.store.list().find((b) => b.status === 'in_progress' && b.request_counts!.total >= 5000)!;
      // Its window ends in 10 s; thousands of requests are left.
      fake.store.put({ ...big, expires_at: Math.floor(fake.clock.now()) + 10 });
      fake.clock.advance(60);
      const expired = fake.store.get(big.id)!;
      assert.equal(expired.status, 'expired');
      assert.equal(expired.expired_at, expired.expires_at);
      assert.ok(expired.output_file_id, 'completed requests are kept');
      assert.ok(expired.error_file_id, 'unfinished requests are listed as expired');
    });
  });

  describe('files', () => {
    it('validates uploads', async () => {
      const fake = await start();
      assertOpenAiError(await uploadJsonl(fake, '{}', 'requests.jsonl', null), 400, 'purpose');
      assertOpenAiError(await uploadJsonl(fake, '{}', 'requests.jsonl', 'homework'), 400, 'purpose');
      assertOpenAiError(await uploadJsonl(fake, '{}', 'requests.csv', 'batch'), 400, 'file');
      const form = new FormData();
      form.append('purpose', 'batch');
      assertOpenAiError(await call(fake, '/v1/files', { method: 'POST', body: form }), 400, 'file');
      assertOpenAiError(await call(fake, '/v1/files', { method: 'POST', json: { purpose: 'batch' } }), 400);
    });

    it('404s unknown files', async () => {
      const fake = await start();
      assertOpenAiError(await call(fake, '/v1/files/file-nope'), 404);
      assertOpenAiError(await call(fake, '/v1/files/file-nope/content'), 404);
    });

    it('serves input, output and error files of seeded batches, consistent with their counts', async () => {
      const fake = await start({ seed: 'demo' });
      const batches = fake.store.list();
      const allFailed = batches.find(
        (b) => b.status === 'completed' && b.output_file_id === null && b.error_file_id !== null && b.created_at! > 1_750_000_000,
      )!;
      const mixed = batches.find((b) => b.status === 'completed' && b.output_file_id && b.error_file_id && b.request_counts!.total < 5000)!;
      for (const batch of [allFailed, mixed, fixtureBatches()[3]]) {
        const counts = batch.request_counts!;
        const input = jsonLines<RequestLine>((await call(fake, `/v1/files/${batch.input_file_id}/content`)).text);
        assert.equal(input.length, counts.total);
        assert.deepEqual(Object.keys(input[0]), ['custom_id', 'method', 'url', 'body']);
        assert.equal(input[0].url, batch.endpoint);
        const inputMeta = await call<FileObject>(fake, `/v1/files/${batch.input_file_id}`);
        assert.equal(inputMeta.body.purpose, 'batch');

        const outputIds = batch.output_file_id
          ? jsonLines((await call(fake, `/v1/files/${batch.output_file_id}/content`)).text).map((l) => l.custom_id)
          : [];
        const errorIds = batch.error_file_id
          ? jsonLines((await call(fake, `/v1/files/${batch.error_file_id}/content`)).text).map((l) => l.custom_id)
          : [];
        assert.equal(outputIds.length, counts.completed);
        assert.equal(errorIds.length, counts.failed);
        assert.deepEqual([...outputIds, ...errorIds].sort(), input.map((l) => l.custom_id).sort(), 'every request is answered once');
      }
    });

    it('serves the input of a failed seeded batch with the broken line the error names', async () => {
      const fake = await start({ seed: 'demo' });
      const failed = fake.store
        .list()
        .find((b) => b.status === 'failed' && batchErrorItems(b)[0]?.code === 'invalid_json_line' && batchErrorItems(b)[0].line === 3)!;
      const lines = (await call(fake, `/v1/files/${failed.input_file_id}/content`)).text.split('\n');
      assert.doesNotThrow(() => JSON.parse(lines[1]));
      assert.throws(() => JSON.parse(lines[2]));
    });

    it('streams a 64 MiB generated file with an exact content-length, as parseable JSONL', async function () {
      this.timeout(60_000);
      const fake = await start();
      const size = 64 * 1024 * 1024;
      const file = fake.store.addFile({ filename: 'big_output.jsonl', purpose: 'batch_output', generatedBytes: size });
      assert.equal(file.bytes, size);
      const res = await fetch(`${fake.baseUrl}/files/${file.id}/content`, { headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.equal(Number(res.headers.get('content-length')), size);
      let received = 0;
      let head = '';
      let tail = Buffer.alloc(0);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        received += chunk.length;
        if (head.length < 8192) head += Buffer.from(chunk).toString('utf8', 0, 8192);
        tail = Buffer.concat([tail, chunk]).subarray(-16_384);
      }
      assert.equal(received, size);
      const first = JSON.parse(head.slice(0, head.indexOf('\n'))) as ResultLine;
      assert.equal(first.custom_id, 'request-1');
      assert.equal(first.response?.status_code, 200);
      assert.equal(typeof first.response.body.choices?.[0].message.content, 'string');
      const tailText = tail.toString('utf8');
      assert.ok(tailText.endsWith('\n'));
      const last = JSON.parse(tailText.slice(0, -1).split('\n').pop()!) as ResultLine;
      assert.match(last.custom_id, /^request-\d+$/);
      assert.equal(last.error, null);
    });

    it('generates exactly the requested number of bytes, as valid JSONL, for any size', () => {
      for (const size of [0, 1, 2, 3, 40, 899, 1000, 4096, 5000, 70_001, 300_000]) {
        const text = Buffer.concat([...generatedOutputChunks(size, 7)]).toString('latin1');
        assert.equal(text.length, size, `size ${size}`);
        if (size >= 3) {
          for (const line of text.split('\n').filter((l) => l !== '')) assert.doesNotThrow(() => JSON.parse(line), `size ${size}`);
        }
      }
    });
  });

  describe('seeds', () => {
    it('generates batches with exactly the fixture field set, plus model/usage', () => {
      const fields = batchFieldSet();
      assert.deepEqual(fields, Object.keys(fixtureBatches()[0]).sort());
      const withModel = [...fields, 'model', 'usage'].sort();
      const batches = generateBatches(10_000, { seed: 3 });
      let newer = 0;
      for (const batch of batches) {
        const keys = Object.keys(batch).sort();
        if (keys.length === fields.length) {
          assert.deepEqual(keys, fields);
        } else {
          assert.deepEqual(keys, withModel);
          assert.deepEqual(Object.keys(batch.usage!).sort(), [
            'input_tokens',
            'input_tokens_details',
            'output_tokens',
            'output_tokens_details',
            'total_tokens',
          ]);
          newer++;
        }
      }
      assert.ok(newer > 0 && newer < batches.length, 'both older and newer shapes occur');
    });

    // How fast is the bench's business (npm run bench, tree case), not a timed test's.
    it('generates 10,000 batches deterministically, with real-looking unique ids', () => {
      const batches = generateBatches(10_000, { seed: 11 });
      assert.equal(batches.length, 10_000);
      assert.deepEqual(generateBatches(50, { seed: 11 }), generateBatches(50, { seed: 11 }));
      assert.notDeepEqual(generateBatches(50, { seed: 11 }), generateBatches(50, { seed: 12 }));
      assert.equal(new Set(batches.map((b) => b.id)).size, batches.length);
      for (const b of batches) {
        assert.match(b.id, /^batch_[0-9a-f]{32}$/);
        assert.match(b.input_file_id!, /^file-[A-Za-z0-9]{22}$/);
        if (b.output_file_id) assert.match(b.output_file_id, /^file-[A-Za-z0-9]{22}$/);
        assert.ok(b.created_at! <= DEMO_NOW);
      }
      assert.deepEqual([...new Set(batches.map((b) => b.status))].sort(), allStatuses());
      assert.deepEqual(
        [...new Set(generateBatches(8).map((b) => b.status))].sort(),
        allStatuses(),
        'eight are enough to cover every status',
      );
    });

    it('demo seed covers every status and the awkward cases the UI must render', () => {
      const demo = demoBatches();
      assert.ok(demo.length >= 60 && demo.length <= 70, `${demo.length} batches`);
      assert.deepEqual([...new Set(demo.map((b) => b.status))].sort(), allStatuses());
      assert.equal(new Set(demo.map((b) => b.id)).size, demo.length);
      assert.ok(demo.some((b) => b.metadata?.description));
      assert.ok(demo.some((b) => b.status === 'completed' && b.output_file_id === null && b.error_file_id));
      const failed = demo.filter((b) => b.status === 'failed');
      assert.ok(failed.length > 0);
      for (const b of failed) {
        assert.equal(b.errors?.object, 'list');
        assert.ok(Array.isArray(b.errors?.data) && b.errors.data.length);
      }
      assert.ok(demo.some((b) => b.usage?.output_tokens_details?.reasoning_tokens));
      for (const b of demo) {
        for (const t of [
          b.created_at,
          b.in_progress_at,
          b.finalizing_at,
          b.completed_at,
          b.failed_at,
          b.cancelling_at,
          b.cancelled_at,
          b.expired_at,
        ]) {
          if (t !== null && t !== undefined) assert.ok(t <= DEMO_NOW, `${b.id} has a timestamp in the future`);
        }
      }
    });

    it('demo batches progress as the clock advances', async () => {
      const fake = await start({ seed: 'demo' });
      const active = fake.store.list().filter((b) => !TERMINAL.has(b.status!));
      assert.ok(active.length >= 4);
      fake.clock.advance(30);
      const moved = active.filter((b) => {
        const now = fake.store.get(b.id)!;
        return now.status !== b.status || now.request_counts!.completed !== b.request_counts!.completed;
      });
      assert.ok(moved.length >= 3, `${moved.length} of ${active.length} moved`);
      for (let i = 0; i < 60; i++) fake.clock.advance(10);
      assert.ok(
        active.every((b) => TERMINAL.has(fake.store.get(b.id)!.status!)),
        'all finish within ten fake minutes',
      );
    });

    it('store.put/remove/reset change what the API serves', async () => {
      const fake = await start();
      const custom: Batch = { ...fixtureBatches()[0], id: 'batch_custom', created_at: 2_000_000_000, status: 'weird_new_status' };
      fake.store.put(custom);
      assert.equal((await call<BatchList>(fake, '/v1/batches?limit=1')).body.data[0].id, 'batch_custom');
      assert.equal((await call<Batch>(fake, '/v1/batches/batch_custom')).body.status, 'weird_new_status');
      fake.store.remove('batch_custom');
      assert.equal((await call(fake, '/v1/batches/batch_custom')).status, 404);
      fake.store.reset({ generated: 30 });
      assert.equal(fake.store.list().length, 30);
      fake.store.reset('empty');
      assert.equal((await call<BatchList>(fake, '/v1/batches')).body.data.length, 0);
    });
  });

  describe('faults', () => {
    it('answers with an injected status, OpenAI error body and retry headers', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', status: 429, headers: { 'retry-after': '1', 'retry-after-ms': '50' } });
      const reply = await call(fake, '/v1/batches');
      const error = assertOpenAiError(reply, 429, null);
      assert.equal(error.code, 'rate_limit_exceeded');
      assert.equal(reply.headers.get('retry-after'), '1');
      assert.equal(reply.headers.get('retry-after-ms'), '50');
    });

    it('applies faults before auth, and only to matching method and path', async () => {
      const fake = await start();
      fake.addFault({ method: 'POST', path: /^\/v1\/batches\/[^/]+\/cancel$/, status: 503, headers: { 'x-should-retry': 'false' } });
      const cancelled = await call(fake, '/v1/batches/batch_x/cancel', { method: 'POST', key: null });
      assertOpenAiError(cancelled, 503);
      assert.equal(cancelled.headers.get('x-should-retry'), 'false');
      assert.equal((await call(fake, '/v1/batches/batch_x')).status, 404, 'GET is not affected');
    });

    it('affects only `times` requests, then answers normally', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', status: 500, times: 1 });
      assert.equal((await call(fake, '/v1/batches')).status, 500);
      assert.equal((await call(fake, '/v1/batches')).status, 200);
      assert.equal(fake.count('GET', '/v1/batches'), 2);
      fake.addFault({ path: '/v1/batches', status: 502 });
      fake.clearFaults();
      assert.equal((await call(fake, '/v1/batches')).status, 200);
    });

    it('sends a custom body as-is', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', status: 502, body: 'upstream connect error' });
      const reply = await call(fake, '/v1/batches');
      assert.equal(reply.status, 502);
      assert.equal(reply.text, 'upstream connect error');
    });

    it('delays a normal answer', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', delayMs: 150, times: 1 });
      const started = Date.now();
      const reply = await call<BatchList>(fake, '/v1/batches');
      assert.ok(Date.now() - started >= 145, `answered after ${Date.now() - started} ms`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.data.length, 20);
    });

    it('hangs until the client gives up', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', hang: true, times: 1 });
      const started = Date.now();
      await assert.rejects(
        fetch(`${fake.baseUrl}/batches`, { headers: { authorization: `Bearer ${KEY}` }, signal: AbortSignal.timeout(200) }),
        (err: Error) => err.name === 'TimeoutError',
      );
      // The fault hangs forever: any bound well short of that shows the client, not the fake, ended it.
      assert.ok(Date.now() - started < 20_000);
      assert.equal((await call(fake, '/v1/batches')).status, 200, 'the next request is answered');
      assert.equal(fake.requests[0].status, 0, 'the hung request has no status');
    });

    it('resets the connection', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', reset: true, times: 1 });
      await assert.rejects(call(fake, '/v1/batches'), TypeError);
      assert.equal((await call(fake, '/v1/batches')).status, 200);
    });

    it('answers 200 with an HTML page', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', html: true });
      const reply = await call(fake, '/v1/batches');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(reply.text, /^<!DOCTYPE html>/);
      assert.equal(reply.body, undefined, 'not JSON');
    });

    it('truncates a JSON body in half, with a matching content-length', async () => {
      const fake = await start();
      const full = (await call(fake, '/v1/batches')).text;
      fake.addFault({ path: '/v1/batches', truncated: true });
      const reply = await call(fake, '/v1/batches');
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(Number(reply.headers.get('content-length')), Buffer.byteLength(reply.text));
      assert.equal(reply.text, full.slice(0, Math.floor(full.length / 2)));
      assert.throws(() => JSON.parse(reply.text));
    });

    it('drops a truncated file download halfway', async () => {
      const fake = await start();
      const file = fake.store.addFile({ filename: 'out.jsonl', purpose: 'batch_output', generatedBytes: 1_000_000 });
      fake.addFault({ path: `/v1/files/${file.id}/content`, truncated: true });
      const res = await fetch(`${fake.baseUrl}/files/${file.id}/content`, { headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(res.headers.get('content-length'), '1000000');
      await assert.rejects(res.arrayBuffer());
    });

    it('returns an empty page that claims has_more', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', emptyPageHasMore: true });
      const reply = await call<BatchList>(fake, '/v1/batches?limit=5');
      assert.deepEqual(reply.body, { object: 'list', data: [], first_id: null, last_id: null, has_more: true });
    });

    it('returns the first page again whatever the cursor (stuck cursor)', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', stuckCursor: true });
      const first = await call<BatchList>(fake, '/v1/batches?limit=5');
      const second = await call<BatchList>(fake, `/v1/batches?limit=5&after=${first.body.last_id}`);
      assert.equal(second.body.has_more, true);
      assert.deepEqual(
        second.body.data.map((b) => b.id),
        first.body.data.map((b) => b.id),
      );
      const end = await call<BatchList>(fake, '/v1/batches?limit=100');
      assert.equal(end.body.has_more, true, 'never ends');
    });

    it('close() returns promptly while requests hang or wait', async () => {
      const fake = await start();
      fake.addFault({ path: '/v1/batches', hang: true });
      fake.addFault({ path: /^\/v1\/batches\//, delayMs: 60_000 });
      const hanging = fetch(`${fake.baseUrl}/batches`, { headers: { authorization: `Bearer ${KEY}` } });
      const waiting = fetch(`${fake.baseUrl}/batches/x`, { headers: { authorization: `Bearer ${KEY}` } });
      const settled = Promise.allSettled([hanging, waiting]);
      await waitFor(() => fake.requests.length === 2);
      const started = Date.now();
      await fake.close();
      // The requests wait forever and 60 s: close does not wait for them.
      assert.ok(Date.now() - started < 20_000, `close took ${Date.now() - started} ms`);
      const results = await settled;
      assert.ok(
        results.every((r) => r.status === 'rejected'),
        'clients see the connection close',
      );
    });
  });

  describe('request log', () => {
    it('records every request with headers, query and status, and counts them', async () => {
      const fake = await start();
      await call(fake, '/v1/batches?limit=3', { headers: { 'OpenAI-Organization': 'org-123', 'OpenAI-Project': 'proj_456' } });
      await call(fake, '/v1/batches', { key: 'sk-wrong-key-123456' });
      await call(fake, `/v1/batches/${fixtureBatches()[0].id}`);
      await call(fake, '/v1/batches/batch_nope/cancel', { method: 'POST' });

      assert.equal(fake.requests.length, 4);
      const [list, unauthorized] = fake.requests;
      assert.equal(list.method, 'GET');
      assert.equal(list.path, '/v1/batches');
      assert.deepEqual(list.query, { limit: '3' });
      assert.equal(list.headers['openai-organization'], 'org-123');
      assert.equal(list.headers['openai-project'], 'proj_456');
      assert.equal(list.headers.authorization, `Bearer ${KEY}`);
      assert.equal(list.status, 200);
      assert.ok(Math.abs(list.at - Date.now()) < 5000);
      assert.equal(unauthorized.status, 401);
      assert.deepEqual(
        fake.requests.map((r) => r.status),
        [200, 401, 200, 404],
      );

      assert.equal(fake.count('GET', '/v1/batches'), 2);
      assert.equal(fake.count('get', /^\/v1\/batches\/[^/]+$/), 1);
      assert.equal(fake.count('POST', /\/cancel$/), 1);
      assert.equal(fake.count('*', /^\/v1\/batches/), 4);
      fake.clearRequests();
      assert.equal(fake.requests.length, 0);
      assert.equal(fake.count('GET', '/v1/batches'), 0);
    });
  });
});
