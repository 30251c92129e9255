import * as assert from 'node:assert/strict';
import { BatchStore } from '../../../../src/core/batches/batchStore';
import { BatchApiClient } from '../../../../src/core/api/client';
import { endpointOfLine, readFirstLine } from '../../../../src/core/files/fileContent';
import { checkDelete, deleteFiles, loadActiveBatches } from '../../../../src/core/files/fileDeletion';
import {
  activeUses,
  bulkDeleteCandidates,
  bulkDeleteQuestion,
  coversActiveBatches,
  deleteRefusal,
  expiryState,
  expiryText,
  fileDescription,
  fileTooltipMarkdown,
  fileUsage,
  mergeNewestFirst,
} from '../../../../src/core/files/files';
import { FileStore } from '../../../../src/core/files/fileStore';
import type { Batch, FileObject } from '../../../../src/core/api/types';
import { FakeApi, startFakeApi } from '../../../fake-api/server';
import { batch } from '../../helpers';

const DAY = 86_400;
const NOW = 1_760_000_000;
const NOW_MS = NOW * 1000;

const file = (id: string, created: number, extra: Partial<FileObject> = {}): FileObject => ({
  id,
  object: 'file',
  bytes: 100,
  created_at: created,
  filename: `${id}.jsonl`,
  purpose: 'batch',
  ...extra,
});

