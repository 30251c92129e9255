import * as assert from 'assert';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchApiClient } from '../../../../src/core/api/client';
import type { Batch } from '../../../../src/core/api/types';
import { archiveName, archiveOne, ArchiveLedgerStore, archiveTasks, expiringUnarchived } from '../../../../src/core/queue/archive';
import { type FakeApi, startFakeApi } from '../../../fake-api/server';
import { FAST_RETRY } from '../../helpers';

describe('archive of outputs before they expire', function () {
  let fake: FakeApi;
  let folder: string;
  let client: BatchApiClient;

  beforeEach(async function () {
    fake = await startFakeApi({ seed: 'empty', now: Math.floor(Date.now() / 1000) });
    folder = await mkdtemp(join(tmpdir(), 'archive-test-'));
    client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retry: FAST_RETRY, timeoutMs: 5_000 });
  });

  afterEach(async function () {
    await fake.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('names files by batch id and a safe description, never a reserved or hidden name', function () {
    assert.strictEqual(
      archiveName({ id: 'batch_1', metadata: { description: 'Nightly run: 2/3 <x>' } }, 'output'),
      'batch_1--Nightly_run_2_3_x.output.jsonl',
    );
    assert.strictEqual(archiveName({ id: 'batch_1', metadata: { description: '../../etc' } }, 'error'), 'batch_1--etc.error.jsonl');
    for (const id of ['CON', 'com1', 'NUL', 'lpt9']) {
      const name = archiveName({ id, metadata: null }, 'output');
      assert.doesNotMatch(name, /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i, name);
      assert.match(name, /\.output\.jsonl$/);
    }
    const dotted = archiveName({ id: 'name.', metadata: null }, 'output');
    assert.ok(dotted.startsWith('name') && !dotted.includes('..') && !/\.\.output/.test(dotted), dotted);
    assert.ok(!archiveName({ id: 'a/../../b' }, 'output').includes('/'));
  });

  it('lists the output and error files of finished batches not yet archived or gone', function () {
    const batches: Batch[] = [
      { id: 'b3', status: 'completed', output_file_id: 'file-o3', error_file_id: 'file-e3' },
      { id: 'b2', status: 'in_progress', output_file_id: null },
      { id: 'b1', status: 'Completed', output_file_id: 'file-o1' },
    ];
    const ledger = { version: 1 as const, account: 'a', files: {}, warned: {}, gone: { 'file-e3': 'expired' } };
    assert.deepStrictEqual(
      archiveTasks(batches, ledger).map((t) => t.fileId),
      ['file-o1', 'file-o3'],
    );
    const records = new Map([
      ['file-o1', { id: 'file-o1', expires_at: Math.floor(Date.now() / 1000) + 2 * 86400 }],
      ['file-o3', { id: 'file-o3', expires_at: Math.floor(Date.now() / 1000) + 9 * 86400 }],
    ]);
    assert.deepStrictEqual(
      expiringUnarchived(records, archiveTasks(batches, ledger), 3).map((e) => e.task.fileId),
      ['file-o1'],
    );
  });

  it('saves a file once, atomically, capped at its record size plus a margin; the ledger survives a restart', async function () {
    const content = `${'{"custom_id":"a","response":{}}\n'.repeat(10)}`;
    const file = fake.store.addFile({ filename: 'batch_out.jsonl', purpose: 'batch_output', content });
    const batch: Batch = { id: 'batch_x', status: 'completed', output_file_id: file.id, metadata: { description: 'Job' } };
    const outcome = await archiveOne(client, { batch, role: 'output', fileId: file.id }, folder);
    assert.deepStrictEqual(outcome, { kind: 'saved', path: join(folder, 'batch_x--Job.output.jsonl'), bytes: content.length });
    assert.strictEqual(await readFile(join(folder, 'batch_x--Job.output.jsonl'), 'utf8'), content);
    assert.deepStrictEqual(await readdir(folder), ['batch_x--Job.output.jsonl'], 'no temporary file left');
    // Already there with the record's size: taken as saved, not downloaded again.
    fake.clearRequests();
    assert.strictEqual((await archiveOne(client, { batch, role: 'output', fileId: file.id }, folder)).kind, 'saved');
    assert.strictEqual(fake.count('GET', /\/content$/), 0);

    const ledgers = new ArchiveLedgerStore(join(folder, 'state'), 'acct');
    const ledger = await ledgers.load();
    ledger.files[file.id] = { batchId: batch.id, role: 'output', path: 'p', bytes: content.length, at: 1 };
    await ledgers.save(ledger);
    const reloaded = await new ArchiveLedgerStore(join(folder, 'state'), 'acct').load();
    assert.deepStrictEqual(archiveTasks([batch], reloaded), [], 'archived once, also after a restart');
  });

  it('refuses a body announced over the record size plus the margin, keeping nothing', async function () {
    const file = fake.store.addFile({ filename: 'big.jsonl', purpose: 'batch_output', generatedBytes: 4 * 1024 * 1024 });
    // The record claims 900 bytes; the content announced is 4 MiB.
    const realGetFile = client.getFile.bind(client);
    client.getFile = async (id, options) => ({ ...(await realGetFile(id, options)), bytes: 900 });
    fake.addFault({ method: 'GET', path: `/v1/files/${file.id}/content`, lyingContentLength: 4 * 1024 * 1024 + 1 });
    await assert.rejects(
      archiveOne(client, { batch: { id: 'batch_big', status: 'completed' }, role: 'output', fileId: file.id }, folder),
      (error: Error) => /file record says 900 B/.test(error.message) && /Nothing was kept/.test(error.message),
    );
    assert.deepStrictEqual(await readdir(folder), []);
  });

  it('an expired file is gone, not an error, and is not tried again', async function () {
    const file = fake.store.addFile({
      filename: 'old.jsonl',
      purpose: 'batch_output',
      content: 'x\n',
      expiresAt: Math.floor(Date.now() / 1000) - 10,
    });
    const outcome = await archiveOne(client, { batch: { id: 'b', status: 'completed' }, role: 'output', fileId: file.id }, folder);
    assert.deepStrictEqual(outcome, { kind: 'gone', reason: 'expired' });
    assert.strictEqual(fake.count('GET', /\/content$/), 0, 'nothing downloaded');
  });
});
