// Accounts kept apart, inside a real extension host against two fake APIs: panels, in-flight
// creates and cached files belong to the account they were opened in, and Clear API Key leaves
// nothing of its account on disk. The modal "Clear Key" confirmation cannot be answered from
// here, so the confirmed part (forgetApiKey) is called directly.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { forgetApiKey } from '../../src/commands/accounts/apiKeyCommands';
import { accountId, BatchCache } from '../../src/core/batches/batchCache';
import type { Batch } from '../../src/core/api/types';
import type { TestApi } from '../../src/extension';
import type { HostToPage } from '../../src/webview/detail/protocol';
import type { BatchNode } from '../../src/tree/nodes';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { fakeApiSuite, rootItems, waitFor } from './helpers';

const accountOf = (fake: FakeApi): string => accountId({ baseUrl: fake.baseUrl, apiKey: fake.apiKey });

/** What Clear API Key must remove: the account's batch cache and its folder of downloaded files. */
function onDisk(api: TestApi, fake: FakeApi): { cacheFile: string; filesFolder: string } {
  const storage = api.context.globalStorageUri;
  return {
    cacheFile: new BatchCache(vscode.Uri.joinPath(storage, 'cache').fsPath).fileFor(accountOf(fake)),
    filesFolder: path.join(storage.fsPath, 'files', accountOf(fake)),
  };
}

/** Points the extension at another fake API (another base URL, key and account), as a user switching accounts would. */
async function switchTo(api: TestApi, fake: FakeApi): Promise<void> {
  await api.services.keys.set(fake.baseUrl, fake.apiKey);
  await vscode.workspace.getConfiguration('openaiBatches').update('baseUrl', fake.baseUrl, vscode.ConfigurationTarget.Global);
  await api.services.connection.reconnect();
  await waitFor('the switch to the other account', () => api.services.store.account === accountOf(fake));
  await loaded(api);
}

/** Renders the tree, which loads the first page, as an open Batches view does. */
async function loaded(api: TestApi): Promise<void> {
  await rootItems(api);
  await waitFor('the first page', () => api.services.store.hasLoaded && !api.services.store.busy);
}

function webviewTabs(viewType: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(viewType));
}

async function completedWithOutput(api: TestApi): Promise<Batch> {
  await loaded(api);
  const batch = api.services.store.batches.find((b) => b.status === 'completed' && b.output_file_id && b.input_file_id);
  assert.ok(batch, 'the fixture has a completed batch with files');
  return batch;
}

async function writeWorkspaceFile(name: string, text: string): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(folder, 'the integration tests run with a workspace folder');
  const uri = vscode.Uri.joinPath(folder, name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  return uri;
}