describe('files: facts', () => {
  it('says when a file expires, or that it expired', () => {
    assert.equal(expiryText(file('f', NOW, { expires_at: NOW + 3 * DAY }), NOW_MS), 'expires in 3 days');
    assert.equal(expiryText(file('f', NOW, { expires_at: NOW + 2 * 3600 }), NOW_MS), 'expires in 2 hours');
    assert.equal(expiryText(file('f', NOW, { expires_at: NOW - 60 }), NOW_MS), 'expired');
    assert.equal(expiryText(file('f', NOW, { expires_at: NOW }), NOW_MS), 'expired');
    assert.equal(expiryText(file('f', NOW), NOW_MS), undefined);
    assert.equal(expiryText(file('f', NOW, { expires_at: null }), NOW_MS), undefined);
    // ISO-8601 times from other providers.
    assert.equal(
      expiryText(file('f', NOW, { expires_at: new Date((NOW + DAY) * 1000).toISOString() as unknown as number }), NOW_MS),
      'expires in 1 day',
    );
    assert.equal(expiryState(file('f', NOW, { expires_at: NOW + 3 * DAY }), NOW_MS), 'soon');
    assert.equal(expiryState(file('f', NOW, { expires_at: NOW + 20 * DAY }), NOW_MS), 'later');
    assert.equal(expiryState(file('f', NOW, { expires_at: NOW - 1 }), NOW_MS), 'expired');
    assert.equal(expiryState(file('f', NOW), NOW_MS), 'none');
  });

  it('maps loaded batches to the files they use, by role', () => {
    const batches: Batch[] = [
      batch('b1', 'in_progress', { input_file_id: 'in1' }),
      batch('b2', 'completed', { input_file_id: 'in1', output_file_id: 'out2', error_file_id: 'err2' }),
      batch('b3', 'failed', { input_file_id: 'in3', output_file_id: null, error_file_id: '' }),
    ];
    const usage = fileUsage(batches);
    assert.deepEqual(
      usage.get('in1')?.map((u) => [u.batch.id, u.role]),
      [
        ['b1', 'input'],
        ['b2', 'input'],
      ],
    );
    assert.deepEqual(
      usage.get('err2')?.map((u) => [u.batch.id, u.role]),
      [['b2', 'error']],
    );
    assert.deepEqual([...usage.keys()].sort(), ['err2', 'in1', 'in3', 'out2']);
    assert.deepEqual(
      activeUses(usage.get('in1')).map((u) => u.batch.id),
      ['b1'],
    );
    // Statuses in other cases are active too.
    assert.equal(activeUses(fileUsage([batch('b4', 'IN_PROGRESS', { input_file_id: 'x' })]).get('x')).length, 1);
  });

  it('marks a file no loaded batch uses, and lists the batches that do in its hover', () => {
    const f = file('f1', NOW - 3 * DAY, { bytes: 2048, expires_at: NOW + 3 * DAY });
    assert.equal(fileDescription(f, undefined, NOW_MS), '2.0 KB · 3 days ago · expires in 3 days · not used by any loaded batch');
    const uses = fileUsage([batch('b1', 'completed', { input_file_id: 'f1', metadata: { description: 'Nightly [eval](command:x)' } })]).get(
      'f1',
    );
    assert.equal(fileDescription(f, uses, NOW_MS), '2.0 KB · 3 days ago · expires in 3 days');
    const hover = fileTooltipMarkdown(f, uses, NOW_MS);
    assert.match(hover, /Used by:/);
    assert.match(hover, /input of "Nightly \\\[eval\\\]\u2060\\\(command\\:x\\\)" \\\(completed\\\)/);
    assert.doesNotMatch(hover, /\]\(command:/);
    assert.match(fileTooltipMarkdown(f, undefined, NOW_MS), /Not used by any loaded batch\./);
  });

  it('refuses to delete a file an active batch uses, and names the batch', () => {
    const uses = fileUsage([
      batch('b1', 'completed', { input_file_id: 'f1' }),
      batch('b2', 'finalizing', { output_file_id: 'f1', metadata: { description: 'Weekly digest' } }),
    ]).get('f1');
    const refusal = deleteRefusal({ id: 'f1', filename: 'digest.jsonl' }, uses);
    assert.match(refusal ?? '', /^"digest\.jsonl" is still in use: output of "Weekly digest" \(finalizing\)\./);
    for (const status of ['validating', 'in_progress', 'finalizing', 'cancelling']) {
      assert.ok(deleteRefusal({ id: 'f' }, fileUsage([batch('b', status, { input_file_id: 'f' })]).get('f')), status);
    }
    for (const status of ['completed', 'failed', 'expired', 'cancelled']) {
      assert.equal(deleteRefusal({ id: 'f' }, fileUsage([batch('b', status, { input_file_id: 'f' })]).get('f')), undefined, status);
    }
    assert.equal(deleteRefusal({ id: 'f' }, undefined), undefined);
  });

  it('offers for bulk delete the files older than N days that no active batch uses', () => {
    const files = [
      file('new', NOW - 2 * DAY),
      file('old-unused', NOW - 40 * DAY),
      file('old-finished', NOW - 40 * DAY),
      file('old-active', NOW - 40 * DAY),
      file('no-time', NaN),
      file('edge', NOW - 30 * DAY + 10),
    ];
    const batches = [
      batch('b1', 'completed', { input_file_id: 'old-finished' }),
      batch('b2', 'in_progress', { input_file_id: 'old-active' }),
    ];
    const chosen = bulkDeleteCandidates(files, batches, { olderThanDays: 30, nowMs: NOW_MS });
    assert.deepEqual(
      chosen.map((f) => f.id),
      ['old-unused', 'old-finished'],
    );
    assert.equal(bulkDeleteQuestion(37, 30), 'Delete 37 files not used by any active batch, older than 30 days?');
    assert.equal(bulkDeleteQuestion(1, 1), 'Delete 1 file not used by any active batch, older than 1 day?');
  });

  it('trusts "unused" only when the loaded batches reach past every batch that can still be active', () => {
    assert.equal(coversActiveBatches([], false, NOW_MS), true);
    assert.equal(coversActiveBatches([batch('b', 'completed', { created_at: NOW - DAY })], true, NOW_MS), false);
    assert.equal(coversActiveBatches([batch('b', 'completed', { created_at: NOW - 4 * DAY })], true, NOW_MS), true);
  });

  it('merges lists newest first, each id once', () => {
    const merged = mergeNewestFirst([
      [file('a', NOW + 30), file('c', NOW + 10)],
      [file('b', NOW + 20), file('a', NOW + 30), file('d', NOW + 10)],
    ]);
    assert.deepEqual(
      merged.map((f) => f.id),
      ['a', 'b', 'c', 'd'],
    );
  });
});

