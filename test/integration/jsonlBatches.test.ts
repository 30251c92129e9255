import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { BatchNode } from '../../src/tree/nodes';
import type { FakeApi } from '../fake-api/server';
import { fakeApiSuite, waitFor } from './helpers';

function chat(id: string): string {
  return JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Question ${id}` }] },
  });
}

async function writeWorkspaceFile(name: string, text: string): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(folder, 'the integration tests run with a workspace folder');
  const uri = vscode.Uri.joinPath(folder, name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  return uri;
}

const diagnosticsOf = (uri: vscode.Uri): vscode.Diagnostic[] =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'OpenAI Batch');

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
  return lenses.map((lens) => lens.command?.title ?? '').filter((title) => title !== '');
}

describe('Batch input files and results (against the fake API)', function () {
  this.timeout(60_000);
  let api: TestApi | undefined;
  let fake: FakeApi | undefined;

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  const connect = fakeApiSuite({ clean: 'disconnect' });

  it('shows problems while editing a .jsonl batch file, with related lines for duplicates and lenses on line 1', async () => {
    ({ api, fake } = await connect({ seed: 'empty' }));
    const uri = await writeWorkspaceFile(
      'checked.jsonl',
      [chat('a'), chat('b'), chat('a'), '{"custom_id": "c", "method": "GET"'].join('\n'),
    );
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);

    const diagnostics = await waitFor('diagnostics', () => (diagnosticsOf(uri).length >= 3 ? diagnosticsOf(uri) : undefined));
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.code]),
      [
        [0, 'duplicateCustomId'],
        [2, 'duplicateCustomId'],
        [3, 'invalidJson'],
      ],
    );
    assert.equal(diagnostics[1].relatedInformation?.[0].location.range.start.line, 0);
    assert.equal(diagnostics[0].relatedInformation?.[0].location.range.start.line, 2);
    const titles = await waitFor('code lenses', async () => {
      const found = await lensTitles(uri);
      return found.length === 2 ? found : undefined;
    });
    assert.deepEqual(titles, ['$(cloud-upload) Create batch from this file', '4 requests · /v1/chat/completions · 3 problems']);

    // Fixing the file clears the problems after the debounce.
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((edit) => edit.replace(new vscode.Range(0, 0, document.lineCount, 0), [chat('a'), chat('b'), chat('c')].join('\n')));
    await waitFor('problems to clear', () => diagnosticsOf(uri).length === 0);
    await waitFor('the summary lens to update', async () =>
      (await lensTitles(uri)).includes('3 requests · /v1/chat/completions · no problems'),
    );
  });

  it('creates a batch from a file, reveals it in the tree, and opens its joined results once it completes', async () => {
    ({ api, fake } = await connect({ seed: 'empty' }));
    const uri = await writeWorkspaceFile('nightly-questions.jsonl', `${[chat('q1'), chat('q2'), chat('q3'), chat('q4')].join('\n')}\n`);
    const services = api.services;

    const created = vscode.commands.executeCommand('openaiBatches.createBatch', uri);
    // The description input box is prefilled with the file name: accept it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await created;

    const batch = await waitFor('the new batch in the store', () =>
      services.store.batches.find((b) => b.metadata?.description === 'nightly-questions'),
    );
    assert.equal(fake.count('POST', '/v1/files'), 1);
    assert.equal(fake.count('POST', '/v1/batches'), 1);
    assert.equal(batch.endpoint, '/v1/chat/completions');
    assert.equal(batch.request_counts?.total, 4);
    // The extension runs from its bundle, so its BatchNode is not this file's: compare by id.
    const selected = await waitFor('the new batch selected in the tree', () =>
      services.treeView.selection.find((node) => (node as Partial<BatchNode>).batch?.id === batch.id),
    );
    assert.equal(selected.id, `status/validating/${batch.id}`);

    fake.clock.advance(24 * 60 * 60);
    const done = await services.store.fetchBatch(batch.id);
    assert.equal(done.status, 'completed');
    await vscode.commands.executeCommand('openaiBatches.openResults', batch.id);
    const tab = await waitFor('the results tab', () =>
      vscode.window.tabGroups.all
        .flatMap((group) => group.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('Results: nightly-questions')),
    );
    assert.ok(tab);
    const cacheDir = vscode.Uri.joinPath(api.context.globalStorageUri, 'files', services.store.account ?? '').fsPath;
    for (const fileId of [done.input_file_id, done.output_file_id]) {
      await waitFor(`${fileId} in the cache`, () => fs.existsSync(`${cacheDir}/${fileId}.jsonl`));
    }
  });
});
