import * as assert from 'assert';
import { existsSync, readFileSync } from 'fs';
import * as vscode from 'vscode';
import { accountId, BatchCache } from '../../src/core/batches/batchCache';
import { fakeApiSuite, rootItems, waitFor } from './helpers';

describe('Startup from the cache', function () {
  this.timeout(60_000);
  const connect = fakeApiSuite({ clean: 'disconnect' });

  it('paints the cached tree with zero list requests, marks it cached, then reconciles with one', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    await rootItems(api);
    await vscode.commands.executeCommand('openaiBatches.loadMore');
    const loaded = api.services.store.batches.length;
    const cache = new BatchCache(vscode.Uri.joinPath(api.context.globalStorageUri, 'cache').fsPath);
    const file = cache.fileFor(accountId({ baseUrl: fake.baseUrl, apiKey: fake.apiKey }));
    await waitFor(
      'the cache file',
      () =>
        existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { items: unknown[] } }).snapshot.items.length === loaded,
    );
    assert.ok(!readFileSync(file, 'utf8').includes(fake.apiKey), 'the cache never holds the key');

    // A new session for the same account: the connection is rebuilt as at startup.
    fake.clearRequests();
    // The reconciling list request is held for 2 s, so the paint below demonstrably does not wait for it.
    fake.addFault({ method: 'GET', path: '/v1/batches', delayMs: 2_000, times: 1 });
    await vscode.workspace.getConfiguration('openaiBatches').update('pageSize', 21, vscode.ConfigurationTarget.Global);
    await waitFor('the cached store', () => api.services.store.cachedAt !== undefined);
    const firstPaint = await rootItems(api);
    const listCallsAtFirstPaint = fake.requests.filter((r) => r.path === '/v1/batches' && r.status !== 0).length;
    console.log(
      `first paint: ${firstPaint.length} root nodes, ${listCallsAtFirstPaint} list requests; view description "${api.services.treeView.description ?? ''}"`,
    );
    assert.equal(listCallsAtFirstPaint, 0, 'first paint from the cache needs no list response');
    assert.equal(api.services.store.batches.length, loaded, 'every cached batch is shown, not just the first page');
    assert.match(String(api.services.treeView.description), /cached, updated/);
    assert.match(String(api.services.treeView.message), /^Cached from .*; updating…$/, 'the line above the tree says the data is cached');

    await waitFor('reconciliation', () => api.services.store.cachedAt === undefined);
    assert.equal(fake.count('GET', '/v1/batches'), 1, 'reconciling costs one list request');
    assert.equal(api.services.store.batches.length, loaded);
    assert.equal(api.services.treeView.description, undefined);
    assert.equal(api.services.treeView.message, undefined);
  });

  it("Clear API Key removes that account's cache", async () => {
    const { api, fake } = await connect({ seed: 'fixture' });
    await rootItems(api);
    const cache = new BatchCache(vscode.Uri.joinPath(api.context.globalStorageUri, 'cache').fsPath);
    const file = cache.fileFor(accountId({ baseUrl: fake.baseUrl, apiKey: fake.apiKey }));
    await waitFor('the cache file', () => existsSync(file));
    await api.services.connection.clearCache();
    assert.equal(existsSync(file), false);
  });
});
