import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchCreationError, fileBlob, uploadAndCreateBatch } from '../../../../src/core/input/batchCreation';
import { BatchApiClient } from '../../../../src/core/api/client';
import { downloadFile } from '../../../../src/core/files/download';
import { validateBatchInput } from '../../../../src/core/input/jsonlValidation';
import { readLines } from '../../../../src/core/util/lineReader';
import { joinResults } from '../../../../src/core/results/resultsJoiner';
import { userDownloadLimit } from '../../../../src/core/api/sizeLimit';
import { FakeApi, startFakeApi } from '../../../fake-api/server';
import { FAST_RETRY } from '../../helpers';

function chatLine(i: number, model: string | undefined = 'gpt-4o-mini'): string {
  return JSON.stringify({
    custom_id: `task-${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { ...(model ? { model } : {}), messages: [{ role: 'user', content: `Question ${i}` }] },
  });
}

async function creationError(promise: Promise<unknown>): Promise<BatchCreationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BatchCreationError, `expected BatchCreationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the creation to fail');
}

describe('uploadAndCreateBatch against the fake API', () => {
  let api: FakeApi;
  let client: BatchApiClient;
  let dir: string;
  let inputPath: string;
  const steps: string[] = [];

  const params = (extra: Partial<Parameters<typeof uploadAndCreateBatch>[1]> = {}): Parameters<typeof uploadAndCreateBatch>[1] => ({
    data: () => fileBlob(inputPath),
    filename: 'questions.jsonl',
    endpoint: '/v1/chat/completions',
    description: 'Nightly questions',
    onStep: (step) => steps.push(step),
    ...extra,
  });

  beforeEach(async () => {
    api = await startFakeApi({ seed: 'empty' });
    client = new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: FAST_RETRY, timeoutMs: 5_000 });
    dir = await mkdtemp(join(tmpdir(), 'batch-create-'));
    inputPath = join(dir, 'questions.jsonl');
    const lines = Array.from({ length: 20 }, (_, i) => chatLine(i));
    await writeFile(inputPath, `${lines.join('\n')}\n`);
    steps.length = 0;
  });

  afterEach(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads the file from disk with purpose batch and creates a 24h batch with the description', async () => {
    const { fileId, batch } = await uploadAndCreateBatch(client, params());
    assert.deepEqual(steps, ['upload', 'create']);
    assert.match(fileId, /^file-/);
    assert.equal(batch.input_file_id, fileId);
    assert.equal(batch.endpoint, '/v1/chat/completions');
    assert.equal(batch.completion_window, '24h');
    assert.deepEqual(batch.metadata, { description: 'Nightly questions' });
    assert.equal(batch.request_counts?.total, 20);
    const file = await client.getFile(fileId);
    assert.equal(file.purpose, 'batch');
    assert.equal(file.filename, 'questions.jsonl');
    assert.equal(file.bytes, (await readFile(inputPath)).length);
  });

  it('sends no metadata for an empty description', async () => {
    const { batch } = await uploadAndCreateBatch(client, params({ description: '  ' }));
    assert.equal(batch.metadata, null);
  });

  it('keeps the uploaded file when creating fails, and a retry reuses it', async () => {
    api.addFault({
      method: 'POST',
      path: '/v1/batches',
      status: 400,
      times: 1,
      body: { error: { message: 'Quota exceeded for this model.', type: 'invalid_request_error', param: null, code: null } },
    });
    const error = await creationError(uploadAndCreateBatch(client, params()));
    assert.equal(error.step, 'create');
    assert.match(error.uploadedFileId ?? '', /^file-/);
    assert.match(error.message, /^Uploaded as file-\S+ but creating the batch failed: .*Quota exceeded for this model\./);
    assert.equal(error.cancelled, false);

    steps.length = 0;
    const { fileId, batch } = await uploadAndCreateBatch(client, params({ uploadedFileId: error.uploadedFileId }));
    assert.deepEqual(steps, ['create']);
    assert.equal(fileId, error.uploadedFileId);
    assert.equal(batch.input_file_id, error.uploadedFileId);
    assert.equal(api.count('POST', '/v1/files'), 1);
  });

  it('names the upload step when the upload fails, and creates nothing', async () => {
    api.addFault({ method: 'POST', path: '/v1/files', status: 400 });
    const error = await creationError(uploadAndCreateBatch(client, params()));
    assert.equal(error.step, 'upload');
    assert.equal(error.uploadedFileId, undefined);
    assert.match(error.message, /^Uploading questions\.jsonl failed: /);
    assert.equal(api.count('POST', '/v1/batches'), 0);
  });

  it('reports a cancelled upload as cancelled', async () => {
    api.addFault({ method: 'POST', path: '/v1/files', delayMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await creationError(uploadAndCreateBatch(client, params({ signal: controller.signal })));
    assert.equal(error.step, 'upload');
    assert.equal(error.cancelled, true);
  });

  it('round trip: validated input → batch → completed → results joined to their requests', async () => {
    // Two requests without a model: the validator flags them, and the fake API fails them.
    const lines = Array.from({ length: 20 }, (_, i) => chatLine(i, i === 4 || i === 11 ? '' : 'gpt-4o-mini'));
    await writeFile(inputPath, `${lines.join('\n')}\n`);
    const checked = validateBatchInput(await readFile(inputPath, 'utf8'));
    assert.deepEqual(
      checked.problems.map((p) => [p.line, p.code]),
      [
        [4, 'missingModel'],
        [11, 'missingModel'],
      ],
    );

    const { batch } = await uploadAndCreateBatch(client, params());
    api.clock.advance(24 * 60 * 60);
    const done = await client.getBatch(batch.id);
    assert.equal(done.status, 'completed');
    assert.ok(done.output_file_id && done.error_file_id && done.input_file_id);

    const local = async (id: string): Promise<string> => {
      const path = join(dir, `${id}.jsonl`);
      await downloadFile(client, id, path, userDownloadLimit());
      return path;
    };
    const [input, output, errors] = await Promise.all([local(done.input_file_id), local(done.output_file_id), local(done.error_file_id)]);
    const report = await joinResults(readLines(input), readLines(output), readLines(errors));
    assert.equal(report.rows.length, 20);
    assert.deepEqual(
      report.rows.map((r) => r.customId),
      lines.map((_, i) => `task-${i}`),
    );
    assert.deepEqual(report.counts, { succeeded: 18, failed: 2, missing: 0, unmatched: 0 });
    assert.deepEqual(
      report.rows.filter((r) => r.outcome === 'failed').map((r) => r.line),
      [5, 12],
    );
    for (const row of report.rows.filter((r) => r.outcome === 'succeeded')) {
      assert.equal(row.statusCode, 200);
      assert.ok(row.answer, `row ${row.customId} has an answer`);
      assert.ok(row.usage?.total_tokens, `row ${row.customId} has usage`);
    }
    assert.ok(report.rows[4].answer, 'a failure carries its message');
  });
});
