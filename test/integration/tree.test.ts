import * as assert from 'assert';
import * as vscode from 'vscode';
import { childLabels, extensionApi, fakeApiSuite, rootItems, waitFor } from './helpers';

describe('Batches tree (against the fake API)', function () {
  this.timeout(60_000);
  const connect = fakeApiSuite({ clean: 'disconnect' });

  it('shows nothing (the welcome view) and sends no request without a key', async () => {
    const api = await extensionApi();
    await api.services.connection.reconnect();
    assert.equal(api.services.store.state.kind, 'signedOut');
    assert.deepEqual(await rootItems(api), []);
  });

  it('groups the first page by status with counts, and a Load more node; opening the view costs one request', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    fake.clearRequests();
    const roots = await rootItems(api);
    const labels = roots.map((r) => r.label);
    console.log(`root nodes: ${labels.join(' | ')}`);
    assert.equal(fake.count('GET', '/v1/batches'), 1, 'one list request for the first page');
    assert.equal(labels.at(-1), 'Load more…');
    const groups = roots.filter((r) => /\(\d+\)$/.test(r.label));
    const total = groups.reduce((sum, g) => sum + Number(/\((\d+)\)$/.exec(g.label)![1]), 0);
    assert.equal(total, 20, 'group counts add up to one page');
    for (const group of groups) {
      const children = await childLabels(api, group.node);
      assert.equal(children.length, Number(/\((\d+)\)$/.exec(group.label)![1]));
    }
    assert.equal(fake.count('GET', '/v1/batches'), 1, 'expanding groups costs no request');
  });

  it('load more fetches exactly one page per click, even when clicked twice, until has_more is false', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    await rootItems(api);
    fake.clearRequests();
    await Promise.all([vscode.commands.executeCommand('openaiBatches.loadMore'), vscode.commands.executeCommand('openaiBatches.loadMore')]);
    assert.equal(fake.count('GET', '/v1/batches'), 1, 'double click = one request');
    assert.equal(api.services.store.batches.length, 40);
    let clicks = 1;
    while (api.services.store.hasMore && clicks < 20) {
      await vscode.commands.executeCommand('openaiBatches.loadMore');
      clicks++;
    }
    const total = fake.store.list().length;
    assert.equal(api.services.store.batches.length, total, 'every batch loaded');
    assert.equal(new Set(api.services.store.batches.map((b) => b.id)).size, total, 'no duplicates');
    const labels = (await rootItems(api)).map((r) => r.label);
    assert.ok(!labels.includes('Load more…'), 'Load more disappears at the end');
  });

  it('refresh reloads the first page with one request and keeps expansion ids stable', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    const before = (await rootItems(api)).map((r) => r.item.id);
    fake.clearRequests();
    await vscode.commands.executeCommand('openaiBatches.refresh');
    assert.equal(fake.count('GET', '/v1/batches'), 1);
    const after = (await rootItems(api)).map((r) => r.item.id);
    assert.deepEqual(after, before);
  });

  it('reacts to the key being cleared and set again (SecretStorage change)', async () => {
    const { api, fake } = await connect({ seed: 'fixture' });
    assert.ok((await rootItems(api)).length > 0);
    await api.services.keys.clear(fake.baseUrl);
    await waitFor('signed-out state', () => api.services.store.state.kind === 'signedOut');
    assert.deepEqual(await rootItems(api), []);
    await api.services.keys.set(fake.baseUrl, fake.apiKey);
    await waitFor('ready state', () => api.services.store.state.kind === 'ready');
    assert.ok((await rootItems(api)).some((r) => r.label.startsWith('Completed')));
  });

  it('shows an invalid key as an error node with a Set API Key action', async () => {
    const { api, fake } = await connect({ seed: 'fixture' });
    await api.services.keys.set(fake.baseUrl, 'sk-not-the-right-key-000000');
    await waitFor('reconnect with the wrong key', async () => (await rootItems(api)).some((r) => r.label.startsWith('Invalid API key')));
    const [error] = await rootItems(api);
    assert.equal(error.item.command?.command, 'openaiBatches.setApiKey');
  });

  it('opens the detail panel for a batch node', async () => {
    const { api } = await connect({ seed: 'fixture' });
    const roots = await rootItems(api);
    const batchNode = (await api.services.tree.getChildren(roots[0].node))[0];
    const item = api.services.tree.getTreeItem(batchNode);
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const tab = await waitFor('a detail panel tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('openaiBatches.batchDetail')),
    );
    assert.ok(tab.label.length > 0);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('copies an output file id from a node to the clipboard', async () => {
    const { api } = await connect({ seed: 'fixture' });
    await rootItems(api);
    const batch = api.services.store.batches.find((b) => b.output_file_id)!;
    await vscode.commands.executeCommand('openaiBatches.copyOutputFileId', batch.id);
    assert.equal(await vscode.env.clipboard.readText(), batch.output_file_id);
  });
});
