// Hover and completion on batch and file ids, inside a real extension host against the fake API.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { configuration, fakeApiSuite, quietFor, rootItems } from './helpers';

describe('while coding', function () {
  this.timeout(120_000);
  const connect = fakeApiSuite();

  async function hoverText(document: vscode.TextDocument, needle: string): Promise<string> {
    const offset = document.getText().indexOf(needle);
    assert.ok(offset >= 0, needle);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      document.positionAt(offset + 8),
    );
    return hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
  }

  async function completionLabels(document: vscode.TextDocument, line: number): Promise<string[]> {
    const position = document.lineAt(line).range.end;
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      document.uri,
      position,
    );
    return list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
  }

  it('hovers over batch and file ids: loaded from memory, unknown batch ids fetched once; completion offers loaded ids; the setting turns both off', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    await rootItems(api);
    const store = api.services.store;
    const loaded = store.batches.find((b) => b.status === 'completed' && b.output_file_id && (b.request_counts?.total ?? 0) > 0)!;
    const notLoaded = fake.store.list().find((b) => !store.get(b.id))!;
    assert.ok(notLoaded, 'a batch beyond the first page');
    const missing = 'batch_000000000000doesnotexist';
    const document = await vscode.workspace.openTextDocument({
      language: 'python',
      content: [
        `loaded = client.batches.retrieve("${loaded.id}")`,
        `output = client.files.content("${loaded.output_file_id}")`,
        `older = "${notLoaded.id}"`,
        `gone = "${missing}"`,
        'next_batch = "batch_',
        'next_file = "file-',
      ].join('\n'),
    });
    await vscode.window.showTextDocument(document);
    await quietFor(fake);
    fake.clearRequests();

    const loadedHover = await hoverText(document, loaded.id);
    assert.match(loadedHover, /Completed/);
    assert.ok(
      loadedHover.includes(
        `${loaded.request_counts!.completed} completed, ${loaded.request_counts!.failed} failed of ${loaded.request_counts!.total}`,
      ),
      loadedHover,
    );
    assert.match(loadedHover, /created .*ago/);
    for (const command of [
      'openaiBatches.openBatch',
      'openaiBatches.copyBatchId',
      'openaiBatches.copyOutputFileId',
      'openaiBatches.openOutputFile',
    ]) {
      assert.ok(loadedHover.includes(`command:${command}?`), `hover links ${command}`);
    }
    const fileHover = await hoverText(document, loaded.output_file_id!);
    assert.match(fileHover, new RegExp(`output file of \`${loaded.id}\``));
    assert.equal(fake.requests.length, 0, 'loaded ids cost no request');

    const olderHover = await hoverText(document, notLoaded.id);
    assert.match(olderHover, new RegExp(String(notLoaded.status).replace('_', ' '), 'i'));
    await hoverText(document, notLoaded.id);
    assert.equal(await hoverText(document, missing), '');
    await hoverText(document, missing);
    assert.equal(fake.count('GET', `/v1/batches/${notLoaded.id}`), 1, 'an unknown id is fetched once');
    assert.equal(fake.count('GET', `/v1/batches/${missing}`), 1, 'a missing id is asked for once');
    assert.equal(store.get(notLoaded.id), undefined, 'looked-up batches are not added to the tree (never polled)');

    const batchItems = await completionLabels(document, 4);
    for (const batch of store.batches) assert.ok(batchItems.includes(batch.id), `completion offers ${batch.id}`);
    const fileItems = await completionLabels(document, 5);
    assert.ok(fileItems.includes(loaded.output_file_id!));
    assert.ok(fileItems.includes(loaded.input_file_id!));

    await configuration().update('editorIntegration', false, vscode.ConfigurationTarget.Global);
    assert.ok(!(await hoverText(document, loaded.id)).includes('Completed'), 'no hover when turned off');
    const off = await completionLabels(document, 4);
    assert.ok(
      !off.some((label) => store.get(label) && label !== loaded.id && label !== notLoaded.id),
      `no id completion when turned off: ${off.slice(0, 5).join(', ')}`,
    );
  });
});
