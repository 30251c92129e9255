import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BatchCache } from '../../src/core/batchCache';
import { BatchStore } from '../../src/core/batchStore';
import { BatchApiClient } from '../../src/core/client';
import { isCancellation } from '../../src/core/errors';
import { generateBatches } from '../fake-api/data';
import { FakeApi, startFakeApi } from '../fake-api/server';

const clientOf = (api: FakeApi): BatchApiClient => new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: { maxRetries: 0 } });

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
}

describe('Accounts kept apart (BatchStore over two fake APIs)', () => {
  let a: FakeApi;
  let b: FakeApi;
  let store: BatchStore;

  beforeEach(async () => {
    // The same recorded batches on both servers, as demo data or a copied project would have: ids alone cannot tell the accounts apart.
    [a, b] = await Promise.all([startFakeApi({ seed: 'fixture' }), startFakeApi({ seed: 'fixture' })]);
    store = new BatchStore(() => 20);
  });

  afterEach(async () => {
    store.dispose();
    await Promise.all([a.close(), b.close()]);
  });

  it("a batch fetched for account A that arrives after the switch to B stays out of B's list", async () => {
    const id = a.store.list()[0].id;
    a.store.put({ ...a.store.get(id)!, metadata: { description: "A's copy" } });
    store.setConnection({ kind: 'ready', client: clientOf(a), account: 'A' });
    await store.refresh();
    a.addFault({ method: 'GET', path: `/v1/batches/${id}`, delayMs: 300 });
    const fetched = store.fetchBatch(id).then(
      () => 'resolved',
      (error: unknown) => (isCancellation(error) ? 'cancelled' : String(error)),
    );
    await until('the request to reach A', () => a.count('GET', `/v1/batches/${id}`) === 1);

    store.setConnection({ kind: 'ready', client: clientOf(b), account: 'B' });
    await store.refresh();
    assert.equal(await fetched, 'cancelled', 'the late answer is dropped like a cancelled request');
    assert.equal(store.get(id)?.metadata?.description, b.store.get(id)?.metadata?.description);
    assert.notEqual(store.get(id)?.metadata?.description, "A's copy");
  });

  it('announces an account change once, before the new batches, and not for a reconnect to the same account', () => {
    const events: string[] = [];
    store.onDidChangeAccount((account) => events.push(`account ${String(account)}`));
    store.onDidChange(() => events.push('change'));
    store.setConnection({ kind: 'ready', client: clientOf(a), account: 'A' });
    store.setConnection({ kind: 'ready', client: clientOf(a), account: 'A' });
    store.setConnection({ kind: 'ready', client: clientOf(b), account: 'B' });
    store.setConnection({ kind: 'signedOut' });
    assert.deepEqual(events, ['account A', 'change', 'change', 'account B', 'change', 'account undefined', 'change']);
    assert.equal(store.account, undefined);
  });

  it('records a batch only for the account it came from', () => {
    store.setConnection({ kind: 'ready', client: clientOf(b), account: 'B' });
    const [created] = generateBatches(1, { seed: 5 });
    assert.equal(store.recordBatch(created, { prependIfNew: true, account: 'A' }), false);
    assert.equal(store.get(created.id), undefined);
    assert.equal(store.recordBatch(created, { prependIfNew: true, account: 'B' }), true);
    assert.equal(store.batches[0].id, created.id);
  });
});

describe('BatchCache: a cleared account stays cleared', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'obe-accounts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a save still writing when the account is cleared does not bring the file back', async () => {
    const cache = new BatchCache(dir);
    const saving = cache.save('account', { items: generateBatches(2000), hasMore: false }, 5000);
    await cache.clear('account');
    await saving;
    assert.equal(existsSync(cache.fileFor('account')), false);
  });
});
