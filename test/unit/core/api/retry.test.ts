import * as assert from 'node:assert/strict';
import { BatchApiClient, ClientOptions } from '../../../../src/core/api/client';
import { ApiError } from '../../../../src/core/api/errors';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../../../src/core/api/retry';
import { FakeApi, startFakeApi } from '../../../fake-api/server';
import { FAST_RETRY, LIST } from '../../helpers';

// The "Bad input and faults" table of SPEC.md, row by row, at the client level (batchStore.test.ts has the store level).
// client.test.ts already covers: 401 (one request), 403/404 messages, 429 with retry-after-ms,
// persistent 429, x-should-retry: false, 502 + reset, hang/timeout, HTML and truncated bodies.

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('retries at the client level', () => {
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
    assert.equal(
      retryDelayMs(1, policy, { 'retry-after': new Date(now + 7_000).toUTCString() }, () => 0, now),
      7_000,
    );
    assert.equal(
      retryDelayMs(1, policy, { 'retry-after': new Date(now - 5_000).toUTCString() }, () => 0, now),
      0,
    );
    assert.equal(
      retryDelayMs(1, policy, { 'retry-after': '2' }, () => 0, now),
      2_000,
    );
    // An unparsable value falls back to backoff rather than waiting forever or not at all.
    assert.equal(
      retryDelayMs(1, policy, { 'retry-after': 'soon' }, () => 0, now),
      policy.baseDelayMs / 2,
    );
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