describe('files: listing and deleting against the fake API', () => {
  let fake: FakeApi;
  let client: BatchApiClient;
  let batches: BatchStore;
  let files: FileStore;

  /** Adds `count` files of a purpose, one a minute apart, the newest `startAgo` seconds old. */
  function addFiles(purpose: string, count: number, startAgo: number, prefix = purpose): FileObject[] {
    return Array.from({ length: count }, (_, i) =>
      fake.store.addFile({
        id: `file-${prefix}-${String(i).padStart(5, '0')}`,
        filename: `${prefix}-${i}.jsonl`,
        purpose,
        content: '{}\n',
        createdAt: fake.clock.now() - startAgo - i * 60,
      }),
    );
  }

  function connect(pageSize: number): void {
    client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retry: { maxRetries: 0 } });
    batches = new BatchStore(() => 20);
    batches.setConnection({ kind: 'ready', client, account: 'acct' });
    files = new FileStore(batches, () => pageSize);
  }

  beforeEach(async () => {
    fake = await startFakeApi({ seed: 'empty', now: NOW });
  });
  afterEach(async () => {
    files?.dispose();
    batches?.dispose();
    await fake.close();
  });

  it('lists one purpose a page at a time, newest first, with after = the last file id', async () => {
    connect(10);
    addFiles('batch', 25, 0);
    const first = await client.listFiles({ purpose: 'batch', order: 'desc', limit: 10 });
    assert.equal(first.data.length, 10);
    assert.equal(first.has_more, true);
    assert.equal(first.data[0].id, 'file-batch-00000');
    const second = await client.listFiles({ purpose: 'batch', order: 'desc', limit: 10, after: first.data[9].id });
    assert.equal(second.data[0].id, 'file-batch-00010');
    const none = await client.listFiles({ purpose: 'batch_output', order: 'desc', limit: 10 });
    assert.deepEqual(none.data, []);
    assert.equal(none.has_more, false);
    const request = fake.requests.at(-2)!;
    assert.deepEqual(request.query, { purpose: 'batch', order: 'desc', limit: '10', after: 'file-batch-00009' });
  });

  it('merges both purposes newest first and loads more from the purpose that holds the list back', async () => {
    connect(10);
    // Inputs every minute from now; outputs every minute from 30 seconds ago: interleaved.
    addFiles('batch', 15, 0);
    addFiles('batch_output', 15, 30);
    await files.refresh();
    assert.equal(fake.count('GET', '/v1/files'), 2);
    // Inputs reach back 9 minutes, outputs 9.5: the outputs older than the inputs' oldest wait. 10 + 9, interleaved.
    const shown = files.files.map((f) => f.id);
    assert.equal(shown.length, 19);
    assert.ok(!shown.includes('file-batch_output-00009'));
    assert.equal(shown[0], 'file-batch-00000');
    assert.equal(shown[1], 'file-batch_output-00000');
    const times = files.files.map((f) => f.created_at!);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    assert.equal(files.hasMore, true);
    // The outputs' oldest loaded file (−9.5 min) is older than the inputs' (−9 min): the inputs limit the list.
    await files.loadMore();
    assert.equal(fake.requests.at(-1)!.query.purpose, 'batch');
    assert.equal(fake.requests.at(-1)!.query.after, 'file-batch-00009');
    await files.loadMore();
    assert.equal(fake.requests.at(-1)!.query.purpose, 'batch_output');
    assert.equal(files.files.length, 30);
    assert.equal(files.hasMore, false);
    assert.equal(files.endNote, undefined);
    assert.equal(new Set(files.files.map((f) => f.id)).size, 30);
  });

  it('stops paging with a note, without looping, when the provider ignores after', async () => {
    connect(10);
    addFiles('batch', 25, 0);
    fake.addFault({ path: '/v1/files', stuckCursor: true });
    await files.refresh();
    assert.equal(files.files.length, 10);
    assert.equal(files.hasMore, true);
    await files.loadMore();
    assert.equal(files.hasMore, false, 'paging stopped');
    assert.match(files.endNote ?? '', /same page again/);
    assert.equal(files.files.length, 10, 'no duplicates');
    await files.loadMore();
    await files.loadMore();
    assert.equal(fake.count('GET', '/v1/files'), 3, 'two first pages and one repeated page: no more requests');
  });

  it('shows each file once when a provider ignores the purpose filter', async () => {
    connect(50);
    addFiles('batch', 5, 0);
    addFiles('batch_output', 5, 30);
    // A provider that ignores ?purpose= answers both lists with every file.
    const original = client.listFiles.bind(client);
    client.listFiles = (params, options) => original({ ...params, purpose: undefined }, options);
    await files.refresh();
    assert.equal(files.files.length, 10);
    assert.equal(new Set(files.files.map((f) => f.id)).size, 10);
  });

  it('keeps the files shown when loading more fails, and forgets them when the account changes', async () => {
    connect(5);
    addFiles('batch', 8, 0);
    await files.refresh();
    assert.equal(files.files.length, 5);
    fake.addFault({ path: '/v1/files', status: 500, times: 1 });
    await files.loadMore();
    assert.equal(files.files.length, 5);
    assert.equal(files.loadMoreError?.kind, 'server');
    await files.loadMore();
    assert.equal(files.loadMoreError, undefined);
    assert.equal(files.files.length, 8);
    batches.setConnection({ kind: 'ready', client, account: 'other' });
    assert.equal(files.files.length, 0);
    assert.equal(files.hasLoaded, false);
  });

  it('refuses a file an active batch uses, after fetching that batch again; allows it once the batch finished', async () => {
    const input = fake.store.addFile({ id: 'file-in', filename: 'in.jsonl', purpose: 'batch', content: '{}\n' });
    fake.store.put(batch('batch_active', 'in_progress', { input_file_id: input.id, created_at: NOW - 600 }));
    connect(10);
    await batches.refresh();
    let check = await checkDelete(batches, input, NOW_MS);
    assert.match(check.refusal ?? '', /still in use: input of "batch_active" \(in progress\)/);
    assert.equal(check.complete, true);
    assert.equal(fake.count('GET', '/v1/batches/batch_active'), 1, 'fetched again to be sure');
    // It finished on the server; the loaded copy still says in progress.
    fake.store.put(batch('batch_active', 'completed', { input_file_id: input.id, created_at: NOW - 600 }));
    assert.equal(batches.get('batch_active')?.status, 'in_progress');
    check = await checkDelete(batches, input, NOW_MS);
    assert.equal(check.refusal, undefined);
    const outcome = await deleteFiles(client, [input.id, 'file-never-existed']);
    assert.deepEqual(outcome.deleted, [input.id, 'file-never-existed'], 'a 404 counts as gone');
    assert.equal(fake.count('DELETE', `/v1/files/${input.id}`), 1);
  });

  it("reads only an uploaded file's first line to find the endpoint a batch from it needs", async () => {
    connect(10);
    const line = JSON.stringify({
      custom_id: 'a',
      method: 'POST',
      url: '/v1/embeddings',
      body: { model: 'text-embedding-3-small', input: 'x' },
    });
    const small = fake.store.addFile({ filename: 'in.jsonl', purpose: 'batch', content: `${line}\r\n${line}\n` });
    const first = await readFirstLine(client, small.id);
    assert.equal(first, line);
    assert.equal(endpointOfLine(first), '/v1/embeddings');
    assert.equal(endpointOfLine('{"url":"/v1/unknown"}'), undefined);
    assert.equal(endpointOfLine('not json'), undefined);
    assert.equal(endpointOfLine(undefined), undefined);
    // A generated file of 64 MiB: the read stops after its first line (or 1 MiB without one).
    const big = fake.store.addFile({ filename: 'big.jsonl', purpose: 'batch_output', generatedBytes: 64 * 1024 * 1024 });
    const started = Date.now();
    await readFirstLine(client, big.id);
    console.log(`      first line of a 64 MiB file read in ${Date.now() - started} ms`);
    assert.equal(await readFirstLine(client, fake.store.addFile({ filename: 'e.jsonl', purpose: 'batch', content: '' }).id), undefined);
  });

  it('loads more batches before trusting "unused" when the loaded ones do not reach back far enough', async () => {
    // 45 batches an hour apart: the first page of 20 reaches back 19 hours, not 3 days.
    for (let i = 0; i < 45; i++) fake.store.put(batch(`batch_${String(i).padStart(3, '0')}`, 'completed', { created_at: NOW - i * 3600 }));
    fake.store.put(batch('batch_old_active', 'in_progress', { created_at: NOW - 30 * 3600, input_file_id: 'file-x' }));
    connect(10);
    await batches.refresh();
    assert.equal(batches.batches.length, 20);
    assert.deepEqual(await loadActiveBatches(batches, NOW_MS), { complete: true });
    assert.ok(batches.get('batch_old_active'), 'the active batch on page 2 is loaded');
    const check = await checkDelete(batches, { id: 'file-x' }, NOW_MS);
    assert.ok(check.refusal);
  });
});