describe('Accounts kept apart (extension host, two fake APIs)', function () {
  this.timeout(60_000);
  let api: TestApi | undefined;
  let first: FakeApi | undefined;
  let second: FakeApi | undefined;

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (api && second) await api.services.keys.clear(second.baseUrl);
    await second?.close();
    api = first = second = undefined;
  });
  const connect = fakeApiSuite({ clean: 'disconnect' });

  it("closes the old account's detail and results panels on a switch; they query nothing of the new one", async () => {
    ({ api, fake: first } = await connect({ seed: 'fixture' }));
    // The same recorded batches (same ids) on the second server, as demo data or two projects of one organisation would have.
    second = await startFakeApi({ seed: 'fixture' });
    const batch = await completedWithOutput(api);
    await vscode.commands.executeCommand('openaiBatches.openBatch', batch.id);
    await vscode.commands.executeCommand('openaiBatches.openResults', batch.id);
    await waitFor(
      'both panels',
      () => webviewTabs('openaiBatches.batchDetail').length === 1 && webviewTabs('openaiBatches.results').length === 1,
    );
    const outputFile = path.join(onDisk(api, first).filesFolder, `${batch.output_file_id}.jsonl`);
    await waitFor('the results downloaded for the first account', () => fs.existsSync(outputFile));

    await switchTo(api, second);
    await waitFor(
      'the panels of the first account to close',
      () => webviewTabs('openaiBatches.batchDetail').length === 0 && webviewTabs('openaiBatches.results').length === 0,
    );
    const beyondTheList = second.requests.filter((r) => r.path !== '/v1/batches');
    assert.deepEqual(
      beyondTheList.map((r) => `${r.method} ${r.path}`),
      [],
      'the second account was asked only for its own list',
    );
  });

  it('caches result files per account: the same file id is downloaded again for another account', async () => {
    ({ api, fake: first } = await connect({ seed: 'fixture' }));
    second = await startFakeApi({ seed: 'fixture' });
    const batch = await completedWithOutput(api);
    await vscode.commands.executeCommand('openaiBatches.openResults', batch.id);
    await waitFor('the output file cached for the first account', () =>
      fs.existsSync(path.join(onDisk(api!, first!).filesFolder, `${batch.output_file_id}.jsonl`)),
    );

    await switchTo(api, second);
    await vscode.commands.executeCommand('openaiBatches.openResults', batch.id);
    await waitFor("the second account's own download", () => second!.count('GET', `/v1/files/${batch.output_file_id}/content`) === 1);
    await waitFor('the output file cached for the second account', () =>
      fs.existsSync(path.join(onDisk(api!, second!).filesFolder, `${batch.output_file_id}.jsonl`)),
    );
  });

  it("a Create Batch that finishes after a switch stays in the account it started in, out of the new one's tree and cache", async () => {
    ({ api, fake: first } = await connect({ seed: 'empty' }));
    second = await startFakeApi({ seed: 'empty' });
    await loaded(api);
    const services = api.services;
    const request = (id: string): string =>
      JSON.stringify({
        custom_id: id,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: id }] },
      });
    const uri = await writeWorkspaceFile('switch-during-create.jsonl', `${request('q1')}\n${request('q2')}\n`);
    // The create is held at the first server until the switch below has happened.
    first.addFault({ method: 'POST', path: '/v1/batches', delayMs: 3_000, times: 1 });

    const created = vscode.commands.executeCommand('openaiBatches.createBatch', uri);
    // Accepts the prefilled description once its input box is up.
    await waitFor('the upload to the first account', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return first!.count('POST', '/v1/files') === 1;
    });
    await waitFor('the create request to reach the first account', () => first!.count('POST', '/v1/batches') === 1);
    await switchTo(api, second);
    await created;

    const made = first.store.list().find((b) => b.metadata?.description === 'switch-during-create');
    assert.ok(made, 'the batch was created in the first account');
    assert.equal(services.store.get(made.id), undefined, "not in the second account's list");
    assert.equal(services.store.batches.length, 0);
    assert.equal(second.count('POST', '/v1/files') + second.count('POST', '/v1/batches'), 0, 'nothing was sent to the second account');
    assert.ok(!services.treeView.selection.some((node) => (node as Partial<BatchNode>).batch?.id === made.id));
    assert.equal(webviewTabs('openaiBatches.batchDetail').length, 0, 'no detail panel opened for it');
    const { cacheFile } = onDisk(api, second);
    await waitFor("the second account's cache", () => fs.existsSync(cacheFile));
    assert.ok(!fs.readFileSync(cacheFile, 'utf8').includes(made.id));
  });

  it('Clear API Key leaves nothing of the account on disk, and nothing writes it back', async () => {
    ({ api, fake: first } = await connect({ seed: 'fixture' }));
    const batch = await completedWithOutput(api);
    await vscode.commands.executeCommand('openaiBatches.openResults', batch.id);
    const { cacheFile, filesFolder } = onDisk(api, first);
    await waitFor('the downloaded files', () => fs.existsSync(path.join(filesFolder, `${batch.output_file_id}.jsonl`)));
    await waitFor('the batch cache', () => fs.existsSync(cacheFile));

    await forgetApiKey(api.services);
    assert.equal(api.services.store.state.kind, 'signedOut');
    assert.equal(fs.existsSync(cacheFile), false, 'batch cache deleted');
    assert.equal(fs.existsSync(filesFolder), false, 'downloaded files deleted');
    // Twice the cache's save delay (750 ms): a save scheduled before the clear would have run by now.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(fs.existsSync(cacheFile), false, 'no later save wrote the cache back');
    assert.equal(fs.existsSync(filesFolder), false);
  });

  it("shows a server's error in the detail panel with the key redacted", async () => {
    ({ api, fake: first } = await connect({ seed: 'fixture' }));
    const batch = await completedWithOutput(api);
    await vscode.commands.executeCommand('openaiBatches.openBatch', batch.id);
    type DetailPanel = { panel: vscode.WebviewPanel; onMessage(message: unknown): Promise<void> };
    const detail = await waitFor('the detail panel', () =>
      (api!.services.panels as unknown as { panels: Map<string, DetailPanel> }).panels.get(batch.id),
    );
    const posted: HostToPage[] = [];
    const webview = detail.panel.webview;
    const postMessage = webview.postMessage.bind(webview);
    webview.postMessage = (message: HostToPage) => {
      posted.push(message);
      return postMessage(message);
    };
    // A 400 that echoes the request's headers back, key included.
    first.addFault({
      method: 'GET',
      path: `/v1/batches/${batch.id}`,
      status: 400,
      body: {
        error: {
          message: `Invalid header api-key: ${first.apiKey}; Authorization: Bearer ${first.apiKey}`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    });

    await detail.onMessage({ type: 'refresh' });
    const banner = posted.find((message) => message.type === 'error');
    assert.ok(banner, 'the failure is shown in the panel');
    assert.match(banner.message, /HTTP 400/);
    assert.ok(!banner.message.includes(first.apiKey), `the key is not shown: ${banner.message}`);
  });
});
