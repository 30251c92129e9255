import * as assert from 'node:assert/strict';
import { BatchApiClient } from '../../../../src/core/api/client';
import type { Batch } from '../../../../src/core/api/types';
import { loadDescription, type Schema, type SchemaRef, SchemaValidator } from '../../../fake-api/openapi/validate';
import { BATCH_ENDPOINTS } from '../../../fake-api/data';
import { type FakeApi, type FakeApiOptions, type LoggedRequest, startFakeApi } from '../../../fake-api/server';

/**
 * Our fake API checked against OpenAI's own OpenAPI description of the Batch and Files endpoints
 * (a trimmed copy, test/fake-api/openapi/batch-files.openapi.json, with its source commit), with
 * Ajv: every kind of response it sends, and every request our client sends it.
 */
const description = loadDescription();
const validator = new SchemaValidator(description);
/** The one deviation allowed, documented in validate.ts (ValidationOptions): `null` for optional fields and empty-list cursors. */
const ALLOW_NULL = { allowNullForOptional: true };

const tally = { responses: 0, requests: 0, nulls: new Map<string, number>() };

function assertConforms(value: unknown, schema: SchemaRef, what: string): void {
  const report = validator.validate(value, schema, ALLOW_NULL);
  assert.deepEqual(report.errors, [], `${what} does not conform:\n${report.errors.slice(0, 10).join('\n')}`);
  tally.responses++;
  for (const where of report.nulls) {
    const field = where.replace(/^.*\./, '');
    tally.nulls.set(field, (tally.nulls.get(field) ?? 0) + 1);
  }
}

