import * as assert from 'node:assert/strict';
import { EXPIRES_AFTER_SECONDS, expiresAfterHours, uploadAndCreateBatch } from '../../../../src/core/input/batchCreation';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BatchApiClient } from '../../../../src/core/api/client';
import { downloadFile } from '../../../../src/core/files/download';
import { ApiError } from '../../../../src/core/api/errors';
import { expiredFileMessage } from '../../../../src/core/batches/batchDisplay';
import type { FileObject } from '../../../../src/core/api/types';
import { userDownloadLimit } from '../../../../src/core/api/sizeLimit';
import { detailView, fileInfoOf } from '../../../../src/webview/detail/detailView';
import { type FakeApi, startFakeApi } from '../../../fake-api/server';

const DAY = 86_400;

function chat(customId: string): string {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: customId }] },
  });
}

async function post(
  fake: FakeApi,
  path: string,
  body: string | FormData,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${fake.baseUrl}${path}`, {
    method: 'POST',
    body,
    headers: { Authorization: `Bearer ${fake.apiKey}`, ...headers },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function errorParam(reply: { json: Record<string, unknown> }): unknown {
  return (reply.json.error as { param?: unknown } | undefined)?.param;
}

describe('expiry: output_expires_after, expires_after and expired files', () => {
  let fake: FakeApi;
  let client: BatchApiClient;

  beforeEach(async () => {
    fake = await startFakeApi({ seed: 'empty', now: 1_760_000_000 });
    client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retry: { maxRetries: 0 } });
  });
  afterEach(() => fake.close());

  it('turns a number of hours into a policy the API accepts, or none', () => {
    assert.equal(expiresAfterHours(0), undefined);
    assert.equal(expiresAfterHours(-3), undefined);
    assert.equal(expiresAfterHours(Number.NaN), undefined);
    assert.deepEqual(expiresAfterHours(24), { anchor: 'created_at', seconds: DAY });
    assert.deepEqual(expiresAfterHours(0.25), { anchor: 'created_at', seconds: EXPIRES_AFTER_SECONDS.min });
    assert.deepEqual(expiresAfterHours(10_000), { anchor: 'created_at', seconds: EXPIRES_AFTER_SECONDS.max });
  });

  it('uploads with expires_after when asked, and not otherwise', async () => {
    const blob = new Blob([`${chat('a')}\n`]);
    const plain = await client.uploadFile(blob, 'plain.jsonl');
    assert.equal(plain.expires_at, undefined);
    const expiring = await client.uploadFile(blob, 'expiring.jsonl', 'batch', { expiresAfter: { anchor: 'created_at', seconds: 7 * DAY } });
    assert.equal(expiring.expires_at, fake.clock.now() + 7 * DAY);
    assert.equal((await client.getFile(expiring.id)).expires_at, fake.clock.now() + 7 * DAY);
  });

  it('the fake refuses an upload expiry outside what the API accepts', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'expires_after[anchor]': 'last_active_at', 'expires_after[seconds]': '3600' }, 'expires_after.anchor'],
      [{ 'expires_after[anchor]': 'created_at' }, 'expires_after.seconds'],
      [{ 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '3599' }, 'expires_after.seconds'],
      [{ 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '2592001' }, 'expires_after.seconds'],
      [{ 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': 'soon' }, 'expires_after.seconds'],
      [{ 'expires_after[seconds]': '3600' }, 'expires_after.anchor'],
    ];
    for (const [fields, param] of cases) {
      const form = new FormData();
      form.append('purpose', 'batch');
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob([`${chat('a')}\n`]), 'in.jsonl');
      const reply = await post(fake, '/files', form);
      assert.equal(reply.status, 400, JSON.stringify(fields));
      assert.equal(errorParam(reply), param, JSON.stringify(reply.json));
    }
  });

  it('the fake refuses an output_expires_after outside what the API accepts', async () => {
    const file = await client.uploadFile(new Blob([`${chat('a')}\n`]), 'in.jsonl');
    const base = { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' };
    const cases: [unknown, string][] = [
      ['24h', 'output_expires_after'],
      [{ seconds: 3600 }, 'output_expires_after.anchor'],
      [{ anchor: 'updated_at', seconds: 3600 }, 'output_expires_after.anchor'],
      [{ anchor: 'created_at' }, 'output_expires_after.seconds'],
      [{ anchor: 'created_at', seconds: 60 }, 'output_expires_after.seconds'],
      [{ anchor: 'created_at', seconds: 31 * DAY }, 'output_expires_after.seconds'],
      [{ anchor: 'created_at', seconds: 3600.5 }, 'output_expires_after.seconds'],
    ];
    for (const [policy, param] of cases) {
      const reply = await post(fake, '/batches', JSON.stringify({ ...base, output_expires_after: policy }), {
        'content-type': 'application/json',
      });
      assert.equal(reply.status, 400, JSON.stringify(policy));
      assert.equal(errorParam(reply), param);
    }
    const accepted = await post(
      fake,
      '/batches',
      JSON.stringify({ ...base, output_expires_after: { anchor: 'created_at', seconds: 3600 } }),
      {
        'content-type': 'application/json',
      },
    );
    assert.equal(accepted.status, 200);
  });

  it('creates a batch whose output expires as asked; its content then answers 404, and the message says when it expired', async () => {
    const { batch, fileId } = await uploadAndCreateBatch(client, {
      data: () => Promise.resolve(new Blob([[chat('a'), chat('b')].join('\n')])),
      filename: 'in.jsonl',
      endpoint: '/v1/chat/completions',
      inputExpiresAfter: { anchor: 'created_at', seconds: 2 * DAY },
      outputExpiresAfter: { anchor: 'created_at', seconds: DAY },
    });
    assert.equal((await client.getFile(fileId)).expires_at, fake.clock.now() + 2 * DAY);
    fake.clock.advance(600);
    const done = await client.getBatch(batch.id);
    assert.equal(done.status, 'completed');
    const output = await client.getFile(done.output_file_id!);
    assert.equal(output.expires_at, (output.created_at ?? 0) + DAY);
    const { stream } = await client.fileContent(done.output_file_id!, { limit: userDownloadLimit() });
    stream.destroy();
    assert.equal(expiredFileMessage(output.id, output, fake.clock.now() * 1000), undefined, 'not expired yet');

    fake.clock.advance(DAY);
    await assert.rejects(
      client.fileContent(done.output_file_id!, { limit: userDownloadLimit() }),
      (error: unknown) => error instanceof ApiError && error.kind === 'notFound',
    );
    // Every download (Open Output File, Save As, the results view) says so instead of a bare 404, and keeps nothing.
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'oabe-expired-'));
    await assert.rejects(
      downloadFile(client, done.output_file_id!, path.join(folder, 'out.jsonl'), userDownloadLimit()),
      /expired .* the provider no longer has its content/,
    );
    assert.deepEqual(fs.readdirSync(folder), []);
    fs.rmSync(folder, { recursive: true });
    const after = await client.getFile(done.output_file_id!);
    const message = expiredFileMessage(after.id, after, fake.clock.now() * 1000);
    assert.match(message ?? '', new RegExp(`^File ${after.id} expired 10 minutes ago \\(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC\\)`));
    fake.clock.advance(DAY);
    const again = await post(
      fake,
      '/batches',
      JSON.stringify({ input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' }),
      {
        'content-type': 'application/json',
      },
    );
    assert.equal(again.status, 400, 'an expired input file makes no new batch');
  });

  it('shows each file’s expiry in the detail view, expired ones as such', () => {
    const now = 1_760_000_000;
    const batch = { id: 'batch_1', status: 'completed', input_file_id: 'file-in', output_file_id: 'file-out', error_file_id: 'file-err' };
    const files: FileObject[] = [
      { id: 'file-in', bytes: 10, filename: 'in.jsonl', expires_at: now + 29 * DAY },
      { id: 'file-out', bytes: 20, filename: 'out.jsonl', expires_at: now - 3600 },
      { id: 'file-err', bytes: 0, filename: 'err.jsonl', expires_at: '2025-10-10T00:00:00Z' as unknown as number },
    ];
    const view = detailView(batch, now * 1000, new Map(files.map((file) => [file.id, fileInfoOf(file)])));
    const [input, output, error] = view.files;
    assert.equal(input.expires?.relative, 'in 4 weeks');
    assert.equal(input.expires?.expired, false);
    assert.equal(output.expires?.relative, '1 hour ago');
    assert.equal(output.expires?.expired, true);
    assert.equal(error.expires?.text, '2025-10-10 00:00:00 UTC', 'ISO-8601 expiry read too');
    assert.equal(
      detailView({ ...batch, error_file_id: null }, now * 1000, new Map()).files[0].expires,
      undefined,
      'unknown until looked up',
    );
  });

  it('lists files (purpose, order, limit, after) and deletes one', async () => {
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      ids.push((await client.uploadFile(new Blob([`${chat(name)}\n`]), `${name}.jsonl`)).id);
      fake.clock.advance(1);
    }
    fake.store.addFile({ filename: 'notes.txt', purpose: 'user_data', content: 'x' });
    const list = async (query: string): Promise<{ status: number; json: { data?: FileObject[]; has_more?: boolean } }> => {
      const response = await fetch(`${fake.baseUrl}/files${query}`, { headers: { Authorization: `Bearer ${fake.apiKey}` } });
      return { status: response.status, json: (await response.json()) as { data?: FileObject[]; has_more?: boolean } };
    };
    assert.deepEqual(
      (await list('?purpose=batch')).json.data?.map((f) => f.id),
      [...ids].reverse(),
      'newest first by default',
    );
    const first = await list('?purpose=batch&order=asc&limit=2');
    assert.deepEqual(
      first.json.data?.map((f) => f.id),
      ids.slice(0, 2),
    );
    assert.equal(first.json.has_more, true);
    assert.deepEqual(
      (await list(`?purpose=batch&order=asc&after=${ids[1]}`)).json.data?.map((f) => f.id),
      [ids[2]],
    );
    assert.equal((await list('?limit=0')).status, 400);
    assert.equal((await list('?order=sideways')).status, 400);

    const deleted = await fetch(`${fake.baseUrl}/files/${ids[0]}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${fake.apiKey}` },
    });
    assert.deepEqual(await deleted.json(), { id: ids[0], object: 'file', deleted: true });
    await assert.rejects(client.getFile(ids[0]), (error: unknown) => error instanceof ApiError && error.kind === 'notFound');
  });
});
