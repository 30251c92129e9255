import * as assert from 'node:assert/strict';
import { BatchStore } from '../../src/core/batchStore';
import { BatchApiClient, ClientOptions } from '../../src/core/client';
import { ApiError } from '../../src/core/errors';
import { batchDescription, batchLabel, batchPresentation, batchTooltipMarkdown, humanizeStatus, statusPresentation } from '../../src/core/format';
import { groupByStatus, statusOf } from '../../src/core/grouping';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../src/core/retry';
import type { Batch } from '../../src/core/types';
import { isPageMessage } from '../../src/webview/detail/protocol';
import { buildDetailHtml } from '../../src/webview/detail/detailHtml';
import { webviewCsp as detailCsp } from '../../src/webview/html';
import { buildResultsHtml } from '../../src/webview/results/resultsHtml';
import { FakeApi, startFakeApi } from '../fake-api/server';

// The "Bad input and faults" table of SPEC.md, row by row, at the client and store level.
// client.test.ts already covers: 401 (one request), 403/404 messages, 429 with retry-after-ms,
// persistent 429, x-should-retry: false, 502 + reset, hang/timeout, HTML and truncated bodies.

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, maxTotalWaitMs: 2_000 };
const LIST = '/v1/batches';

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

function ids(store: BatchStore): string[] {
  return store.batches.map((batch) => batch.id);
}

function assertNoDuplicates(store: BatchStore): void {
  assert.equal(new Set(ids(store)).size, store.batches.length, `duplicate ids: ${ids(store).join(', ')}`);
}

describe('faults: retries at the client level', () => {
  let api: FakeApi;
  const client = (extra: Partial<ClientOptions> = {}): BatchApiClient =>
    new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: FAST_RETRY, timeoutMs: 2_000, ...extra });

  beforeEach(async () => {
    api = await startFakeApi({ seed: 'fixture' });
  });
  afterEach(async () => {
    await api.close();
  });

  it('reads retry-after as an HTTP date (seconds resolution), past dates meaning now', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    const policy = { ...DEFAULT_RETRY_POLICY, maxTotalWaitMs: 60_000 };
    assert.equal(retryDelayMs(1, policy, { 'retry-after': new Date(now + 7_000).toUTCString() }, () => 0, now), 7_000);
    assert.equal(retryDelayMs(1, policy, { 'retry-after': new Date(now - 5_000).toUTCString() }, () => 0, now), 0);
    assert.equal(retryDelayMs(1, policy, { 'retry-after': '2' }, () => 0, now), 2_000);
    // An unparsable value falls back to backoff rather than waiting forever or not at all.
    assert.equal(retryDelayMs(1, policy, { 'retry-after': 'soon' }, () => 0, now), policy.baseDelayMs / 2);
  });

  it('honours an HTTP-date retry-after from the server, then succeeds', async () => {
    api.addFault({ path: LIST, status: 503, headers: { 'retry-after': new Date(Date.now() - 1_000).toUTCString() }, times: 1 });
    const page = await client().listBatches();
    assert.equal(page.data.length, 20);
    assert.equal(api.count('GET', LIST), 2);
  });

  for (const status of [408, 503, 504]) {
    it(`retries HTTP ${status} on a read, and reports it once the retries are spent`, async () => {
      api.addFault({ path: LIST, status, times: 1 });
      assert.equal((await client().listBatches()).data.length, 20);
      assert.equal(api.count('GET', LIST), 2, 'one retry');
      api.clearRequests();
      api.addFault({ path: LIST, status });
      const error = await rejection(client().listBatches());
      assert.equal(api.count('GET', LIST), 1 + DEFAULT_RETRY_POLICY.maxRetries);
      assert.ok(error.transient, `${error.kind} should read as transient`);
      assert.match(error.message, new RegExp(`HTTP ${status}`));
    });
  }

  for (const [status, kind] of [
    [400, 'badRequest'],
    [401, 'auth'],
    [403, 'forbidden'],
    [404, 'notFound'],
  ] as const) {
    it(`never retries HTTP ${status} (list, get, cancel)`, async () => {
      api.addFault({ path: /^\/v1\/batches/, status });
      const batchId = api.store.list()[0].id;
      for (const call of [() => client().listBatches(), () => client().getBatch(batchId), () => client().cancelBatch(batchId)]) {
        const error = await rejection(call());
        assert.equal(error.kind, kind);
        assert.equal(error.status, status);
      }
      assert.equal(api.requests.length, 3, 'one request per call');
    });
  }

  it('retries a 400 when the server says x-should-retry: true', async () => {
    api.addFault({ path: LIST, status: 400, headers: { 'x-should-retry': 'true' }, times: 2 });
    assert.equal((await client().listBatches()).data.length, 20);
    assert.equal(api.count('GET', LIST), 3);
  });

  it('does not retry a POST that failed with a 500 (a create or cancel must not run twice)', async () => {
    const batchId = api.store.list().find((b) => b.status === 'in_progress')?.id ?? api.store.list()[0].id;
    api.addFault({ method: 'POST', path: /\/cancel$/, status: 500 });
    assert.equal((await rejection(client().cancelBatch(batchId))).kind, 'server');
    assert.equal(api.count('POST', /\/cancel$/), 1);
  });

  describe('capped total wait', function () {
    // Each case would hang for at least 30 s (the default budget) if a server-requested wait
    // were clamped and slept; the mocha timeout is what catches that.
    this.timeout(10_000);

    for (const [name, headers] of [
      ['retry-after: 3600', () => ({ 'retry-after': '3600' })],
      ['retry-after-ms: 3600000', () => ({ 'retry-after-ms': '3600000' })],
      ['retry-after as a date an hour ahead', () => ({ 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() })],
    ] as const) {
      it(`gives up at once when the server asks for more than the budget (${name}), saying how long it asked for`, async () => {
        api.addFault({ path: LIST, status: 429, headers: headers() });
        const error = await rejection(client({ retry: {} }).listBatches());
        assert.equal(error.kind, 'rateLimited');
        assert.equal(api.count('GET', LIST), 1, 'no retry: waiting an hour is not a retry, and retrying early ignores the server');
        assert.match(error.message, /asked to wait (about )?(1 hour|60 minutes)/);
      });
    }

    it('stops retrying once the waits so far plus the next one would exceed maxTotalWaitMs', async () => {
      api.addFault({ path: LIST, status: 429, headers: { 'retry-after-ms': '150' } });
      const error = await rejection(client({ retry: { maxRetries: 10, maxTotalWaitMs: 400 } }).listBatches());
      assert.equal(error.kind, 'rateLimited');
      assert.equal(api.count('GET', LIST), 3, '150 + 150 fit in 400, a third wait would not');
    });
  });
});

