import * as assert from 'node:assert/strict';
import { BatchStore } from '../../../../src/core/batches/batchStore';
import { BatchApiClient } from '../../../../src/core/api/client';
import { isCancellation } from '../../../../src/core/api/errors';
import { isActive } from '../../../../src/core/batches/grouping';
import type { Batch } from '../../../../src/core/api/types';
import { generateBatches } from '../../../fake-api/data';
import { FakeApi, startFakeApi } from '../../../fake-api/server';
import { FAST_RETRY, LIST } from '../../helpers';

const GET_ONE = /^\/v1\/batches\/[^/]+$/;

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

const clientOf = (api: FakeApi): BatchApiClient =>
  new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: { maxRetries: 0 } });

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
}

function ids(store: BatchStore): string[] {
  return store.batches.map((batch) => batch.id);
}

function assertNoDuplicates(store: BatchStore): void {
  assert.equal(new Set(ids(store)).size, store.batches.length, `duplicate ids: ${ids(store).join(', ')}`);
}

describe('Incremental refresh (BatchStore over the fake API)', () => {
  let api: FakeApi;
  let store: BatchStore;

  async function loadAll(pageSize: number): Promise<void> {
    store = new BatchStore(() => pageSize);
    store.setConnection({
      kind: 'ready',
      client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: { maxRetries: 0 } }),
    });
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
    const terminalRefetched = api.requests.filter(
      (r) => /^\/v1\/batches\/[^/]+$/.test(r.path) && terminal(store.get(r.path.split('/').pop()!)!) && r.path.split('/').pop() !== deep.id,
    );
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
    second.setConnection(
      { kind: 'ready', client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey }) },
      { snapshot, savedAt: Date.now() - 3_600_000 },
    );
    assert.equal(second.batches.length, snapshot.items.length);
    assert.ok(second.cachedAt !== undefined);
    assert.equal(api.requests.length, 0, 'first paint from cache costs no request');
    await second.refresh();
    assert.equal(second.cachedAt, undefined, 'reconciled');
    assert.equal(api.requests.length, 1);
    second.dispose();
  });
});

