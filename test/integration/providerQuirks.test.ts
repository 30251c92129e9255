import * as assert from 'assert';
import * as vscode from 'vscode';
import { humanizeStatus } from '../../src/core/batches/batchDisplay';
import type { TestApi } from '../../src/extension';
import type { BatchNode } from '../../src/tree/nodes';
import type { FakeApi } from '../fake-api/server';
import { fakeApiSuite, rootItems, waitFor } from './helpers';

/** A theme icon's id and colour id, as the tree renders them. */
function icon(item: vscode.TreeItem): { id?: string; color?: string } {
  const path = item.iconPath as vscode.ThemeIcon | undefined;
  // ThemeColor has kept its id since 1.5, but @types/vscode 1.90 does not declare it.
  const color: { id?: string } | undefined = path?.color;
  return { id: path?.id, color: color?.id };
}

describe('Providers as they really answer (against the fake API in quirks mode)', function () {
  this.timeout(60_000);
  let api: TestApi | undefined;
  let fake: FakeApi | undefined;

  afterEach(async () => {
    const config = vscode.workspace.getConfiguration('openaiBatches');
    for (const key of ['outputExpiresAfterHours', 'inputExpiresAfterHours'])
      await config.update(key, undefined, vscode.ConfigurationTarget.Global);
  });
  const connect = fakeApiSuite({ clean: 'disconnect' });

  it('groups statuses in any case with their canonical one; a full page without has_more offers Load more, an empty one ends the list', async () => {
    ({ api, fake } = await connect({ seed: { generated: 40 }, quirks: 'all' }));
    // This provider sends every batch at once, without has_more: 40 for the 20 asked, so more may follow.
    assert.equal((await rootItems(api)).at(-1)?.label, 'Load more…');
    await vscode.commands.executeCommand('openaiBatches.loadMore');
    const labels = (await rootItems(api)).map((r) => r.label);
    const expected = new Map<string, number>();
    for (const batch of fake.store.list())
      expected.set(humanizeStatus(batch.status!), (expected.get(humanizeStatus(batch.status!)) ?? 0) + 1);
    assert.deepEqual(
      new Set(labels),
      new Set([...expected].map(([status, count]) => `${status} (${count})`)),
      'no Load more, nothing else',
    );
    assert.equal(labels.length, expected.size);
    assert.equal(api.services.store.batches.length, 40);
  });

  it('looks up error files only where counts are missing: empty ones stay a success, others become a warning', async () => {
    ({ api, fake } = await connect({ seed: { generated: 60 }, quirks: 'all' }));
    const services = api.services;
    const completedGroup = (await rootItems(api)).find((r) => r.label.startsWith('Completed'))!;
    const nodeOf = async (id: string): Promise<{ item: vscode.TreeItem }> => {
      const node = (await services.tree.getChildren(completedGroup.node)).find((n) => (n as BatchNode).batch.id === id)!;
      return { item: services.tree.getTreeItem(node) };
    };
    const stored = fake.store.list();
    const clean = stored.find((b) => b.status === 'completed' && b.output_file_id && !b.request_counts?.failed)!;
    const partly = stored.find((b) => b.status === 'completed' && b.output_file_id && (b.request_counts?.failed ?? 0) > 0)!;
    assert.ok(clean && partly, 'the seed has both');
    // First sight: unknown, looked up in the background.
    await nodeOf(clean.id);
    await nodeOf(partly.id);
    const lookedUp = (id: string): boolean =>
      fake!.requests.some((r) => r.status === 200 && decodeURIComponent(r.path) === `/v1/files/${id}`);
    await waitFor('both error files looked up', () => lookedUp(clean.error_file_id!) && lookedUp(partly.error_file_id!));
    await waitFor(
      'the partly failed batch shown as a warning',
      async () => icon((await nodeOf(partly.id)).item).color === 'list.warningForeground',
    );
    assert.deepEqual(icon((await nodeOf(clean.id)).item), { id: 'pass', color: 'testing.iconPassed' });
    const before = fake.requests.length;
    await rootItems(api);
    await nodeOf(clean.id);
    assert.equal(fake.requests.length, before, 'each size is looked up once');
  });

  it('creates a batch whose upload and output expire as the settings say', async () => {
    ({ api, fake } = await connect({ seed: 'empty' }));
    const config = vscode.workspace.getConfiguration('openaiBatches');
    await config.update('outputExpiresAfterHours', 48, vscode.ConfigurationTarget.Global);
    await config.update('inputExpiresAfterHours', 72, vscode.ConfigurationTarget.Global);
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const uri = vscode.Uri.joinPath(folder, 'expiring.jsonl');
    const line = JSON.stringify({
      custom_id: 'e1',
      method: 'POST',
      url: '/v1/embeddings',
      body: { model: 'text-embedding-3-small', input: ['a', 'b'] },
    });
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`${line}\n`, 'utf8'));

    const created = vscode.commands.executeCommand('openaiBatches.createBatch', uri);
    // The description box, with the output expiry in its prompt: accept it as it is.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await created;

    const upload = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/files')!;
    assert.equal((upload.body as Record<string, string>)['expires_after[seconds]'], String(72 * 3600));
    const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/batches')!;
    assert.deepEqual((create.body as { output_expires_after?: unknown }).output_expires_after, {
      anchor: 'created_at',
      seconds: 48 * 3600,
    });
    const batch = await waitFor('the new batch', () => api!.services.store.batches[0]);
    assert.equal(batch.endpoint, '/v1/embeddings');
    await vscode.workspace.fs.delete(uri);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
