import * as assert from 'assert';
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { FakeApi } from '../fake-api/server';
import { EXTENSION_ID, extensionApi, fakeApiSuite, rootItems } from './helpers';

/** Writes figures the benchmark (`npm run bench`) reports, measured here in the real extension host. */
function writeResult(name: string, value: unknown): void {
  const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  const dir = path.join(root, 'test-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2));
}

describe('Measurements for the benchmark', function () {
  this.timeout(60_000);
  let api: TestApi;
  let fake: FakeApi | undefined;

  const connect = fakeApiSuite({ after: 'all', clean: 'disconnect' });

  it('records activation time (activate() to tree view registered)', async () => {
    api = await extensionApi();
    console.log(`activation: ${api.activationMs.toFixed(2)} ms`);
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0);
    writeResult('activation.json', { activation_ms: api.activationMs, vscode: vscode.version });
  });

  it('counts the requests each interaction costs', async () => {
    ({ api, fake } = await connect({ seed: 'demo' }));
    const counts: Record<string, number> = {};
    const measure = async (name: string, action: () => PromiseLike<unknown>): Promise<void> => {
      fake!.clearRequests();
      await action();
      counts[name] = fake!.requests.length;
    };
    await measure('open_view', () => rootItems(api));
    const roots = await rootItems(api);
    await measure('expand', () => api.services.tree.getChildren(roots[0].node));
    await measure('load_more', () => vscode.commands.executeCommand('openaiBatches.loadMore'));
    await measure('double_click', () =>
      Promise.all([vscode.commands.executeCommand('openaiBatches.loadMore'), vscode.commands.executeCommand('openaiBatches.loadMore')]),
    );
    await measure('refresh', () => vscode.commands.executeCommand('openaiBatches.refresh'));
    const batch = api.services.store.batches[0];
    await measure('open_details', async () => {
      await vscode.commands.executeCommand('openaiBatches.openBatch', batch.id);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the panel fetches file metadata after it says ready
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
    console.log(`requests per interaction: ${JSON.stringify(counts)}`);
    writeResult('requests-per-interaction.json', counts);
    assert.equal(counts.open_view, 1);
    assert.equal(counts.expand, 0);
    assert.equal(counts.load_more, 1);
    assert.equal(counts.double_click, 1);
    assert.equal(counts.refresh, 1);
  });
});
