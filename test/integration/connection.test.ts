// Other providers and networks, inside a real extension host against the fake API: Azure-style
// auth, and HTTP proxies.
import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as vscode from 'vscode';
import { requestCancel } from '../../src/commands/batches/batchCommands';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { configuration, extensionApi, fakeApiSuite, forgetCachedFile, rootItems, waitFor } from './helpers';

describe('other providers', function () {
  this.timeout(120_000);
  const connect = fakeApiSuite();

  it('Azure: sends the key as `api-key` and `api-version` on every request, downloads included', async () => {
    const { api, fake } = await connect(
      { seed: 'demo', authHeader: 'api-key', requireApiVersion: '2024-10-21' },
      { authHeader: 'api-key', apiVersion: '2024-10-21' },
    );
    fake.clearRequests();
    const roots = await rootItems(api);
    assert.ok(
      roots.some((r) => /^Completed \(\d+\)$/.test(r.label)),
      JSON.stringify(roots.map((r) => r.label)),
    );
    await vscode.commands.executeCommand('openaiBatches.loadMore');
    const batch = api.services.store.batches.find((b) => b.status === 'completed' && b.output_file_id)!;
    forgetCachedFile(api, batch.output_file_id!);
    await vscode.commands.executeCommand('openaiBatches.openOutputFile', batch.id);
    await waitFor('the output file', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(`${batch.output_file_id}.jsonl`)),
    );
    const target = api.services.store.batches.find((b) => b.status === 'validating')!;
    await requestCancel(api.services, target.id);
    assert.ok(fake.requests.length >= 5);
    for (const request of fake.requests) {
      assert.equal(request.status, 200, `${request.method} ${request.path}`);
      assert.equal(request.query['api-version'], '2024-10-21');
      assert.equal(request.headers['api-key'], fake.apiKey);
      assert.equal(request.headers.authorization, undefined, 'no Authorization header');
    }
    // Without the api-version the fake (like Azure) refuses, and the tree says why.
    await configuration().update('apiVersion', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('an error node', async () => (await rootItems(api)).find((r) => /api-version/.test(r.label)));
  });

  it("HTTP proxy: VS Code's http.proxy carries requests to remote hosts, but never a loopback request or its key", async function () {
    const forwarded: string[] = [];
    const key = 'sk-fake-test-key';
    const proxy = http.createServer((req, res) => {
      // A forward proxy for plain http gets the absolute URI (and would see the key); it answers nothing useful.
      forwarded.push(`${req.method} ${req.url} key:${JSON.stringify(req.headers).includes(key)}`);
      res.writeHead(502).end();
    });
    // https goes through CONNECT: the proxy learns the host, the key stays inside TLS.
    proxy.on('connect', (req, socket) => {
      forwarded.push(`CONNECT ${req.url} key:${JSON.stringify(req.headers).includes(key)}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const http_ = vscode.workspace.getConfiguration('http');
    const extraBases: string[] = [];
    let second: FakeApi | undefined;
    const api = await extensionApi();
    const useBase = async (baseUrl: string): Promise<void> => {
      extraBases.push(baseUrl);
      await api.services.keys.set(baseUrl, key);
      await configuration().update('baseUrl', baseUrl, vscode.ConfigurationTarget.Global);
      await api.services.connection.reconnect();
    };
    try {
      const { fake } = await connect({ seed: 'demo', apiKey: key });
      await http_.update('proxy', proxyUrl, vscode.ConfigurationTarget.Global);
      await http_.update('proxySupport', 'override', vscode.ConfigurationTarget.Global);

      // 1. 127.0.0.1: on VS Code's own bypass list.
      fake.clearRequests();
      await vscode.commands.executeCommand('openaiBatches.reloadAll');
      assert.equal(fake.count('GET', '/v1/batches'), 1);
      assert.deepEqual(forwarded, [], '127.0.0.1 bypasses the proxy');

      // 2. 127.0.0.2 is loopback too, but not on VS Code's list: its proxy patch would send it (and the key) to the proxy.
      second = await startFakeApi({ seed: 'demo', host: '127.0.0.2', apiKey: key });
      await useBase(second.baseUrl);
      const labels = await waitFor('the tree from 127.0.0.2', async () => {
        const rows = (await rootItems(api)).map((r) => r.label);
        return rows.some((label) => /^Completed \(\d+\)$/.test(label)) ? rows : undefined;
      });
      console.log(
        `      127.0.0.2: ${second.requests.length} request(s) direct, ${forwarded.length} via the proxy; tree: ${labels.slice(0, 3).join(' | ')}`,
      );
      assert.deepEqual(forwarded, [], 'a loopback request went to the proxy');
      assert.ok(second.count('GET', '/v1/batches') >= 1);

      // 3. A remote host goes through the proxy (CONNECT), so proxies keep working for real providers.
      await useBase('https://api.example.test/v1');
      const failed = await waitFor(
        "the tree to report the proxy's refusal",
        async () => (await rootItems(api)).find((r) => /HTTP 403/.test(r.label)),
        20_000,
      );
      console.log(`      api.example.test: ${failed.label}; proxy saw: ${forwarded.join(', ')}`);
      assert.deepEqual(forwarded, ['CONNECT api.example.test:443 key:false']);
    } finally {
      await http_.update('proxy', undefined, vscode.ConfigurationTarget.Global);
      await http_.update('proxySupport', undefined, vscode.ConfigurationTarget.Global);
      for (const base of extraBases) await api.services.keys.clear(base);
      await second?.close();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
