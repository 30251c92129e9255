import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { accountId, BatchCache, boundSnapshot, CACHE_FORMAT_VERSION } from '../../src/core/batchCache';
import { BatchStore } from '../../src/core/batchStore';
import { BatchApiClient } from '../../src/core/client';
import { isActive } from '../../src/core/grouping';
import type { Batch } from '../../src/core/types';
import { generateBatches } from '../fake-api/data';
import { FakeApi, startFakeApi } from '../fake-api/server';

const terminal = (b: Batch): boolean => ['completed', 'failed', 'expired', 'cancelled'].includes(String(b.status));

function withNewTopBatches(api: FakeApi, count: number): Batch[] {
  const newestAt = api.store.list()[0]?.created_at ?? 1_750_000_000;
  const fresh = generateBatches(count, { seed: 99, now: newestAt + 10_000 }).map((b, i) => ({
    ...b,
    created_at: newestAt + 100 + i,
    status: 'completed',
  }));
  for (const batch of fresh) api.store.put(batch);
  return fresh;
}

describe('Incremental refresh (BatchStore over the fake API)', () => {
  let api: FakeApi;
  let store: BatchStore;

  async function loadAll(pageSize: number): Promise<void> {
    store = new BatchStore(() => pageSize);
    store.setConnection({ kind: 'ready', client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: { maxRetries: 0 } }) });
    await store.refresh();
    while (store.hasMore) await store.loadMore();
  }

  /** Marks every `step`-th batch past the first page as in progress on the server, as long-running jobs are. */
  function activateDeepBatches(step: number): void {
    api.store.list().forEach((b, i) => {
      if (i >= 100 && i % step === 0) api.store.put({ ...b, status: 'in_progress', completed_at: null });
    });
  }

  afterEach(async () => {
    store?.dispose();
    await api?.close();
  });

  it('puts new batches on top with one request when the first page meets a known finished batch', async () => {
    api = await startFakeApi({ seed: { generated: 1000 } });
    // Make every batch finished so the only cost is the list walk.
    for (const b of api.store.list()) if (!terminal(b)) api.store.put({ ...b, status: 'completed' });
    await loadAll(100);
    assert.equal(store.batches.length, 1000);
    const fresh = withNewTopBatches(api, 3);
    api.clearRequests();
    await store.refresh();
    assert.equal(api.requests.length, 1, 'one request for 1000 loaded batches');
    assert.equal(store.batches.length, 1003);
    assert.deepEqual(
      store.batches.slice(0, 3).map((b) => b.id),
      [...fresh].sort((a, b) => (b.created_at ?? 0) - (a.created_at ?? 0)).map((b) => b.id),
    );
    assert.equal(new Set(store.batches.map((b) => b.id)).size, 1003, 'no duplicates');
    assert.equal(store.hasMore, false, 'the load-more cursor state is kept');
  });

  it('refetches known active batches beyond the first page by id, and only those', async () => {
    api = await startFakeApi({ seed: { generated: 1000 } });
    activateDeepBatches(97);
    await loadAll(100);
    const firstPage = new Set(store.batches.slice(0, 100).map((b) => b.id));
    const activeBeyond = store.batches.filter((b) => isActive(b) && !firstPage.has(b.id));
    assert.ok(activeBeyond.length > 0, 'the generated data has active batches deep in the list');
    // One of them finishes on the server.
    const deep = activeBeyond[activeBeyond.length - 1];
    api.store.put({ ...api.store.get(deep.id)!, status: 'completed', completed_at: 1 });
    api.clearRequests();
    await store.refresh();
    const gets = api.requests.filter((r) => /^\/v1\/batches\/[^/]+$/.test(r.path)).length;
    const lists = api.count('GET', '/v1/batches');
    console.log(`      refresh with 1000 loaded: ${lists} list + ${gets} get requests (${activeBeyond.length} active beyond page 1)`);
    assert.equal(gets, activeBeyond.length);
    assert.ok(lists >= 1 && lists <= 2);
    assert.equal(store.get(deep.id)?.status, 'completed');
    const terminalRefetched = api.requests.filter((r) => /^\/v1\/batches\/[^/]+$/.test(r.path) && terminal(store.get(r.path.split('/').pop()!)!) && r.path.split('/').pop() !== deep.id);
    assert.equal(terminalRefetched.length, 0, 'finished batches are not refetched');
  });

  it('falls back to a full reload when the known batches have vanished', async () => {
    api = await startFakeApi({ seed: 'fixture' });
    await loadAll(100);
    for (const b of api.store.list()) api.store.remove(b.id);
    const replacement = withNewTopBatches(api, 2);
    await store.refresh();
    assert.deepEqual(new Set(store.batches.map((b) => b.id)), new Set(replacement.map((b) => b.id)));
    assert.equal(store.lastUpdateStats?.fullReload, true);
  });

  it('removes a known active batch that the provider deleted (404 on refetch)', async () => {
    api = await startFakeApi({ seed: { generated: 300 } });
    activateDeepBatches(50);
    await loadAll(100);
    const firstPage = new Set(store.batches.slice(0, 100).map((b) => b.id));
    const victim = store.batches.find((b) => isActive(b) && !firstPage.has(b.id))!;
    api.store.remove(victim.id);
    await store.refresh();
    assert.equal(store.refreshError, undefined);
    assert.equal(store.get(victim.id), undefined);
  });

  it('paints a restored snapshot without any request, then reconciles', async () => {
    api = await startFakeApi({ seed: 'fixture' });
    await loadAll(20);
    const snapshot = store.snapshot();
    const second = new BatchStore(() => 20);
    api.clearRequests();
    second.setConnection({ kind: 'ready', client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey }) }, { snapshot, savedAt: Date.now() - 3_600_000 });
    assert.equal(second.batches.length, snapshot.items.length);
    assert.ok(second.cachedAt !== undefined);
    assert.equal(api.requests.length, 0, 'first paint from cache costs no request');
    await second.refresh();
    assert.equal(second.cachedAt, undefined, 'reconciled');
    assert.equal(api.requests.length, 1);
    second.dispose();
  });
});

describe('BatchCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'obe-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
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
    assert.notEqual(account, accountId({ baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-other-key-for-tests-0002' }), 'another key is another account');
    assert.equal(account, accountId({ baseUrl: 'https://API.openai.com/v1', apiKey: 'sk-secret-key-for-tests-0001' }));
  });

  it('ignores a corrupt file, a wrong version and another account, with a log line', async () => {
    const lines: string[] = [];
    const cache = new BatchCache(dir, (line) => lines.push(line));
    await writeFile(cache.fileFor(account), '{"version":1,"acc');
    assert.equal(await cache.load(account), undefined);
    await writeFile(cache.fileFor(account), JSON.stringify({ version: CACHE_FORMAT_VERSION + 1, account, savedAt: 1, snapshot: { items: [], hasMore: false } }));
    assert.equal(await cache.load(account), undefined);
    await writeFile(cache.fileFor(account), JSON.stringify({ version: CACHE_FORMAT_VERSION, account, savedAt: 1, snapshot: { items: [{ nope: 1 }], hasMore: false } }));
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
    assert.deepEqual(bounded.items.map((b) => b.id), ['n1', 'n2', 'n4']);
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
