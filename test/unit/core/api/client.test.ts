import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { BatchApiClient, ClientOptions } from '../../../../src/core/api/client';
import { ApiError } from '../../../../src/core/api/errors';
import { FakeApi, startFakeApi } from '../../../fake-api/server';
import { FAST_RETRY } from '../../helpers';

async function rejectsWith(promise: Promise<unknown>, kind: ApiError['kind'], pattern?: RegExp): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected ApiError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected an ApiError of kind ${kind}`);
}

describe('BatchApiClient against the fake API', () => {
  let api: FakeApi;
  const client = (extra: Partial<ClientOptions> = {}): BatchApiClient =>
    new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: FAST_RETRY, timeoutMs: 2_000, ...extra });

  beforeEach(async () => {
    api = await startFakeApi({ seed: 'fixture' });
  });
  afterEach(async () => {
    await api.close();
  });

  it('lists a page with limit and after, and sends the auth and organization/project headers', async () => {
    const c = client({ organization: 'org-1', project: 'proj-1' });
    const first = await c.listBatches({ limit: 5 });
    assert.equal(first.data.length, 5);
    assert.equal(first.has_more, true);
    const second = await c.listBatches({ limit: 5, after: first.data[4].id });
    assert.notEqual(second.data[0].id, first.data[0].id);
    const [req1, req2] = api.requests;
    assert.deepEqual(req1.query, { limit: '5' });
    assert.deepEqual(req2.query, { limit: '5', after: first.data[4].id });
    assert.equal(req1.headers.authorization, `Bearer ${api.apiKey}`);
    assert.equal(req1.headers['openai-organization'], 'org-1');
    assert.equal(req1.headers['openai-project'], 'proj-1');
  });

  it('sends Azure-style api-key header and api-version when configured', async () => {
    await api.close();
    api = await startFakeApi({ seed: 'fixture', authHeader: 'api-key', requireApiVersion: '2024-10-21' });
    const page = await client({ authHeader: 'api-key', apiVersion: '2024-10-21' }).listBatches({ limit: 2 });
    assert.equal(page.data.length, 2);
    assert.equal(api.requests[0].headers['api-key'], api.apiKey);
    assert.equal(api.requests[0].headers.authorization, undefined);
    assert.equal(api.requests[0].query['api-version'], '2024-10-21');
  });

  it('maps 401 to an auth error without retrying, and never puts the key in the message', async () => {
    const error = await rejectsWith(client({ apiKey: 'sk-wrong-key-0123456789abcdef' }).listBatches(), 'auth', /401/);
    assert.ok(!error.message.includes('sk-wrong-key-0123456789abcdef'));
    assert.equal(api.count('GET', '/v1/batches'), 1);
  });

  it('names the resource on 404 and 403', async () => {
    await rejectsWith(client().getBatch('batch_missing'), 'notFound', /batch batch_missing was not found/i);
    api.addFault({ path: '/v1/batches', status: 403, times: 1 });
    await rejectsWith(client().listBatches(), 'forbidden', /batch list was denied/);
  });

  it('retries 429 honouring retry-after-ms, then succeeds', async () => {
    api.addFault({ path: '/v1/batches', status: 429, headers: { 'retry-after-ms': '30' }, times: 2 });
    const started = Date.now();
    const page = await client().listBatches();
    assert.equal(page.data.length, 20);
    assert.equal(api.count('GET', '/v1/batches'), 3);
    assert.ok(Date.now() - started >= 55, 'waited for retry-after-ms twice');
  });

  it('gives up on persistent 429 after the bounded retries with a clear error', async () => {
    api.addFault({ path: '/v1/batches', status: 429, headers: { 'retry-after': '0' } });
    await rejectsWith(client().listBatches(), 'rateLimited', /Rate limited/);
    assert.equal(api.count('GET', '/v1/batches'), 4, '1 attempt + 3 retries');
  });

  it('respects x-should-retry: false', async () => {
    api.addFault({ path: '/v1/batches', status: 500, headers: { 'x-should-retry': 'false' } });
    await rejectsWith(client().listBatches(), 'server');
    assert.equal(api.count('GET', '/v1/batches'), 1);
  });

  it('retries 5xx and connection resets, then reports them', async () => {
    api.addFault({ path: '/v1/batches', status: 502, times: 1 });
    api.addFault({ path: '/v1/batches', reset: true, times: 1 });
    assert.equal((await client().listBatches()).data.length, 20);
    assert.equal(api.count('GET', '/v1/batches'), 3);
    api.clearRequests();
    api.addFault({ path: '/v1/batches', reset: true });
    await rejectsWith(client().listBatches(), 'network', /Could not reach 127\.0\.0\.1/);
  });

  it('times out a hanging request, retries, and reports a timeout', async () => {
    api.addFault({ path: '/v1/batches', hang: true });
    await rejectsWith(
      client({ timeoutMs: 100, retry: { ...FAST_RETRY, maxRetries: 1 } }).listBatches(),
      'timeout',
      /did not answer within/,
    );
    assert.equal(api.count('GET', '/v1/batches'), 2);
  });

  it('sends a create only once when it may have reached the server (timeout, reset), and says so', async () => {
    const params = { input_file_id: 'file-abc', endpoint: '/v1/chat/completions', completion_window: '24h' } as const;
    api.addFault({ method: 'POST', path: '/v1/batches', hang: true, times: 1 });
    await rejectsWith(client({ timeoutMs: 200 }).createBatch(params), 'timeout', /may have reached 127\.0\.0\.1:\d+ all the same: refresh/);
    assert.equal(api.count('POST', '/v1/batches'), 1);
    api.addFault({ method: 'POST', path: '/v1/batches', reset: true, times: 1 });
    await rejectsWith(client().createBatch(params), 'network', /may have reached/);
    assert.equal(api.count('POST', '/v1/batches'), 2);
  });

  it('retries a POST whose connection was refused: it never reached the server', async () => {
    const port = api.port;
    await api.close();
    const attempts: string[] = [];
    const closed = new BatchApiClient({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: 'sk-x',
      retry: { ...FAST_RETRY, maxRetries: 2 },
      log: (line) => attempts.push(line),
    });
    await rejectsWith(closed.cancelBatch('batch_1'), 'network', /ECONNREFUSED/);
    assert.equal(attempts.length, 3, attempts.join('\n'));
    api = await startFakeApi({ seed: 'fixture' });
  });

  it('reports HTML and truncated JSON bodies as unexpected responses', async () => {
    api.addFault({ path: '/v1/batches', html: true, times: 1 });
    await rejectsWith(client().listBatches(), 'badResponse', /Unexpected response from 127\.0\.0\.1:\d+ \(HTTP 200\)/);
    api.addFault({ path: '/v1/batches', truncated: true, times: 1 });
    await rejectsWith(client().listBatches(), 'badResponse', /truncated/);
  });

  it('does not retry a 409 on cancel and shows the API message', async () => {
    const completed = api.store.list().find((b) => b.status === 'completed')!;
    await rejectsWith(client().cancelBatch(completed.id), 'conflict', /Cannot cancel/);
    assert.equal(api.count('POST', `/v1/batches/${completed.id}/cancel`), 1);
  });

  it('aborts a request when its signal aborts', async () => {
    api.addFault({ path: '/v1/batches', delayMs: 2_000 });
    const controller = new AbortController();
    const pending = client().listBatches({}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, 'cancelled');
  });

  it('refuses plain http to a non-loopback host before sending anything', () => {
    assert.throws(
      () => new BatchApiClient({ baseUrl: 'http://api.example.com/v1', apiKey: 'sk-x' }),
      (e: ApiError) => e.kind === 'insecureUrl' && /clear text/.test(e.message),
    );
    assert.doesNotThrow(() => new BatchApiClient({ baseUrl: 'http://localhost:8080/v1', apiKey: 'sk-x' }));
    assert.doesNotThrow(() => new BatchApiClient({ baseUrl: 'https://example.openai.azure.com/openai', apiKey: 'sk-x' }));
  });

  it('refuses a base URL with user:pass@ (axios would send Basic auth instead of the key), naming neither in the message', () => {
    for (const baseUrl of [
      'https://alice:s3cr3t-pw@api.example.com/v1',
      'https://alice@api.example.com/v1',
      'http://alice:s3cr3t-pw@localhost:8080/v1',
      'https://alice:s3cr3t-pw@exa mple.com/v1',
    ]) {
      assert.throws(
        () => new BatchApiClient({ baseUrl, apiKey: 'sk-x' }),
        (e: ApiError) =>
          e.kind === 'insecureUrl' && /user name or password|not a valid URL/.test(e.message) && !/alice|s3cr3t/.test(e.message),
        baseUrl,
      );
    }
  });

  it('logs each attempt without the key', async () => {
    const lines: string[] = [];
    api.addFault({ path: '/v1/batches', status: 500, times: 1 });
    await client({ log: (line) => lines.push(line) }).listBatches({ limit: 3 });
    assert.equal(lines.length, 2);
    assert.match(lines[0], /GET \/batches\?limit=3 → HTTP 500/);
    assert.match(lines[1], /HTTP 200.*retry 1/);
    assert.ok(lines.every((line) => !line.includes(api.apiKey)));
  });
});

describe('HTTP proxy outside VS Code', () => {
  let proxy: http.Server;
  const saved = {
    HTTPS_PROXY: process.env.HTTPS_PROXY,
    https_proxy: process.env.https_proxy,
    NO_PROXY: process.env.NO_PROXY,
    no_proxy: process.env.no_proxy,
  };

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

    const client = new BatchApiClient({
      baseUrl: 'https://api.example.test/v1',
      apiKey: 'sk-proxy-test-key',
      retry: { maxRetries: 0 },
      timeoutMs: 5_000,
    });
    await assert.rejects(client.listBatches({ limit: 2 }));
    assert.deepEqual(tunnels, ['api.example.test:443']);

    process.env.NO_PROXY = '.example.test';
    await assert.rejects(client.listBatches({ limit: 2 }), /api\.example\.test/, 'bypassed: the name resolves nowhere without the proxy');
    assert.equal(tunnels.length, 1, 'NO_PROXY hosts go direct');
  });
});
