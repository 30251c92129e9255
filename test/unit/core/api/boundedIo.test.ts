import * as assert from 'node:assert/strict';
import dns from 'node:dns';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BatchApiClient, ClientOptions } from '../../../../src/core/api/client';
import { downloadFile } from '../../../../src/core/files/download';
import { ApiError } from '../../../../src/core/api/errors';
import { AUTOMATIC_READ_CEILING_BYTES, automaticReadLimit, TooLargeError, userDownloadLimit } from '../../../../src/core/api/sizeLimit';
import { FakeApi, startFakeApi } from '../../../fake-api/server';

// SPEC "Hostile input, second table": an endless or gzip-bomb body, a trickle, a lying
// content-length, a proxy in the environment, a *.localhost name that leaves the machine.

const LIST = '/v1/batches';
const CONTENT = /^\/v1\/files\/[^/]+\/content$/;
const MiB = 1024 * 1024;
const NO_RETRY = { maxRetries: 0 };

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

/** How long `run` took and how far the process's memory rose above where it started (sampled every 10 ms). */
async function measured<T>(run: () => Promise<T>): Promise<{ result: T; ms: number; rssGrowthMiB: number; arrayBuffersGrowthMiB: number }> {
  const before = process.memoryUsage();
  let peak = before;
  const sample = (): void => {
    const now = process.memoryUsage();
    peak = { ...now, rss: Math.max(peak.rss, now.rss), arrayBuffers: Math.max(peak.arrayBuffers, now.arrayBuffers) };
  };
  const sampler = setInterval(sample, 10);
  const started = Date.now();
  try {
    const result = await run();
    sample();
    return {
      result,
      ms: Date.now() - started,
      rssGrowthMiB: (peak.rss - before.rss) / MiB,
      arrayBuffersGrowthMiB: (peak.arrayBuffers - before.arrayBuffers) / MiB,
    };
  } finally {
    clearInterval(sampler);
  }
}

function report(what: string, figures: { ms: number; rssGrowthMiB: number; arrayBuffersGrowthMiB: number }): void {
  console.log(
    `      ${what}: failed after ${figures.ms} ms, RSS +${figures.rssGrowthMiB.toFixed(1)} MiB, array buffers +${figures.arrayBuffersGrowthMiB.toFixed(1)} MiB`,
  );
}

describe('bounded I/O: JSON responses', function () {
  this.timeout(20_000);
  let api: FakeApi;
  const client = (extra: Partial<ClientOptions> = {}): BatchApiClient =>
    new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: NO_RETRY, timeoutMs: 5_000, ...extra });

  beforeEach(async () => {
    api = await startFakeApi({ seed: 'fixture' });
  });
  afterEach(async () => {
    await api.close();
  });

  it('an endless JSON body fails at the size cap with a clear error, in bounded time and memory', async () => {
    api.addFault({ path: LIST, endlessBody: true });
    const small = await rejection(client({ maxResponseBytes: MiB }).listBatches());
    assert.equal(small.kind, 'badResponse');
    assert.match(small.message, /^The response from 127\.0\.0\.1:\d+ exceeded 1\.0 MB \(request for the batch list\)/);

    const figures = await measured(() => rejection(client().listBatches()));
    report('endless body, default 32 MiB cap', figures);
    assert.equal(figures.result.kind, 'badResponse');
    assert.match(figures.result.message, /exceeded 32\.0 MB/);
    assert.ok(figures.ms < 10_000, `took ${figures.ms} ms`);
    assert.ok(figures.rssGrowthMiB < 200, `RSS grew by ${figures.rssGrowthMiB.toFixed(0)} MiB`);
    assert.equal(api.count('GET', LIST), 2, 'not retried');
  });

  it('a gzip bomb (1 MiB inflating to 1 GiB) fails at the cap on inflated bytes, without inflating the rest', async () => {
    api.addFault({ path: LIST, gzipBomb: true });
    const figures = await measured(() => rejection(client().listBatches()));
    report('gzip bomb, default 32 MiB cap', figures);
    assert.equal(figures.result.kind, 'badResponse');
    assert.match(figures.result.message, /^The response from 127\.0\.0\.1:\d+ exceeded 32\.0 MB/);
    assert.ok(figures.ms < 10_000, `took ${figures.ms} ms`);
    assert.ok(figures.rssGrowthMiB < 200, `RSS grew by ${figures.rssGrowthMiB.toFixed(0)} MiB (inflating it all would take 1 GiB)`);
  });

  it('a body trickled a byte every 50 ms times out after timeoutMs for the whole request, not per byte', async () => {
    api.addFault({ path: LIST, trickle: true, trickleIntervalMs: 50 });
    const started = Date.now();
    const error = await rejection(client({ timeoutMs: 1_000 }).listBatches());
    const ms = Date.now() - started;
    console.log(`      trickled JSON body, timeoutMs 1000: failed after ${ms} ms`);
    assert.equal(error.kind, 'timeout');
    assert.match(error.message, /did not answer within 1 s \(request for the batch list\)/);
    assert.ok(ms < 10_000, `took ${ms} ms (the whole page would take minutes)`);
  });

  it('a cancel during a trickled body is a cancel, not a timeout', async () => {
    api.addFault({ path: LIST, trickle: true, trickleIntervalMs: 50 });
    const controller = new AbortController();
    const pending = client({ timeoutMs: 5_000 }).listBatches({}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    assert.equal((await rejection(pending)).kind, 'cancelled');
  });
});

