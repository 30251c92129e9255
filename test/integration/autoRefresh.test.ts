// Auto-refresh, inside a real extension host against the fake API.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { Batch } from '../../src/core/api/types';
import { ViewId } from '../../src/ids';
import { configuration, delay, fakeApiSuite, rootItems, waitFor } from './helpers';

const ACTIVE = new Set(['validating', 'in_progress', 'finalizing', 'cancelling']);
const isActive = (b: Batch): boolean => ACTIVE.has(String(b.status));
const GET_ONE = /^\/v1\/batches\/[^/]+$/;

describe('auto-refresh', function () {
  this.timeout(120_000);
  const connect = fakeApiSuite();

  it('polls active batches while the view is visible, one list request per interval plus one GET per active batch beyond the first page, and stops when none is active', async () => {
    const { api, fake } = await connect({ seed: 'demo' }, { pageSize: 20 });
    // Three old batches still running deep in the list, besides the six active ones on top.
    const now = fake.clock.now();
    const deep = fake.store.list().slice(45, 48);
    for (const batch of deep) {
      const total = batch.request_counts?.total || 100;
      fake.store.put({
        ...fake.store.get(batch.id)!,
        status: 'in_progress',
        in_progress_at: now - 60,
        expires_at: now + 86_400,
        completed_at: null,
        failed_at: null,
        expired_at: null,
        cancelled_at: null,
        cancelling_at: null,
        finalizing_at: null,
        output_file_id: null,
        error_file_id: null,
        request_counts: { total, completed: 1, failed: 0 },
      });
    }
    const store = api.services.store;
    await rootItems(api);
    await vscode.commands.executeCommand(`${ViewId.batches}.focus`);
    await waitFor('the view to be visible', () => api.services.treeView.visible);
    console.log(`      window focused: ${vscode.window.state.focused}, view visible: ${api.services.treeView.visible}`);

    /** Turns polling on for `count` intervals; returns [list requests, GET requests] of each complete interval. */
    const measure = async (count: number): Promise<[number, number][]> => {
      fake.clearRequests();
      await configuration().update('autoRefreshSeconds', 1, vscode.ConfigurationTarget.Global);
      await waitFor(`${count + 1} auto-refresh intervals`, () => fake.count('GET', '/v1/batches') >= count + 1, 30_000);
      await configuration().update('autoRefreshSeconds', 0, vscode.ConfigurationTarget.Global);
      const log = [...fake.requests];
      const starts = log.map((r, i) => (r.path === '/v1/batches' ? i : -1)).filter((i) => i >= 0);
      return starts.slice(0, count).map((start, n) => {
        const slice = log.slice(start, starts[n + 1]);
        return [slice.filter((r) => r.path === '/v1/batches').length, slice.filter((r) => GET_ONE.test(r.path)).length];
      });
    };
    const summary = (label: string, intervals: [number, number][]): string =>
      `      auto-refresh, ${label}: ${intervals.map(([l, g]) => `${l} list + ${g} GET`).join('; ')} (per 1 s interval)`;

    // First page only: its six active batches come with the one list request.
    const onTop = store.batches.filter(isActive);
    let intervals = await measure(3);
    console.log(summary(`${onTop.length} active, all on the first page (${store.batches.length} loaded)`, intervals));
    for (const interval of intervals) assert.deepEqual(interval, [1, 0]);

    // Everything loaded: the three deep ones are fetched by id, the finished ones never.
    while (store.hasMore) await vscode.commands.executeCommand('openaiBatches.loadMore');
    const firstPage = new Set(
      fake.store
        .list()
        .slice(0, 20)
        .map((b) => b.id),
    );
    const active = store.batches.filter(isActive);
    const activeBeyond = active.filter((b) => !firstPage.has(b.id));
    assert.equal(activeBeyond.length, 3);
    intervals = await measure(3);
    console.log(
      summary(`${active.length} active, ${activeBeyond.length} of them beyond the first page (${store.batches.length} loaded)`, intervals),
    );
    for (const interval of intervals) assert.deepEqual(interval, [1, activeBeyond.length]);
    for (const request of fake.requests.filter((r) => GET_ONE.test(r.path))) {
      assert.ok(
        activeBeyond.some((b) => request.path.endsWith(b.id)),
        `only active batches beyond the first page are fetched (${request.path})`,
      );
    }
    await configuration().update('autoRefreshSeconds', 1, vscode.ConfigurationTarget.Global);

    // Every batch finishes on the server: the store follows, then polling stops.
    fake.clock.advance(6 * 3600);
    await waitFor('every loaded batch to be finished', () => store.batches.every((b) => !isActive(b)), 20_000);
    for (const batch of active)
      assert.ok(
        ['completed', 'cancelled', 'expired', 'failed'].includes(String(store.get(batch.id)?.status)),
        `${batch.id}: ${store.get(batch.id)?.status}`,
      );
    await delay(500);
    fake.clearRequests();
    await delay(3000);
    assert.equal(fake.requests.length, 0, 'no polling once nothing is active');
  });

  it('backs off after failures and does not poll while the view is hidden', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    await rootItems(api);
    await vscode.commands.executeCommand(`${ViewId.batches}.focus`);
    await waitFor('the view to be visible', () => api.services.treeView.visible);
    fake.addFault({
      method: 'GET',
      path: '/v1/batches',
      status: 400,
      body: { error: { message: 'injected', type: 'invalid_request_error', param: null, code: null } },
    });
    fake.clearRequests();
    await configuration().update('autoRefreshSeconds', 1, vscode.ConfigurationTarget.Global);
    await delay(6500);
    const failing = fake.count('GET', '/v1/batches');
    console.log(`      failing auto-refresh: ${failing} requests in 6.5 s at a 1 s interval (1 s, 2 s, 4 s… backoff)`);
    assert.ok(failing >= 1 && failing <= 4, `backed off: ${failing} requests`);
    fake.clearFaults();

    // Hidden view: no polling.
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor('the view to be hidden', () => !api.services.treeView.visible);
    await delay(500);
    fake.clearRequests();
    await delay(3000);
    assert.equal(fake.requests.length, 0, 'no polling while the view is hidden');
  });
});