describe('faults: paging anomalies through BatchStore and the client', () => {
  const PAGE = 5;
  let api: FakeApi;
  let store: BatchStore;

  beforeEach(async () => {
    api = await startFakeApi({ seed: 'fixture' });
    store = new BatchStore(() => PAGE);
    store.setConnection({ kind: 'ready', client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: FAST_RETRY, timeoutMs: 2_000 }) });
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
    await assertStoppedWithNote(/empty page/, all().slice(0, PAGE).map((b) => b.id));
  });

  it('a stuck cursor (the same page again) stops paging with a note, without duplicates', async () => {
    await store.refresh();
    api.addFault({ path: LIST, stuckCursor: true });
    await store.loadMore();
    await assertStoppedWithNote(/same page/, all().slice(0, PAGE).map((b) => b.id));
  });

  it('a page that only repeats batches already shown stops paging with a note', async () => {
    await store.refresh();
    const loaded = all().slice(0, PAGE);
    api.addFault({ path: LIST, status: 200, body: listPage([loaded[2], loaded[0], loaded[3]], true), times: 1 });
    await store.loadMore();
    await assertStoppedWithNote(/repeated/, loaded.map((b) => b.id));
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
    await assertStoppedWithNote(/empty page/, all().slice(0, PAGE).map((b) => b.id));
  });

  it('null first_id/last_id do not matter: the cursor is the id of the last batch received', async () => {
    const firstPage = all().slice(0, PAGE);
    api.addFault({ path: LIST, status: 200, body: listPage(firstPage, true, { first_id: null, last_id: null }), times: 1 });
    await store.refresh();
    await store.loadMore();
    assert.equal(api.requests.at(-1)?.query.after, firstPage.at(-1)?.id);
    assert.deepEqual(ids(store), all().slice(0, 2 * PAGE).map((b) => b.id));
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

describe('faults: concurrent refresh and load more (store level)', () => {
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
    store = new BatchStore(() => PAGE, (line) => logged.push(line));
    store.setConnection({ kind: 'ready', client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: FAST_RETRY, timeoutMs: 5_000 }) });
    await store.refresh();
  });
  afterEach(async () => {
    // Rejections are reported on a later tick; let them arrive before looking.
    await new Promise((resolve) => setTimeout(resolve, 20));
    store.dispose();
    await api.close();
    assert.deepEqual(unhandled.map(String), [], 'no unhandled rejections');
  });

  const expected = (count: number): string[] => api.store.list().slice(0, count).map((b) => b.id);
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
    assert.ok(logged.length > 0 && logged.every((line) => /^Loading (more )?batches failed \[server\]: .*HTTP 500/.test(line)), logged.join('\n'));
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

