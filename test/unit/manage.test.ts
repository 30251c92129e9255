import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { BatchStore } from '../../src/core/batchStore';
import { BatchApiClient } from '../../src/core/client';
import { CompletionWatcher } from '../../src/core/completionWatcher';
import { describeFilter, isFilterActive, matchesFilter } from '../../src/core/filter';
import type { Batch } from '../../src/core/types';
import { FakeApi, startFakeApi } from '../fake-api/server';

const GET_ONE = /^\/v1\/batches\/[^/]+$/;

function batch(id: string, status: string, extra: Partial<Batch> = {}): Batch {
  return { id, object: 'batch', status, endpoint: '/v1/chat/completions', created_at: 1_700_000_000, ...extra };
}

describe('Manage: incremental refresh as auto-refresh uses it', () => {
  let api: FakeApi;
  let store: BatchStore;

  function connect(pageSize: number): void {
    store = new BatchStore(() => pageSize);
    store.setConnection({ kind: 'ready', client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: { maxRetries: 0 } }) });
  }

  afterEach(async () => {
    store?.dispose();
    await api?.close();
  });

  it('an update of a first page that is all active costs one list request and pulls in nothing older', async () => {
    api = await startFakeApi({ seed: 'demo' });
    connect(3);
    await store.refresh();
    const loaded = store.batches.map((b) => b.id);
    assert.ok(store.batches.every((b) => ['validating', 'in_progress', 'finalizing', 'cancelling'].includes(String(b.status))), 'the three newest demo batches are active');
    api.clearRequests();
    await store.refresh();
    assert.equal(api.count('GET', '/v1/batches'), 1, 'one list request (it used to walk every page)');
    assert.equal(api.count('GET', GET_ONE), 0);
    assert.deepEqual(
      store.batches.map((b) => b.id),
      loaded,
      'same batches, same order: older ones are left for Load more',
    );
    await store.loadMore();
    assert.equal(store.batches.length, 6, 'load more still continues after the third');
    assert.equal(store.endNote, undefined);
  });

  it('a new batch on top of an all-active page: it goes on top, the page walk stops at the oldest loaded batch', async () => {
    api = await startFakeApi({ seed: 'demo' });
    connect(3);
    await store.refresh();
    const loaded = store.batches.map((b) => b.id);
    const newest = api.store.list()[0];
    api.store.put({ ...newest, id: 'batch_zzzznewestontop0001', created_at: (newest.created_at ?? 0) + 10, status: 'validating' });
    api.clearRequests();
    await store.refresh();
    assert.equal(api.count('GET', '/v1/batches'), 2);
    assert.deepEqual(
      store.batches.map((b) => b.id),
      ['batch_zzzznewestontop0001', ...loaded],
    );
  });

  it('an update that changes nothing announces nothing; a change is announced once', async () => {
    api = await startFakeApi({ seed: 'demo' });
    connect(20);
    await store.refresh();
    let changes = 0;
    const subscription = store.onDidChange(() => changes++);
    await store.refresh();
    assert.equal(store.lastUpdateStats?.changed, 0);
    assert.equal(changes, 0, 'no tree refresh (which would drop the rows VS Code has handles to)');
    api.clock.advance(1);
    await store.refresh();
    assert.ok((store.lastUpdateStats?.changed ?? 0) > 0, 'active batches progressed');
    assert.equal(changes, 1);
    // A failure, then a no-op success: the error must be cleared, so that is announced.
    api.addFault({ path: '/v1/batches', status: 400, times: 1 });
    await store.refresh();
    assert.ok(store.refreshError);
    changes = 0;
    await store.refresh();
    assert.equal(store.refreshError, undefined);
    assert.equal(changes, 1);
    subscription.dispose();
  });
});

describe('Manage: completion notifications', () => {
  it('reports a batch seen active once it finishes, once; never one first seen finished', () => {
    const watcher = new CompletionWatcher();
    assert.deepEqual(watcher.observe([batch('a', 'in_progress'), batch('b', 'completed'), batch('c', 'cancelling')]), []);
    assert.equal(watcher.activeCount, 2);
    const finished = watcher.observe([batch('a', 'completed'), batch('b', 'completed'), batch('c', 'cancelling')]);
    assert.deepEqual(
      finished.map((b) => b.id),
      ['a'],
    );
    assert.deepEqual(watcher.observe([batch('a', 'completed'), batch('c', 'cancelled')]).map((b) => b.id), ['c']);
    assert.deepEqual(watcher.observe([batch('a', 'completed'), batch('c', 'cancelled')]), [], 'once');
    watcher.observe([batch('d', 'validating')]);
    watcher.reset();
    assert.deepEqual(watcher.observe([batch('d', 'failed')]), [], 'forgotten after a reset (account switch)');
  });
});

describe('Manage: filter', () => {
  const batches = [
    batch('batch_1', 'completed', { metadata: { description: 'Nightly eval' }, output_file_id: 'file-out1' }),
    batch('batch_2', 'failed', { endpoint: '/v1/embeddings' }),
    batch('batch_3', 'in_progress', { model: 'gpt-4o-mini' }),
  ];
  const ids = (filter: Parameters<typeof matchesFilter>[1]): string[] => batches.filter((b) => matchesFilter(b, filter)).map((b) => b.id);

  it('matches status, endpoint and case-insensitive text in ids, metadata, file ids and model', () => {
    assert.deepEqual(ids({ statuses: ['completed', 'failed'] }), ['batch_1', 'batch_2']);
    assert.deepEqual(ids({ endpoints: ['/v1/embeddings'] }), ['batch_2']);
    assert.deepEqual(ids({ text: 'NIGHTLY' }), ['batch_1']);
    assert.deepEqual(ids({ text: 'file-out1' }), ['batch_1']);
    assert.deepEqual(ids({ text: '4o-mini' }), ['batch_3']);
    assert.deepEqual(ids({ statuses: ['completed'], text: 'embeddings' }), []);
    assert.equal(isFilterActive({ text: '  ', statuses: [] }), false);
    assert.equal(describeFilter({ statuses: ['failed'], endpoints: ['/v1/embeddings'], text: ' eval ' }), 'status: failed · endpoint: /v1/embeddings · "eval"');
  });
});

describe('Manage: HTTP proxy outside VS Code', () => {
  let proxy: http.Server;
  const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, https_proxy: process.env.https_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };

  afterEach(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    proxy?.closeAllConnections();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  });

  // Loopback base URLs never use a proxy (boundedIo.test.ts), and remote ones are https only,
  // so what a proxy sees is a CONNECT tunnel: the host, never the key.
  it('the client (axios) honours HTTPS_PROXY / NO_PROXY from the environment for remote hosts', async () => {
    const tunnels: string[] = [];
    proxy = http.createServer();
    proxy.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
      tunnels.push(`${req.url} ${req.headers.authorization ?? ''}`.trim());
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    delete process.env.https_proxy;
    delete process.env.no_proxy;
    delete process.env.NO_PROXY;
    process.env.HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    const client = new BatchApiClient({ baseUrl: 'https://api.example.test/v1', apiKey: 'sk-proxy-test-key', retry: { maxRetries: 0 }, timeoutMs: 5_000 });
    await assert.rejects(client.listBatches({ limit: 2 }));
    assert.deepEqual(tunnels, ['api.example.test:443']);

    process.env.NO_PROXY = '.example.test';
    await assert.rejects(client.listBatches({ limit: 2 }), /api\.example\.test/, 'bypassed: the name resolves nowhere without the proxy');
    assert.equal(tunnels.length, 1, 'NO_PROXY hosts go direct');
  });
});
