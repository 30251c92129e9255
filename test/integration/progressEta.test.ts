// Rate and ETA of running batches in the tree, in the real extension host against the fake API,
// whose clock moves batches on only when the test advances it.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { FakeApi } from '../fake-api/server';
import { fakeApiSuite, waitFor } from './helpers';

describe('progress: rate and ETA in the tree', function () {
  this.timeout(120_000);
  let api: TestApi;
  let fake: FakeApi | undefined;

  const connect = fakeApiSuite({ after: 'all' });

  function batchItem(id: string): vscode.TreeItem {
    const node = api.services.tree.findBatchNode(id);
    assert.ok(node, `no tree node for ${id}`);
    return api.services.tree.getTreeItem(node);
  }

  /** The Markdown tooltip VS Code asks for on hover. */
  function tooltipOf(id: string): string {
    const node = api.services.tree.findBatchNode(id);
    assert.ok(node);
    const tooltip = api.services.tree.resolveTreeItem(api.services.tree.getTreeItem(node), node).tooltip;
    assert.ok(tooltip instanceof vscode.MarkdownString, 'a Markdown tooltip');
    return tooltip.value;
  }

  it('shows the counts first, then the time left once a second poll saw progress; no extra request', async () => {
    ({ api, fake } = await connect({ seed: 'demo' }, { pageSize: 20 }));
    await api.services.tree.getChildren();
    await waitFor('the first page', () => api.services.store.hasLoaded);
    const running = fake.store.list().find((b) => b.metadata?.description === 'Product catalog embeddings (fr-FR)')!;
    const total = running.request_counts!.total.toLocaleString('en-US');
    await api.services.tree.getChildren(); // groups, so findBatchNode knows them

    const first = String(batchItem(running.id).description);
    assert.match(first, new RegExp(`· [\\d,]+/${total}$`), 'one sample: counts, no estimate');
    assert.match(tooltipOf(running.id), /Too little data for an estimate yet/);

    fake.clock.advance(2);
    fake.clearRequests();
    await api.services.store.refresh();
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /v1/batches'],
      'the estimate costs no request of its own',
    );
    await api.services.tree.getChildren();
    const second = String(batchItem(running.id).description);
    console.log(`      description after two polls: ${second}`);
    assert.match(second, new RegExp(`· [\\d,]+/${total} · (<1 min|~\\d+ min|~\\d+ h( \\d+ min)?|~\\d+ days) left$`));
    const markdown = tooltipOf(running.id);
    assert.match(
      markdown,
      /Progress: [\d\\,]+\/[\d\\,]+ · .+ left {2}\n(About .+ left|It should finish any moment now), at [\d\\,.]+ requests\/min over the last/,
    );

    // A finished batch shows no estimate: only its counts.
    const finished = fake.store.list().find((b) => b.status === 'completed')!;
    assert.doesNotMatch(String(batchItem(finished.id).description), /left$/);
  });
});