describe('incremental refresh as auto-refresh uses it', () => {
  let api: FakeApi;
  let store: BatchStore;

  function connect(pageSize: number): void {
    store = new BatchStore(() => pageSize);
    store.setConnection({
      kind: 'ready',
      client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: { maxRetries: 0 } }),
    });
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
    assert.ok(
      store.batches.every((b) => ['validating', 'in_progress', 'finalizing', 'cancelling'].includes(String(b.status))),
      'the three newest demo batches are active',
    );
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

// The "Bad input and faults" table of SPEC.md, row by row, at the store level (retry.test.ts has the client level).
describe('paging anomalies through BatchStore and the client', () => {
  const PAGE = 5;
  let api: FakeApi;
  let store: BatchStore;

  beforeEach(async () => {
    api = await startFakeApi({ seed: 'fixture' });
    store = new BatchStore(() => PAGE);
    store.setConnection({
      kind: 'ready',
      client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: FAST_RETRY, timeoutMs: 2_000 }),
    });
  });
  afterEach(async () => {
    store.dispose();
    await api.close();
  });

  const all = (): Batch[] => api.store.list();
  const listPage = (data: Batch[], hasMore: boolean, extra: Record<string, unknown> = {}): object => ({
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: hasMore,
    ...extra,
  });

  /** The end state every anomaly must reach: a note, no Load more, no error, nothing duplicated or lost. */
  async function assertStoppedWithNote(note: RegExp, expectedIds: string[]): Promise<void> {
    assert.match(store.endNote ?? '', note);
    assert.equal(store.hasMore, false, 'no Load more after the note');
    assert.equal(store.refreshError, undefined);
    assert.equal(store.loadMoreError, undefined);
    assertNoDuplicates(store);
    assert.deepEqual(ids(store), expectedIds);
    const before = api.requests.length;
    await store.loadMore();
    assert.equal(api.requests.length, before, 'a further Load more sends nothing');
  }

  it('an empty first page that says has_more shows a note instead of looping', async () => {
    api.addFault({ path: LIST, emptyPageHasMore: true });
    await store.refresh();
    await assertStoppedWithNote(/empty page/, []);
  });

  it('an empty later page that says has_more stops paging with a note; the loaded batches stay', async () => {
    await store.refresh();
    api.addFault({ path: LIST, emptyPageHasMore: true, times: 1 });
    await store.loadMore();
    await assertStoppedWithNote(
      /empty page/,
      all()
        .slice(0, PAGE)
        .map((b) => b.id),
    );
  });

  it('a stuck cursor (the same page again) stops paging with a note, without duplicates', async () => {
    await store.refresh();
    api.addFault({ path: LIST, stuckCursor: true });
    await store.loadMore();
    await assertStoppedWithNote(
      /same page/,
      all()
        .slice(0, PAGE)
        .map((b) => b.id),
    );
  });

  it('a page that only repeats batches already shown stops paging with a note', async () => {
    await store.refresh();
    const loaded = all().slice(0, PAGE);
    api.addFault({ path: LIST, status: 200, body: listPage([loaded[2], loaded[0], loaded[3]], true), times: 1 });
    await store.loadMore();
    await assertStoppedWithNote(
      /repeated/,
      loaded.map((b) => b.id),
    );
  });

  it('a batch that reappears on a later page (the list shifted) is shown once, with its newer data, and paging goes on', async () => {
    await store.refresh();
    const [moved] = all();
    // The provider re-sorts it below the cursor, so the next page repeats it.
    api.store.put({ ...moved, created_at: (all()[PAGE + 1].created_at ?? 0) - 1, metadata: { description: 'moved' } });
    await store.loadMore();
    assertNoDuplicates(store);
    assert.equal(store.batches.length, 2 * PAGE - 1);
    assert.equal(store.get(moved.id)?.metadata?.description, 'moved', 'the repeat updates the row it already has');
    assert.equal(store.hasMore, true);
    assert.equal(store.endNote, undefined);
  });

  it('a batch created on top between page loads neither duplicates nor hides one (cursor paging), and refresh adds it', async () => {
    await store.refresh();
    const newest = all()[0];
    api.store.put({ ...newest, id: 'batch_created_between_pages', created_at: (newest.created_at ?? 0) + 60 });
    await store.loadMore();
    assertNoDuplicates(store);
    assert.deepEqual(
      ids(store),
      all()
        .filter((b) => b.id !== 'batch_created_between_pages')
        .slice(0, 2 * PAGE)
        .map((b) => b.id),
    );
    await store.refresh();
    assertNoDuplicates(store);
    assert.equal(store.batches[0].id, 'batch_created_between_pages');
    assert.equal(store.batches.length, 2 * PAGE + 1, 'the incremental refresh keeps both pages');
  });

  it('a list body without `data` that says has_more stops paging with a note', async () => {
    await store.refresh();
    api.addFault({ path: LIST, status: 200, body: { object: 'list', has_more: true }, times: 1 });
    await store.loadMore();
    await assertStoppedWithNote(
      /empty page/,
      all()
        .slice(0, PAGE)
        .map((b) => b.id),
    );
  });

  it('null first_id/last_id do not matter: the cursor is the id of the last batch received', async () => {
    const firstPage = all().slice(0, PAGE);
    api.addFault({ path: LIST, status: 200, body: listPage(firstPage, true, { first_id: null, last_id: null }), times: 1 });
    await store.refresh();
    await store.loadMore();
    assert.equal(api.requests.at(-1)?.query.after, firstPage.at(-1)?.id);
    assert.deepEqual(
      ids(store),
      all()
        .slice(0, 2 * PAGE)
        .map((b) => b.id),
    );
  });

  it('a refresh that gets an empty page saying has_more keeps the loaded batches and says so', async () => {
    await store.refresh();
    await store.loadMore();
    const loaded = ids(store);
    for (const reload of [() => store.refresh(), () => store.reloadAll()]) {
      api.addFault({ path: LIST, emptyPageHasMore: true, times: 1 });
      await reload();
      assert.deepEqual(ids(store), loaded, 'nothing lost');
      assert.equal(store.refreshError?.kind, 'badResponse');
      assert.match(store.refreshError?.message ?? '', /empty/);
      assert.equal(store.hasMore, true, 'Load more still works');
    }
    await store.loadMore();
    assert.equal(store.batches.length, loaded.length + PAGE);
    assertNoDuplicates(store);
  });
});

