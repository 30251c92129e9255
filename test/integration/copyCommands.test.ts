// Copy and insert commands, inside a real extension host against the fake API.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { fakeApiSuite, rootItems } from './helpers';

describe('while coding', function () {
  this.timeout(120_000);
  const connect = fakeApiSuite();

  it('inserts an output file id at every cursor', async () => {
    const { api } = await connect({ seed: 'demo' });
    await rootItems(api);
    const batch = api.services.store.batches.find((b) => b.output_file_id)!;
    const document = await vscode.workspace.openTextDocument({ content: 'a = ""\nb = ""\nc = ""\n' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selections = [0, 1, 2].map((line) => new vscode.Selection(line, 5, line, 5));
    await vscode.commands.executeCommand('openaiBatches.insertOutputFileId', batch.id);
    const id = batch.output_file_id!;
    assert.equal(document.getText(), `a = "${id}"\nb = "${id}"\nc = "${id}"\n`);
  });
});