async function send(
  fake: FakeApi,
  method: string,
  path: string,
  body?: unknown,
  key = fake.apiKey,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${fake.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** The description's path template for a logged path: `/v1/batches/b1/cancel` → `/batches/{batch_id}/cancel`. */
function templateOf(path: string): string {
  const rest = path.replace(/^\/v1/, '');
  return rest.replace(/^\/batches\/[^/]+/, '/batches/{batch_id}').replace(/^\/files\/[^/]+/, '/files/{file_id}');
}

/** A multipart upload's fields as the object CreateFileRequest describes: bracketed names nested, still text. */
function multipartObject(fields: Record<string, unknown>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const nested = /^(\w+)\[(\w+)\]$/.exec(name);
    const text = typeof value === 'string' ? value : 'binary';
    if (!nested) {
      object[name] = text;
      continue;
    }
    const [, outer, inner] = nested;
    const parent = (object[outer] ??= {}) as Record<string, unknown>;
    parent[inner] = text;
  }
  return object;
}

function assertRequestConforms(request: LoggedRequest): void {
  const template = templateOf(request.path);
  const method = request.method.toLowerCase();
  const errors = validator.validateQuery(method, template, request.query);
  if (method === 'post' && template === '/batches') {
    errors.push(...validator.validate(request.body, validator.requestSchema(method, template, 'application/json')).errors);
  } else if (method === 'post' && template === '/files') {
    const schema = validator.requestSchema(method, template, 'multipart/form-data');
    errors.push(...validator.validateText(multipartObject(request.body as Record<string, unknown>), schema));
  }
  assert.deepEqual(errors, [], `${request.method} ${request.path} does not conform`);
  tally.requests++;
}

describe('the fake API against the OpenAPI description of Batch and Files', () => {
  const fakes: FakeApi[] = [];
  async function start(options: FakeApiOptions): Promise<FakeApi> {
    const fake = await startFakeApi(options);
    fakes.push(fake);
    return fake;
  }
  after(async () => {
    await Promise.all(fakes.map((fake) => fake.close()));
    const nulls = [...tally.nulls].map(([field, count]) => `${field} ×${count}`).join(', ');
    console.log(
      `      conformance (Ajv): ${tally.responses} responses and ${tally.requests} requests validated against openai-openapi@${description['x-source'].commit.slice(0, 12)}; null accepted where typed non-null (${validator.nullDeviations.length} optional fields and cursors allow it): ${nulls}`,
    );
  });

  it('is a trimmed copy of the official description, with its source commit', () => {
    assert.equal(description['x-source'].repository, 'https://github.com/openai/openai-openapi');
    assert.match(description['x-source'].commit, /^[0-9a-f]{40}$/);
    assert.deepEqual(Object.keys(description.paths).sort(), [
      '/batches',
      '/batches/{batch_id}',
      '/batches/{batch_id}/cancel',
      '/files',
      '/files/{file_id}',
      '/files/{file_id}/content',
    ]);
    const statuses = (validator.schemaAt(validator.component('Batch')).properties as Record<string, Schema>).status.enum;
    assert.deepEqual(statuses, ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled']);
  });

  it('accepts exactly the endpoints the description lists for a batch', () => {
    const endpoint = (validator.schemaAt(validator.component('CreateBatchRequest')).properties as Record<string, Schema>).endpoint;
    assert.deepEqual([...BATCH_ENDPOINTS], endpoint.enum);
  });

  it('Ajv catches missing fields, wrong types, unknown enum values and unexpected properties', () => {
    const batch = validator.component('Batch');
    const good = {
      id: 'b',
      object: 'batch',
      endpoint: '/v1/responses',
      input_file_id: 'f',
      completion_window: '24h',
      status: 'completed',
      created_at: 1,
    };
    assert.deepEqual(validator.validate(good, batch).errors, []);
    assert.match(
      validator.validate({ ...good, status: 'Completed' }, batch).errors.join(),
      /status: must be equal to one of the allowed values .*, got "Completed"/,
    );
    assert.match(validator.validate({ ...good, created_at: '2025-06-01T00:00:00Z' }, batch).errors.join(), /created_at: must be integer/);
    const { id: _id, ...withoutId } = good;
    assert.match(validator.validate(withoutId, batch).errors.join(), /must have required property 'id'/);
    assert.match(
      validator.validate({ ...good, request_counts: { total: 1 } }, batch).errors.join(),
      /request_counts: must have required property 'completed'/,
    );
    assert.match(validator.validate({ ...good, metadata: { a: 1 } }, batch).errors.join(), /anyOf/);
    assert.match(validator.validate({ ...good, output_file_id: null }, batch).errors.join(), /output_file_id: must be string, got null/);
    assert.deepEqual(validator.validate({ ...good, output_file_id: null }, batch, ALLOW_NULL).nulls, ['$.output_file_id']);
    assert.match(
      validator.validate({ ...good, endpoint: null }, batch, ALLOW_NULL).errors.join(),
      /endpoint: must be string, got null/,
      'required stays required',
    );
    const upload = validator.component('CreateFileRequest');
    assert.match(
      validator.validateText({ file: 'x', purpose: 'batch', extra: '1' }, upload).join(),
      /must NOT have additional properties: extra/,
    );
    assert.match(
      validator.validateText({ file: 'x', purpose: 'batch', expires_after: { anchor: 'created_at', seconds: '60' } }, upload).join(),
      /expires_after.seconds: must be >= 3600/,
    );
    assert.deepEqual(
      validator.validateText({ file: 'x', purpose: 'batch', expires_after: { anchor: 'created_at', seconds: '7200' } }, upload),
      [],
      'multipart text is read as its type',
    );
    assert.match(
      validator
        .validate(
          {
            input_file_id: 'f',
            endpoint: '/v1/responses',
            completion_window: '24h',
            output_expires_after: { anchor: 'created_at', seconds: '7200' },
          },
          validator.component('CreateBatchRequest'),
        )
        .errors.join(),
      /output_expires_after.seconds: must be integer/,
      'JSON bodies are not',
    );
    assert.deepEqual(validator.validateQuery('get', '/batches', { limit: '20', after: 'b' }), []);
    assert.match(validator.validateQuery('get', '/batches', { limit: 'many' }).join(), /query.limit: must be integer, got "many"/);
    assert.match(
      validator.validateQuery('get', '/files', { order: 'sideways' }).join(),
      /query.order: must be equal to one of the allowed values/,
    );
    assert.match(validator.validateQuery('get', '/files', { nope: '1' }).join(), /must NOT have additional properties: nope/);
  });

  it('allows null in exactly the optional fields and list cursors whose schema refuses it', () => {
    const allowed = validator.nullDeviations.map((ref) => ref.replace('#/components/schemas/', ''));
    for (const field of [
      'Batch/properties/output_file_id',
      'Batch/properties/completed_at',
      'ListBatchesResponse/properties/first_id',
      'ListFilesResponse/properties/last_id',
    ]) {
      assert.ok(allowed.includes(field), `${field} does not allow null`);
    }
    for (const field of [
      'Batch/properties/id',
      'Batch/properties/endpoint',
      'Batch/properties/status',
      'Batch/properties/metadata',
      'ListBatchesResponse/properties/has_more',
    ]) {
      assert.ok(!allowed.includes(field), `${field} allows null`);
    }
    const list = { object: 'list', data: [], first_id: null, last_id: null, has_more: false };
    assert.match(validator.validate(list, validator.responseSchema('get', '/batches')).errors.join(), /first_id: must be string, got null/);
    assert.deepEqual(validator.validate(list, validator.responseSchema('get', '/batches'), ALLOW_NULL), {
      errors: [],
      nulls: ['$.first_id', '$.last_id'],
    });
  });

  for (const seed of ['fixture', 'demo', { generated: 300 }] as const) {
    it(`list pages, batches and their files conform (seed ${JSON.stringify(seed)})`, async () => {
      const fake = await start({ seed });
      let after: string | undefined;
      const seen: Batch[] = [];
      for (;;) {
        const page = await send(fake, 'GET', `/batches?limit=37${after ? `&after=${after}` : ''}`);
        assert.equal(page.status, 200);
        assertConforms(page.json, validator.responseSchema('get', '/batches'), 'GET /batches');
        const { data, has_more } = page.json as { data: Batch[]; has_more: boolean };
        seen.push(...data);
        if (!has_more) break;
        after = data[data.length - 1].id;
      }
      assert.equal(seen.length, fake.store.list().length);
      const statuses = new Set(seen.map((b) => b.status));
      for (const batch of seen) {
        const one = await send(fake, 'GET', `/batches/${encodeURIComponent(batch.id)}`);
        assertConforms(one.json, validator.responseSchema('get', '/batches/{batch_id}'), `GET /batches/${batch.id}`);
        // One of each status is enough for files: they are derived the same way for every batch.
        if (!statuses.delete(batch.status)) continue;
        for (const fileId of [batch.input_file_id, batch.output_file_id, batch.error_file_id]) {
          if (!fileId) continue;
          const file = await send(fake, 'GET', `/files/${encodeURIComponent(fileId)}`);
          assertConforms(file.json, validator.responseSchema('get', '/files/{file_id}'), `GET /files/${fileId}`);
        }
      }
    });
  }

  it('create, cancel, upload, file list, delete, an empty list and errors conform', async () => {
    const fake = await start({ seed: 'empty' });
    const empty = await send(fake, 'GET', '/batches');
    assertConforms(empty.json, validator.responseSchema('get', '/batches'), 'an empty GET /batches');
    const client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retry: { maxRetries: 0 } });
    const line = JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/responses', body: { model: 'gpt-4.1', input: 'hi' } });
    const upload = await client.uploadFile(new Blob([`${line}\n`]), 'in.jsonl', 'batch', {
      expiresAfter: { anchor: 'created_at', seconds: 86_400 },
    });
    assertConforms(upload, validator.responseSchema('post', '/files'), 'POST /files');
    const created = await client.createBatch({
      input_file_id: upload.id,
      endpoint: '/v1/responses',
      completion_window: '24h',
      metadata: { description: 'conformance' },
      output_expires_after: { anchor: 'created_at', seconds: 3600 },
    });
    assertConforms(created, validator.responseSchema('post', '/batches'), 'POST /batches');
    const cancelled = await client.cancelBatch(created.id);
    assertConforms(cancelled, validator.responseSchema('post', '/batches/{batch_id}/cancel'), 'POST /batches/{id}/cancel');
    const second = await client.createBatch({ input_file_id: upload.id, endpoint: '/v1/responses', completion_window: '24h' });
    fake.clock.advance(3600);
    const done = await client.getBatch(second.id);
    assert.equal(done.status, 'completed');
    assertConforms(await client.getFile(done.output_file_id!), validator.responseSchema('get', '/files/{file_id}'), 'an output file');
    await client.listBatches({ limit: 1 });
    await client.listBatches({ limit: 1, after: second.id });
    const filePage = await client.listFiles({ purpose: 'batch_output', order: 'desc', limit: 1 });
    assertConforms(filePage, validator.responseSchema('get', '/files'), "the client's GET /files");
    await client.listFiles({ purpose: 'batch_output', order: 'desc', limit: 1, after: filePage.data[0].id });

    const files = await send(fake, 'GET', '/files?purpose=batch&order=asc&limit=10');
    assertConforms(files.json, validator.responseSchema('get', '/files'), 'GET /files');
    assertConforms((await send(fake, 'GET', '/files')).json, validator.responseSchema('get', '/files'), 'GET /files, every purpose');
    const deleted = await send(fake, 'DELETE', `/files/${done.output_file_id!}`);
    assertConforms(deleted.json, validator.responseSchema('delete', '/files/{file_id}'), 'DELETE /files/{id}');
    assert.deepEqual(await client.deleteFile(done.error_file_id ?? upload.id), { id: done.error_file_id ?? upload.id, deleted: true });

    const errorSchema = validator.component('ErrorResponse');
    const failures = [
      await send(fake, 'GET', '/batches', undefined, 'sk-wrong-key-123456'),
      await send(fake, 'GET', '/batches/batch_missing'),
      await send(fake, 'GET', '/files/file-missing'),
      await send(fake, 'GET', '/batches?limit=1000'),
      await send(fake, 'POST', '/batches', { input_file_id: upload.id, endpoint: '/v1/nope', completion_window: '24h' }),
      await send(fake, 'POST', '/batches', {
        input_file_id: upload.id,
        endpoint: '/v1/responses',
        completion_window: '24h',
        output_expires_after: { anchor: 'created_at', seconds: 1 },
      }),
      await send(fake, 'POST', `/batches/${done.id}/cancel`),
    ];
    assert.deepEqual(
      failures.map((f) => f.status),
      [401, 404, 404, 400, 400, 400, 409],
    );
    for (const failure of failures) assertConforms(failure.json, errorSchema, `an HTTP ${failure.status} error`);

    const succeeded = fake.requests.filter((r) => r.status === 200);
    assert.ok(
      succeeded.some((r) => r.method === 'POST' && r.path === '/v1/files' && JSON.stringify(r.body).includes('expires_after[seconds]')),
    );
    assert.ok(
      succeeded.some((r) => r.method === 'POST' && r.path === '/v1/batches' && JSON.stringify(r.body).includes('output_expires_after')),
    );
  });

  it("every request that succeeded conforms, the client's among them: query, JSON body and multipart fields", () => {
    const succeeded = fakes.flatMap((fake) => fake.requests.filter((r) => r.status === 200));
    assert.ok(succeeded.length > 100);
    for (const request of succeeded) assertRequestConforms(request);
  });

  it("the fake in quirks mode does not conform, as other providers' answers do not", async () => {
    const fake = await start({ seed: { generated: 20 }, quirks: 'all' });
    const page = await send(fake, 'GET', '/batches');
    const report = validator.validate(page.json, validator.responseSchema('get', '/batches'), ALLOW_NULL);
    const text = report.errors.join('\n');
    assert.match(text, /must have required property 'has_more'/);
    assert.match(text, /status: must be equal to one of the allowed values .*, got "[A-Z]/);
    assert.match(text, /created_at: must be integer, got "/);
    assert.match(text, /endpoint: must be string, got null/);
  });
});