describe('bounded I/O: file content and downloads', function () {
  this.timeout(20_000);
  let api: FakeApi;
  let folder: string;
  const client = (extra: Partial<ClientOptions> = {}): BatchApiClient =>
    new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: NO_RETRY, timeoutMs: 5_000, ...extra });
  const content = 'x'.repeat(99) + '\n';
  let fileId: string;
  let destination: string;

  beforeEach(async () => {
    api = await startFakeApi({ seed: 'fixture' });
    fileId = api.store.addFile({ filename: 'out.jsonl', purpose: 'batch_output', content: content.repeat(200) }).id;
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bounded-io-'));
    destination = path.join(folder, 'out.jsonl');
  });
  afterEach(async () => {
    await api.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const leftovers = (): string[] => fs.readdirSync(folder);

  it('asks for the file uncompressed and refuses a gzip body, writing nothing', async () => {
    api.addFault({ path: CONTENT, gzipBomb: true });
    const figures = await measured(() => rejection(downloadFile(client(), fileId, destination, userDownloadLimit())));
    report('gzip-encoded download', figures);
    assert.equal(figures.result.kind, 'badResponse');
    assert.match(figures.result.message, /came gzip-encoded although an uncompressed download was asked for/);
    assert.ok(figures.ms < 10_000, `took ${figures.ms} ms`);
    assert.equal(api.requests[0].headers['accept-encoding'], 'identity');
    assert.deepEqual(leftovers(), []);
  });

  it('a download without Content-Length stops at the allowed maximum and keeps nothing', async () => {
    api.addFault({ path: CONTENT, endlessBody: true });
    const started = Date.now();
    const error = await rejection(downloadFile(client(), fileId, destination, { recordBytes: undefined, ceilingBytes: MiB }));
    console.log(`      endless download, 1 MiB allowed: failed after ${Date.now() - started} ms`);
    assert.equal(error.kind, 'badResponse');
    assert.match(
      error.message,
      new RegExp(
        `^The download of ${fileId} was stopped once .* had arrived: its size is not known, and at most 1\\.0 MB is read\\. Nothing was kept\\.$`,
      ),
    );
    assert.deepEqual(leftovers(), []);
  });

  it('an endless body of a file whose record says 900 bytes stops at 900 bytes plus the margin, keeps nothing, says which sizes', async () => {
    const small = api.store.addFile({ filename: 'batch_errors.jsonl', purpose: 'batch_output', content: 'e'.repeat(899) + '\n' });
    assert.equal(small.bytes, 900);
    api.addFault({ path: CONTENT, endlessBody: true });
    const started = Date.now();
    const error = await rejection(downloadFile(client(), small.id, destination, automaticReadLimit(small.bytes)));
    const ms = Date.now() - started;
    console.log(`      endless body, record 900 B: stopped after ${ms} ms: ${error.message}`);
    assert.ok(error instanceof TooLargeError);
    assert.equal(error.overCeiling, false, 'the record, not the ceiling, stopped it');
    assert.match(
      error.message,
      new RegExp(
        `^The download of ${small.id} was stopped once .* had arrived: its file record says 900 B \\(900 bytes\\), and at most 4\\.9 KB \\(5,005 bytes\\) is read for it\\. Nothing was kept\\.$`,
      ),
    );
    assert.deepEqual(leftovers(), []);
  });

  it('an announced length past the limit is refused before a byte is read; a file over the automatic ceiling needs a click', async () => {
    const big = api.store.addFile({ filename: 'big.jsonl', purpose: 'batch_output', generatedBytes: AUTOMATIC_READ_CEILING_BYTES + 1 });
    const error = await rejection(downloadFile(client(), big.id, destination, automaticReadLimit(undefined)));
    assert.ok(error instanceof TooLargeError);
    assert.equal(error.overCeiling, true);
    assert.match(
      error.message,
      /^The server announced 64\.0 MB \(67,108,865 bytes\) for .*: its size is not known, and at most 64\.0 MB is read without asking\. Nothing was kept\.$/,
    );
    // The client went after the head: the fake handed the socket only what it buffers, not the 64 MB.
    const logged = api.requests.find((r) => r.path === `/v1/files/${big.id}/content`)!;
    for (let i = 0; i < 100 && logged.endedAt === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(`      refused after the head: the fake handed the socket ${logged.sentBytes} bytes`);
    assert.ok((logged.sentBytes ?? 0) < AUTOMATIC_READ_CEILING_BYTES / 4, `sent ${logged.sentBytes} bytes`);
    assert.deepEqual(leftovers(), []);
    // A record that says more than the ceiling is no licence either.
    const record = await rejection(downloadFile(client(), big.id, destination, automaticReadLimit(big.bytes)));
    assert.ok(record instanceof TooLargeError && record.overCeiling);
    // The click: the same file, read in full under the user's limit.
    const { bytes } = await downloadFile(client(), big.id, destination, userDownloadLimit(big.bytes));
    assert.equal(bytes, AUTOMATIC_READ_CEILING_BYTES + 1);
    fs.rmSync(destination);
  });

  it('a file record that says less than the body: stopped at the record plus the margin even with a Content-Length', async () => {
    const error = await rejection(downloadFile(client(), fileId, destination, automaticReadLimit(1000)));
    assert.ok(error instanceof TooLargeError && !error.overCeiling);
    assert.match(error.message, /^The server announced 19\.5 KB \(20,000 bytes\) for .*: its file record says 1000 B \(1,000 bytes\)/);
    assert.deepEqual(leftovers(), []);
  });

  it('a Content-Length larger than what arrives: "ended early", nothing kept', async () => {
    const size = content.length * 200;
    api.addFault({ path: CONTENT, lyingContentLength: size + 1000 });
    const error = await rejection(downloadFile(client(), fileId, destination, userDownloadLimit()));
    assert.equal(error.kind, 'network');
    assert.match(error.message, new RegExp(`ended early \\(${size} of ${size + 1000} bytes\\)`));
    assert.deepEqual(leftovers(), []);
  });

  it('a Content-Length smaller than what is sent: never more than announced is written', async () => {
    // Node's HTTP parser already frames the body by Content-Length; this pins that it stays so.
    const announced = content.length * 200 - 1000;
    api.addFault({ path: CONTENT, lyingContentLength: announced });
    try {
      const { bytes } = await downloadFile(client(), fileId, destination, userDownloadLimit());
      assert.equal(bytes, announced);
      assert.equal(fs.statSync(destination).size, announced);
    } catch (error) {
      assert.ok(error instanceof ApiError, String(error));
      assert.deepEqual(leftovers(), []);
    }
  });

  it('a download that goes silent fails after timeoutMs without a byte; nothing kept', async () => {
    api.addFault({ path: CONTENT, trickle: true, trickleIntervalMs: 60_000 });
    const started = Date.now();
    const error = await rejection(downloadFile(client({ timeoutMs: 1_000 }), fileId, destination, userDownloadLimit()));
    console.log(`      silent download body, timeoutMs 1000: failed after ${Date.now() - started} ms`);
    assert.equal(error.kind, 'timeout');
    assert.match(error.message, /sent nothing for 1 s while sending file /);
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(leftovers(), []);
  });

  it('a slow download that keeps sending may take longer than timeoutMs (headers are bounded, the body by silence)', async () => {
    const small = api.store.addFile({ filename: 'small.jsonl', purpose: 'batch_output', content: '{"a":1}\n{"b":2}\n' }).id;
    api.addFault({ path: CONTENT, trickle: true, trickleIntervalMs: 100 });
    const started = Date.now();
    const { bytes } = await downloadFile(client({ timeoutMs: 1_000 }), small, destination, userDownloadLimit());
    assert.equal(bytes, 16);
    assert.ok(Date.now() - started > 1_000, 'outlasted timeoutMs');
    assert.equal(fs.readFileSync(destination, 'utf8'), '{"a":1}\n{"b":2}\n');
  });

  it('writes to an unpredictable temporary file only its owner can read, then renames it', async () => {
    api.addFault({ path: CONTENT, trickle: true, trickleIntervalMs: 50 });
    const small = api.store.addFile({ filename: 'small.jsonl', purpose: 'batch_output', content: '{"a":1}\n{"b":2}\n' }).id;
    const pending = downloadFile(client(), small, destination, userDownloadLimit());
    let seen: string[] = [];
    for (let i = 0; i < 200 && seen.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen = leftovers();
    }
    assert.equal(seen.length, 1);
    assert.match(seen[0], /^out\.jsonl\.[0-9a-f]{16}\.part$/);
    if (process.platform !== 'win32') assert.equal(fs.statSync(path.join(folder, seen[0])).mode & 0o777, 0o600);
    await pending;
    assert.deepEqual(leftovers(), ['out.jsonl']);
  });
});

describe('bounded I/O: loopback connections', () => {
  const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];
  const saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
  const realLookup = dns.lookup;
  let api: FakeApi | undefined;
  let proxy: http.Server | undefined;

  afterEach(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    dns.lookup = realLookup;
    proxy?.closeAllConnections();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    proxy = undefined;
    await api?.close();
    api = undefined;
  });

  it('never sends a loopback request (or its key) to a proxy from the environment', async () => {
    api = await startFakeApi({ seed: 'fixture' });
    const proxied: string[] = [];
    proxy = http.createServer((req, res) => {
      proxied.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(502).end();
    });
    await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
    for (const name of PROXY_VARIABLES) delete process.env[name];
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    process.env.HTTP_PROXY = process.env.HTTPS_PROXY = process.env.ALL_PROXY = proxyUrl;

    for (const baseUrl of [api.baseUrl, `http://localhost:${api.port}/v1`]) {
      const page = await new BatchApiClient({ baseUrl, apiKey: api.apiKey, retry: NO_RETRY }).listBatches({ limit: 1 });
      assert.equal(page.data.length, 1, baseUrl);
    }
    assert.deepEqual(proxied, []);
    assert.equal(api.count('GET', LIST), 2, 'both went straight to the server');
  });

  it('a *.localhost name counts as loopback only while it resolves to this machine', async function () {
    const outside = Object.values(os.networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
    if (!outside) this.skip();
    api = await startFakeApi({ seed: 'fixture', host: '0.0.0.0' });
    const answers: Record<string, string> = { 'elsewhere.localhost': outside, 'here.localhost': '127.0.0.1' };
    // As a DNS server or hosts file could answer; everything else resolves as usual.
    dns.lookup = ((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
      const address = answers[hostname];
      if (address === undefined) return (realLookup as (...args: unknown[]) => void)(hostname, options, callback);
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      process.nextTick(() => (all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4)));
    }) as typeof dns.lookup;

    const away = new BatchApiClient({ baseUrl: `http://elsewhere.localhost:${api.port}/v1`, apiKey: api.apiKey, retry: NO_RETRY });
    const error = await rejection(away.listBatches());
    assert.equal(error.kind, 'insecureUrl');
    assert.match(
      error.message,
      new RegExp(`Refusing to connect to elsewhere\\.localhost: it resolves to ${outside.replace(/\./g, '\\.')}, not to this machine`),
    );
    assert.equal(api.requests.length, 0, 'the key was not sent');

    const here = new BatchApiClient({ baseUrl: `http://here.localhost:${api.port}/v1`, apiKey: api.apiKey, retry: NO_RETRY });
    assert.equal((await here.listBatches({ limit: 1 })).data.length, 1);
  });
});