describe('faults: odd batches through grouping and formatting', () => {
  const now = Date.UTC(2025, 5, 1) / 1000;
  const longMetadata = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`key_${i}_${'k'.repeat(50)}`, `${i}`.repeat(512)]));
  const base: Batch = { id: 'batch_base', status: 'completed', created_at: now - 60 };
  const variants: [string, Partial<Batch> | Record<string, unknown>][] = [
    ['only an id', { status: undefined, created_at: undefined }],
    ['unknown status', { status: 'paused_for_review' }],
    ['empty status', { status: '' }],
    ['null status', { status: null }],
    ['numeric status', { status: 42 }],
    ['object status', { status: { nested: true } }],
    ['status named like an Object property (constructor)', { status: 'constructor' }],
    ['status named like an Object property (__proto__)', { status: '__proto__' }],
    ['status named like an Object property (toString)', { status: 'toString' }],
    ['status with markup', { status: '<img src=x onerror=alert(1)>' }],
    ['null request_counts', { request_counts: null }],
    ['empty request_counts', { request_counts: {} }],
    ['string and negative counts', { request_counts: { total: '5', completed: -1, failed: null } }],
    ['null errors', { errors: null }],
    ['errors without data', { errors: { object: 'list', data: null } }],
    ['errors with null items', { errors: { object: 'list', data: [null, { code: null, message: null, line: null }] } }],
    ['null metadata', { metadata: null }],
    ['metadata that is a string', { metadata: 'oops' }],
    ['metadata description that is a number', { metadata: { description: 12 } }],
    ['16 metadata keys of 512 chars', { metadata: { ...longMetadata, description: 'd'.repeat(512) } }],
    ['null usage', { usage: null }],
    ['empty usage', { usage: {} }],
    ['all timestamps null', { created_at: null, in_progress_at: null, completed_at: null, failed_at: null, expired_at: null, cancelled_at: null, expires_at: null }],
    ['timestamps as strings', { created_at: '1700000000', completed_at: 'yesterday' }],
    ['negative and huge timestamps', { created_at: -5, completed_at: 1e20, expires_at: Number.MAX_VALUE }],
    ['endpoint and model of the wrong type', { endpoint: 7, model: { name: 'x' } }],
    ['file ids of the wrong type', { input_file_id: 5, output_file_id: {}, error_file_id: [] }],
    ['completed with only an error file', { output_file_id: null, error_file_id: 'file-err', request_counts: { total: 2, completed: 0, failed: 2 } }],
  ];
  const oddIds = ['batch_`tick`', '<script>alert(1)</script>', 'a'.repeat(10_000), 'batch with\nnewline\tand tab', '\u202Egnp.exe', '../../etc/passwd', '__proto__', ' '];

  const cases: Batch[] = [
    ...variants.map(([, patch], i): Batch => ({ ...base, id: `batch_variant_${i}`, ...patch })),
    ...oddIds.map((id) => ({ ...base, id })),
  ];

  it(`renders ${variants.length} odd shapes and ${oddIds.length} odd ids without throwing`, () => {
    for (const batch of cases) {
      const what = `${JSON.stringify(batch).slice(0, 120)}`;
      const label = batchLabel(batch);
      assert.equal(typeof label, 'string', what);
      assert.ok(label.length > 0 && label.length <= Math.max(80, batch.id.length), `label of ${what}`);
      const description = batchDescription(batch, now * 1000);
      assert.equal(typeof description, 'string', what);
      assert.ok(!/NaN|undefined|Infinity|\[object/.test(description), `description "${description}" of ${what}`);
      const presentation = batchPresentation(batch);
      assert.equal(typeof presentation.icon, 'string', `icon of ${what}`);
      assert.ok(presentation.color === undefined || typeof presentation.color === 'string', what);
      const tooltip = batchTooltipMarkdown(batch, now * 1000);
      assert.equal(typeof tooltip, 'string', what);
      assert.ok(!/NaN|undefined|\[object/.test(tooltip), `tooltip of ${what}`);
      const outsideCode = tooltip.replace(/`[^`\n]*`/g, '');
      assert.ok(!/<(script|img)/i.test(outsideCode), `raw markup in the tooltip of ${what}`);
    }
  });

  it('groups every odd status into a humanised, never-empty group with an icon', () => {
    const groups = groupByStatus(cases);
    assert.equal(
      groups.reduce((sum, group) => sum + group.batches.length, 0),
      cases.length,
      'no batch dropped',
    );
    for (const group of groups) {
      const label = humanizeStatus(group.status);
      assert.ok(label.length > 0, group.status);
      assert.equal(label.charAt(0), label.charAt(0).toUpperCase(), label);
      assert.equal(typeof statusPresentation(group.status).icon, 'string', `icon of status ${group.status}`);
    }
    assert.ok(groups.some((g) => g.status === 'unknown'), 'missing and non-string statuses group as unknown');
    assert.equal(humanizeStatus('paused_for_review'), 'Paused for review');
    assert.equal(statusOf({ id: 'x', status: 42 } as unknown as Batch), 'unknown');
  });

  it('reads a completed batch with only an error file as a warning', () => {
    const batch = cases[variants.findIndex(([name]) => name === 'completed with only an error file')];
    assert.equal(batchPresentation(batch).icon, 'warning');
    assert.match(batchTooltipMarkdown(batch, now * 1000), /with failures/);
  });

  it('keeps labels to one line and 80 characters, whatever the metadata', () => {
    const withLongDescription = cases.find((b) => b.metadata && typeof b.metadata === 'object' && Object.keys(b.metadata).length > 16)!;
    assert.ok(batchLabel(withLongDescription).length <= 80);
    assert.equal(batchLabel({ id: 'x', metadata: { description: 'two\nlines\u202E' } }), 'two lines');
  });
});

describe('webview: CSP and message validation', () => {
  const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';
  const cspOf = (html: string): string => {
    const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(match, 'a CSP meta tag');
    return match[1];
  };
  const nonceOf = (html: string): string => /script-src 'nonce-([^']+)'/.exec(cspOf(html))?.[1] ?? '';

  // The results panel is built under the same policy; both pages are checked the same way.
  for (const [page, build] of [
    ['detail', buildDetailHtml],
    ['results', buildResultsHtml],
  ] as const) {
    const render = (): string => build({ cspSource, scriptUri: `${cspSource}/ext/dist/${page}.js`, styleUri: `${cspSource}/ext/media/${page}.css` });

    it(`${page} page: exactly the strict CSP, with a fresh nonce per render that the one script carries`, () => {
      const first = render();
      const nonce = nonceOf(first);
      assert.equal(cspOf(first), `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; script-src 'nonce-${nonce}'; font-src ${cspSource}`);
      assert.equal(cspOf(first), detailCsp(cspSource, nonce));
      assert.ok(Buffer.from(nonce, 'base64').length >= 16, 'a nonce of at least 128 random bits');
      const nonces = new Set(Array.from({ length: 50 }, () => nonceOf(render())));
      nonces.add(nonce);
      assert.equal(nonces.size, 51, 'no nonce repeats');
      const scripts = [...first.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
      assert.equal(scripts.length, 1);
      assert.ok(scripts[0].includes(`nonce="${nonce}"`), scripts[0]);
      assert.match(scripts[0], /\ssrc="/, 'the script is loaded from a file, not inline');
    });

    it(`${page} page: no unsafe-inline, no inline styles, no event-handler attributes, no inline script body`, () => {
      const html = render();
      assert.ok(!html.includes('unsafe-inline'));
      assert.ok(!html.includes('unsafe-eval'));
      assert.ok(!/\sstyle\s*=/i.test(html), 'inline style attribute');
      assert.ok(!/<style\b/i.test(html), 'inline style element');
      assert.ok(!/\son[a-z]+\s*=/i.test(html), 'event-handler attribute');
      assert.ok(!/<script\b[^>]*>[^<]+<\/script>/i.test(html), 'inline script body');
    });
  }

  it('escapes the URIs it is given', () => {
    const html = buildDetailHtml({ cspSource: 'x', scriptUri: '"><script>alert(1)</script>', styleUri: 'a"b', nonce: 'fixed' });
    assert.ok(!html.includes('<script>alert(1)'));
    assert.ok(html.includes('&quot;&gt;&lt;script&gt;'));
  });

  it('accepts exactly the page messages of the protocol', () => {
    for (const good of [{ type: 'ready' }, { type: 'refresh' }, { type: 'cancel' }, { type: 'openOutput' }, { type: 'openError' }, { type: 'openJson' }, { type: 'copy', what: 'outputFileId' }]) {
      assert.equal(isPageMessage(good), true, JSON.stringify(good));
    }
  });

  it('rejects malformed messages and messages with extra keys', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'ready',
      42,
      [],
      ['ready'],
      {},
      { type: 42 },
      { type: 'READY' },
      { type: 'unknown' },
      { type: 'ready', extra: 1 },
      { type: 'refresh', id: 'batch_other' },
      { type: 'cancel', batchId: 'batch_other' },
      { type: 'openJson', path: '/etc/passwd' },
      { type: 'copy' },
      { type: 'copy', what: 'apiKey' },
      { type: 'copy', what: 42 },
      { type: 'copy', what: 'batchId', text: 'injected' },
      { type: 'copy', what: ['batchId'] },
      { type: '__proto__' },
      { type: 'constructor' },
      { type: 'toString' },
      { type: 'copy', what: 'constructor' },
      JSON.parse('{"type":"ready","__proto__":{"x":1}}'),
    ];
    for (const message of bad) assert.equal(isPageMessage(message), false, `accepted ${JSON.stringify(message)}`);
  });
});
