// Multi-selection copies, the cost setting and the tree tooltip's cost, inside a real extension
// host against the fake API. Bulk cancel's modal is clicked through in test/e2e/insight.e2e.ts.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { batchCostEstimate, costLabel, parsePriceOverrides, priceFor } from '../../src/core/cost/cost';
import { isActive } from '../../src/core/batches/grouping';
import type { TestApi } from '../../src/extension';
import type { TreeNode } from '../../src/tree/nodes';
import { configuration, fakeApiSuite, rootItems } from './helpers';

describe('insight: multi-selection and cost', function () {
  this.timeout(120_000);
  let api: TestApi;

  afterEach(async () => {
    await configuration().update('prices', undefined, vscode.ConfigurationTarget.Global);
  });
  const connect = fakeApiSuite();

  it('copies the ids of a multi-selection one per line, skipping unknown ids and batches without the file', async () => {
    ({ api } = await connect({ seed: 'demo' }));
    await rootItems(api);
    const batches = api.services.store.batches;
    const [a, b] = batches.filter((batch) => batch.output_file_id);
    const withoutOutput = batches.find((batch) => !batch.output_file_id)!;
    const nodeOf = (id: string): unknown => ({ id });
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('openaiBatches.copyBatchId', nodeOf(a.id), [nodeOf(a.id), b.id, 'batch_not_loaded', a.id]);
    assert.equal(await vscode.env.clipboard.readText(), `${a.id}\n${b.id}`);
    await vscode.commands.executeCommand('openaiBatches.copyOutputFileId', a.id, [a.id, withoutOutput.id, b.id]);
    assert.equal(await vscode.env.clipboard.readText(), `${a.output_file_id}\n${b.output_file_id}`);
    // One node (a selection of one) is the single command, as before.
    await vscode.commands.executeCommand('openaiBatches.copyBatchId', b.id, [b.id]);
    assert.equal(await vscode.env.clipboard.readText(), b.id);
  });

  it('shows the cost in the tooltip, and openaiBatches.prices changes it', async () => {
    ({ api } = await connect({ seed: 'demo' }));
    await rootItems(api);
    // A loaded batch with usage and a model of known price (the demo's have `model` and `usage`).
    const batch = api.services.store.batches.find((b) => batchCostEstimate(b, new Map()) && !isActive(b));
    assert.ok(batch, 'a loaded finished batch with a priced model');
    const model = priceFor(batch.model)!.priced;
    // The extension runs from its bundle, so its node classes are not this file's: matched by shape.
    let node: TreeNode | undefined;
    for (const root of await rootItems(api)) {
      for (const child of await api.services.tree.getChildren(root.node)) {
        if ((child as { batch?: { id?: string } }).batch?.id === batch.id) node = child;
      }
    }
    assert.ok(node, 'the batch is in the tree');
    const found = node;
    /** The tooltip as read: Markdown escapes removed. */
    const tooltip = (): string =>
      (api.services.tree.resolveTreeItem(found.toTreeItem(), found).tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
    const expected = batchCostEstimate(batch, new Map());
    assert.ok(expected);
    assert.ok(tooltip().includes(`Cost: ${costLabel(expected)}`), tooltip());
    assert.match(
      tooltip(),
      new RegExp(`Cost: ≈ \\$[\\d.,]+ \\(estimate: batch usage × ${model.replace(/\./g, '\\.')} batch price as of \\d{4}-\\d{2}-\\d{2}\\)`),
    );

    const prices = { [model]: { input: 100, output: 100 } };
    await configuration().update('prices', prices, vscode.ConfigurationTarget.Global);
    const overridden = batchCostEstimate(batch, parsePriceOverrides(prices).overrides);
    assert.ok(overridden && overridden.usd > expected.usd);
    assert.ok(tooltip().includes(`Cost: ${costLabel(overridden)}`), tooltip());
    assert.ok(tooltip().includes(`openaiBatches.prices for ${model} less the 50% Batch API discount`), tooltip());
  });
});
