import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { accountId, BatchCache, boundSnapshot, CACHE_FORMAT_VERSION } from '../../../../src/core/batches/batchCache';
import type { Batch } from '../../../../src/core/api/types';
import { generateBatches } from '../../../fake-api/data';

describe('BatchCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'obe-cache-'));
  });
  afterEach(async () => {
    // A cache write flushed by the test may still land while the folder is removed: rm retries then.
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  const account = accountId({ baseUrl: 'https://api.openai.com/v1/', apiKey: 'sk-secret-key-for-tests-0001' });

  it('round-trips a snapshot atomically and never stores the key', async () => {
    const cache = new BatchCache(dir);
    const items = generateBatches(50);
    await cache.save(account, { items, hasMore: true, cursor: items.at(-1)!.id }, 5000, 1234);
    const loaded = await cache.load(account);
    assert.deepEqual(loaded?.snapshot.items, items);
    assert.equal(loaded?.snapshot.hasMore, true);
    assert.equal(loaded?.savedAt, 1234);
    const files = await readdir(dir);
    assert.deepEqual(files, [path.basename(cache.fileFor(account))], 'no temporary files left');
    const { readFile } = await import('node:fs/promises');
    assert.ok(!(await readFile(cache.fileFor(account), 'utf8')).includes('sk-secret-key-for-tests-0001'));
    assert.notEqual(
      account,
      accountId({ baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-other-key-for-tests-0002' }),
      'another key is another account',
    );
    assert.equal(account, accountId({ baseUrl: 'https://API.openai.com/v1', apiKey: 'sk-secret-key-for-tests-0001' }));
  });

  it('ignores a corrupt file, a wrong version and another account, with a log line', async () => {
    const lines: string[] = [];
    const cache = new BatchCache(dir, (line) => lines.push(line));
    await writeFile(cache.fileFor(account), '{"version":1,"acc');
    assert.equal(await cache.load(account), undefined);
    await writeFile(
      cache.fileFor(account),
      JSON.stringify({ version: CACHE_FORMAT_VERSION + 1, account, savedAt: 1, snapshot: { items: [], hasMore: false } }),
    );
    assert.equal(await cache.load(account), undefined);
    await writeFile(
      cache.fileFor(account),
      JSON.stringify({ version: CACHE_FORMAT_VERSION, account, savedAt: 1, snapshot: { items: [{ nope: 1 }], hasMore: false } }),
    );
    assert.equal(await cache.load(account), undefined);
    assert.equal(lines.length, 3);
    assert.equal(await cache.load('missing'), undefined);
  });

  it('bounds the size, dropping the oldest finished batches first and resuming paging after the last kept', () => {
    const items: Batch[] = [
      { id: 'n1', status: 'completed' },
      { id: 'n2', status: 'in_progress' },
      { id: 'n3', status: 'failed' },
      { id: 'n4', status: 'validating' },
      { id: 'n5', status: 'completed' },
    ];
    const bounded = boundSnapshot({ items, hasMore: false }, 3);
    assert.deepEqual(
      bounded.items.map((b) => b.id),
      ['n1', 'n2', 'n4'],
    );
    assert.equal(bounded.hasMore, true);
    assert.equal(bounded.cursor, 'n4');
    assert.deepEqual(boundSnapshot({ items, hasMore: false }, 10).items.length, 5);
  });

  it('clear removes the account file', async () => {
    const cache = new BatchCache(dir);
    await cache.save(account, { items: generateBatches(2), hasMore: false }, 10);
    await cache.clear(account);
    assert.equal(await cache.load(account), undefined);
  });
});

describe('BatchCache: a cleared account stays cleared', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'obe-accounts-'));
  });
  afterEach(async () => {
    // A cache write flushed by the test may still land while the folder is removed: rm retries then.
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('a save still writing when the account is cleared does not bring the file back', async () => {
    const cache = new BatchCache(dir);
    const saving = cache.save('account', { items: generateBatches(2000), hasMore: false }, 5000);
    await cache.clear('account');
    await saving;
    assert.equal(existsSync(cache.fileFor('account')), false);
  });
});
