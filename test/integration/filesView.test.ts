// The Files view inside a real extension host against the fake API: what the tree shows, the
// requests it sends, and deletes (refused for a file an active batch uses). Modal confirmations
// cannot be answered from here; test/e2e/files.e2e.ts clicks through them.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { deleteChecked } from '../../src/commands/files/fileDeleteCommands';
import type { TestApi } from '../../src/extension';
import type { FileNode } from '../../src/tree/files/fileNodes';
import type { TreeNode } from '../../src/tree/nodes';
import { delay, fakeApiSuite, waitFor } from './helpers';

const DAY = 86_400;

interface Row {
  node: TreeNode;
  item: vscode.TreeItem;
  label: string;
}

/** A file row (the tree's classes come from the extension's bundle, so rows are told apart by contextValue). */
const isFile = (row: Row): boolean => /^file\b/.test(row.item.contextValue ?? '');

async function fileRows(api: TestApi, parent?: TreeNode): Promise<Row[]> {
  const nodes = await api.services.filesTree.getChildren(parent);
  return nodes.map((node) => {
    const item = api.services.filesTree.getTreeItem(node);
    return { node, item, label: typeof item.label === 'string' ? item.label : (item.label?.label ?? '') };
  });
}

describe('Files view', function () {
  this.timeout(120_000);
  const connect = fakeApiSuite();

  it('lists batch input and output files newest first, with the batches using them, from two paged requests', async () => {
    // The fake's clock at the real time: ages and expiry are shown relative to it.
    const { api, fake } = await connect({ seed: 'demo', now: Math.floor(Date.now() / 1000) });
    const now = fake.clock.now();
    fake.store.addFile({ id: 'file-orphan', filename: 'orphan.jsonl', purpose: 'batch', content: '{}\n', createdAt: now - 60 });
    fake.store.addFile({
      id: 'file-soon',
      filename: 'expiring.jsonl',
      purpose: 'batch',
      content: '{}\n',
      createdAt: now - 120,
      expiresAt: now + 2 * DAY,
    });
    fake.store.addFile({ id: 'file-tuning', filename: 'tuning.jsonl', purpose: 'fine-tune', content: '{}\n', createdAt: now - 30 });
    fake.clearRequests();
    const rows = await fileRows(api);
    const files = rows.filter((row) => isFile(row));
    assert.ok(files.length > 10, `files listed: ${files.length}; rows: ${JSON.stringify(rows.map((row) => row.label))}`);
    const lists = fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/files');
    assert.deepEqual(
      lists.map((r) => r.query).sort((a, b) => a.purpose.localeCompare(b.purpose)),
      [
        { purpose: 'batch', order: 'desc', limit: '100' },
        { purpose: 'batch_output', order: 'desc', limit: '100' },
      ],
    );
    assert.ok(!files.some((row) => row.label === 'tuning.jsonl'), 'other purposes are not listed');
    const times = files.map((row) => (row.node as FileNode).file.created_at!);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
    assert.ok(files.some((row) => (row.node as FileNode).file.purpose === 'batch_output'));

    const orphan = files.find((row) => row.label === 'orphan.jsonl')!;
    assert.match(String(orphan.item.description), /^3 B · (just now|1 minute ago) · not used by any loaded batch$/);
    assert.match(orphan.item.contextValue ?? '', /^file\b.*\bbatchInput\b.*\bunused\b/);
    const soon = files.find((row) => row.label === 'expiring.jsonl')!;
    assert.match(String(soon.item.description), /expires in 2 days/);
    assert.equal((soon.item.iconPath as vscode.ThemeIcon).id, 'clock');

    const active = api.services.store.batches.find((b) => b.status === 'in_progress' && b.input_file_id)!;
    const input = files.find((row) => (row.node as FileNode).file.id === active.input_file_id)!;
    assert.ok(input, `the input file of ${active.id} is listed`);
    assert.match(input.item.contextValue ?? '', /\binUse\b/);
    const uses = await fileRows(api, input.node);
    assert.equal(uses.length, 1);
    assert.equal(uses[0].item.contextValue, 'fileUse');
    assert.match(uses[0].label, /^Input of /);
    assert.deepEqual(uses[0].item.command?.arguments, [active.id]);
    assert.equal(uses[0].item.command?.command, 'openaiBatches.openBatch');
    const hover = api.services.filesTree.resolveTreeItem(input.item, input.node).tooltip as vscode.MarkdownString;
    assert.match(hover.value, /Used by:/);
    assert.equal(hover.isTrusted, false);
  });

  it('refuses to delete a file an in-progress batch uses: the batch is fetched again, nothing is deleted', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    await fileRows(api);
    const active = api.services.store.batches.find((b) => b.status === 'in_progress' && b.input_file_id)!;
    fake.clearRequests();
    await vscode.commands.executeCommand('openaiBatches.deleteFile', active.input_file_id);
    assert.equal(fake.count('DELETE', /^\/v1\/files\//), 0, 'no DELETE sent');
    assert.ok(fake.count('GET', `/v1/batches/${active.id}`) >= 1, 'the active batch was fetched again before refusing');
    assert.ok(api.services.fileStores.for(api.services.store).get(active.input_file_id!), 'the file stays listed');

    // Several selected, all in use: nothing to delete, nothing sent.
    const inUse = (await fileRows(api)).filter((row) => /\binUse\b/.test(row.item.contextValue ?? ''));
    assert.ok(inUse.length >= 2, `in-use files: ${inUse.length}`);
    await vscode.commands.executeCommand(
      'openaiBatches.deleteFile',
      inUse[0].node,
      inUse.map((row) => row.node),
    );
    assert.equal(fake.count('DELETE', /^\/v1\/files\//), 0);
  });

  it('a confirmed delete sends DELETE /files/{id} once and the file leaves the view', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    fake.store.addFile({
      id: 'file-old',
      filename: 'old.jsonl',
      purpose: 'batch',
      content: '{}\n',
      createdAt: fake.clock.now() - 40 * DAY,
    });
    assert.ok((await fileRows(api)).some((row) => row.label === 'old.jsonl'));
    fake.clearRequests();
    assert.equal(await deleteChecked(api.services, ['file-old']), 1);
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
      ['DELETE /v1/files/file-old 200'],
    );
    await waitFor('the file to leave the view', async () => !(await fileRows(api)).some((row) => row.label === 'old.jsonl'));
  });

  it('pages with a load-more node and stops with a note when the provider ignores after', async () => {
    const { api, fake } = await connect({ seed: 'empty' });
    const now = fake.clock.now();
    for (let i = 0; i < 150; i++) {
      fake.store.addFile({
        id: `file-${String(i).padStart(4, '0')}`,
        filename: `f${i}.jsonl`,
        purpose: 'batch',
        content: '{}\n',
        createdAt: now - i * 60,
      });
    }
    let rows = await fileRows(api);
    assert.equal(rows.filter((row) => isFile(row)).length, 100, JSON.stringify(rows.map((row) => row.label)));
    assert.equal(rows.at(-1)?.label, 'Load more files…');
    fake.addFault({ path: '/v1/files', stuckCursor: true });
    fake.clearRequests();
    await vscode.commands.executeCommand('openaiBatches.loadMoreFiles');
    rows = await fileRows(api);
    assert.equal(rows.filter((row) => isFile(row)).length, 100, 'no duplicates');
    assert.match(rows.at(-1)?.label ?? '', /same page again/);
    await vscode.commands.executeCommand('openaiBatches.loadMoreFiles');
    await delay(100);
    assert.equal(fake.count('GET', '/v1/files'), 1, 'one repeated page, then no more requests');
    assert.equal(fake.requests[0].query.after, 'file-0099');

    fake.clearFaults();
    await vscode.commands.executeCommand('openaiBatches.refreshFiles');
    rows = await fileRows(api);
    assert.equal(rows.at(-1)?.label, 'Load more files…');
    await vscode.commands.executeCommand('openaiBatches.loadMoreFiles');
    rows = await fileRows(api);
    assert.equal(rows.filter((row) => isFile(row)).length, 150);
  });

  it('reveals a file in the Files view (the detail panel\'s "Show in Files"), loading more pages until it appears', async () => {
    const { api, fake } = await connect({ seed: 'empty' });
    const now = fake.clock.now();
    for (let i = 0; i < 150; i++) {
      fake.store.addFile({
        id: `file-${String(i).padStart(4, '0')}`,
        filename: `f${i}.jsonl`,
        purpose: 'batch',
        content: '{}\n',
        createdAt: now - i * 60,
      });
    }
    fake.clearRequests();
    await vscode.commands.executeCommand('openaiBatches.revealFile', 'file-0140');
    const selected = await waitFor('the file selected in the Files view', () =>
      api.services.filesView.selection.find((node) => node.id === 'files/file-0140'),
    );
    assert.ok(selected);
    assert.ok(api.services.filesView.visible, 'the Files view is shown');
    assert.equal(fake.requests.filter((r) => r.path === '/v1/files' && r.query.after === 'file-0099').length, 1, 'one more page loaded');
  });

  it('shows a failed first load as an error node with a retry, and signed out as no nodes (the welcome view)', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    fake.addFault({ path: '/v1/files', status: 500, times: 20 });
    await vscode.commands.executeCommand('openaiBatches.refreshFiles');
    let rows = await fileRows(api);
    assert.match(rows[0].label, /^Failed to load files: .*HTTP 500.* — click to retry$/);
    assert.equal(rows[0].item.command?.command, 'openaiBatches.refreshFiles');
    fake.clearFaults();
    await vscode.commands.executeCommand('openaiBatches.refreshFiles');
    rows = await fileRows(api);
    assert.ok(rows.some((row) => isFile(row)));

    await api.services.keys.clear(fake.baseUrl);
    await api.services.connection.reconnect();
    await waitFor('signed out', () => api.services.store.state.kind === 'signedOut');
    assert.deepEqual(await fileRows(api), []);
  });
});