describe('concurrent refresh and load more (store level)', () => {
  const PAGE = 5;
  let api: FakeApi;
  let store: BatchStore;
  const unhandled: unknown[] = [];
  const logged: string[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => process.off('unhandledRejection', onUnhandled));

  beforeEach(async () => {
    unhandled.length = 0;
    logged.length = 0;
    api = await startFakeApi({ seed: 'fixture' });
    store = new BatchStore(
      () => PAGE,
      (line) => logged.push(line),
    );
    store.setConnection({
      kind: 'ready',
      client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: FAST_RETRY, timeoutMs: 5_000 }),
    });
    await store.refresh();
  });
  afterEach(async () => {
    // Rejections are reported on a later tick; let them arrive before looking.
    await new Promise((resolve) => setTimeout(resolve, 20));
    store.dispose();
    await api.close();
    assert.deepEqual(unhandled.map(String), [], 'no unhandled rejections');
  });

  const expected = (count: number): string[] =>
    api.store
      .list()
      .slice(0, count)
      .map((b) => b.id);
  const arrived = async (count: number): Promise<void> => {
    for (let i = 0; api.count('GET', LIST) < count; i++) {
      assert.ok(i < 200, 'the request never reached the fake API');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('refresh during a slow load more: the page still arrives, nothing duplicated', async () => {
    api.clearRequests();
    api.addFault({ path: LIST, delayMs: 300, times: 1 });
    const loading = store.loadMore();
    await arrived(1);
    const refreshing = store.refresh();
    await Promise.all([loading, refreshing]);
    assert.deepEqual(ids(store), expected(2 * PAGE), 'both pages, in order');
    assert.equal(store.refreshError, undefined);
    assert.equal(store.loadMoreError, undefined);
    assert.equal(store.hasMore, true);
  });

  it('load more during a slow refresh: the next page is loaded once the refresh is done', async () => {
    api.clearRequests();
    api.addFault({ path: LIST, delayMs: 300, times: 1 });
    const refreshing = store.refresh();
    await arrived(1);
    const clicks = [store.loadMore(), store.loadMore()];
    await Promise.all([refreshing, ...clicks]);
    assert.deepEqual(ids(store), expected(2 * PAGE));
    assert.equal(api.count('GET', LIST), 2, 'one refresh request, one page for two clicks');
  });

  it('a failing refresh during a load more, and a failing load more during a refresh: errors recorded, items kept', async () => {
    api.addFault({ path: LIST, delayMs: 200, status: 500, times: 10 });
    const loading = store.loadMore();
    const refreshing = store.refresh();
    const again = store.loadMore();
    await Promise.all([loading, refreshing, again]);
    assert.deepEqual(ids(store), expected(PAGE));
    assert.ok(store.refreshError || store.loadMoreError, 'the failure is recorded');
    assert.ok(
      logged.length > 0 && logged.every((line) => /^Loading (more )?batches failed \[server\]: .*HTTP 500/.test(line)),
      logged.join('\n'),
    );
    api.clearFaults();
    await store.loadMore();
    await store.refresh();
    assert.deepEqual(ids(store), expected(2 * PAGE));
    assert.equal(store.refreshError, undefined);
    assert.equal(store.loadMoreError, undefined);
  });

  it('a Reload All during a load more supersedes it quietly: first page only, no error', async () => {
    api.addFault({ path: LIST, delayMs: 300, times: 1 });
    const loading = store.loadMore();
    await arrived(2);
    const reloading = store.reloadAll();
    await Promise.all([loading, reloading]);
    assert.deepEqual(ids(store), expected(PAGE));
    assert.equal(store.loadMoreError, undefined);
    assert.equal(store.refreshError, undefined);
    await store.loadMore();
    assert.deepEqual(ids(store), expected(2 * PAGE));
  });

  it('many interleaved refreshes and load-mores end with every page once', async () => {
    api.addFault({ path: LIST, delayMs: 30 });
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 12; i++) {
      pending.push(i % 3 === 0 ? store.refresh() : store.loadMore());
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await Promise.all(pending);
    while (store.hasMore && store.batches.length < api.store.list().length) await store.loadMore();
    assertNoDuplicates(store);
    assert.deepEqual(ids(store), expected(api.store.list().length));
  });
});
