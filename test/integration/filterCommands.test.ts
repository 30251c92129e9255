// The filter, inside a real extension host against the fake API.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { applyFilter } from '../../src/commands/batches/filterCommands';
import { fakeApiSuite, rootItems, treeBatches } from './helpers';

describe('filter', function () {
  this.timeout(120_000);
  const connect = fakeApiSuite();

  it('narrows the tree, shows the filter in the view description, and keeps Load more working', async () => {
    const { api } = await connect({ seed: 'demo' });
    const before = await rootItems(api);
    assert.ok(before.length > 3);
    applyFilter(api.services, { statuses: ['completed'] });
    let roots = await rootItems(api);
    assert.deepEqual(
      roots.map((r) => r.label.replace(/\(\d+\)$/, '(n)')),
      ['Completed (n)', 'Load more…'],
    );
    const completedLoaded = api.services.store.batches.filter((b) => b.status === 'completed').length;
    assert.equal(roots[0].label, `Completed (${completedLoaded})`);
    assert.equal(api.services.treeView.description, 'Filtered: status: completed');
    assert.equal(api.services.treeView.message, `Filtered: status: completed — ${completedLoaded} of 20 loaded batches`);

    await vscode.commands.executeCommand('openaiBatches.loadMore');
    roots = await rootItems(api);
    const completedNow = api.services.store.batches.filter((b) => b.status === 'completed').length;
    assert.ok(api.services.store.batches.length > 20);
    assert.equal(roots[0].label, `Completed (${completedNow})`);
    assert.equal(roots.at(-1)?.label, 'Load more…');

    applyFilter(api.services, { text: 'support', endpoints: ['/v1/chat/completions'] });
    const rows = await treeBatches(api);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      const batch = api.services.store.batches.find((b) => row.id.endsWith(`/${b.id}`))!;
      assert.equal(batch.endpoint, '/v1/chat/completions');
      assert.ok(
        JSON.stringify([batch.id, batch.metadata, batch.input_file_id, batch.output_file_id, batch.error_file_id, batch.model])
          .toLowerCase()
          .includes('support'),
      );
    }
    assert.equal(api.services.treeView.description, 'Filtered: endpoint: /v1/chat/completions · "support"');

    applyFilter(api.services, { text: 'no batch has this text' });
    assert.deepEqual(
      (await rootItems(api)).map((r) => r.label),
      [`No loaded batch matches the filter (${api.services.store.batches.length} loaded)`, 'Load more…'],
    );

    await vscode.commands.executeCommand('openaiBatches.clearFilter');
    assert.equal(api.services.treeView.description, undefined);
    assert.equal(api.services.treeView.message, undefined);
    assert.ok((await rootItems(api)).length > 3);
  });
});
