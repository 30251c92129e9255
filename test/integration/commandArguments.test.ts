// Command arguments come from anywhere: a command link in Markdown, another extension, a
// keybinding. Handlers use only the batch id an argument names, never the object itself.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { fakeApiSuite, rootItems } from './helpers';

describe('command arguments: only the batch id is trusted', function () {
  this.timeout(60_000);
  const connect = fakeApiSuite({ clean: 'disconnect' });

  it('a made-up batch object is looked up by its id: its own file id is never copied', async () => {
    const { api, fake } = await connect({ seed: 'fixture' });
    await rootItems(api);
    const loaded = api.services.store.batches.find((b) => b.output_file_id)!;
    await vscode.env.clipboard.writeText('unchanged');

    // Not loaded: fetched by id, which the server does not know (404), so nothing is copied.
    const forged = { id: 'batch_forged000001', object: 'batch', status: 'completed', output_file_id: 'file-forged' };
    await vscode.commands.executeCommand('openaiBatches.copyOutputFileId', forged);
    assert.equal(await vscode.env.clipboard.readText(), 'unchanged');
    assert.equal(fake.count('GET', `/v1/batches/${forged.id}`), 1, 'the id was fetched');

    // Loaded: the store's copy wins over the object's fields.
    await vscode.commands.executeCommand('openaiBatches.copyOutputFileId', { ...loaded, output_file_id: 'file-forged' });
    assert.equal(await vscode.env.clipboard.readText(), loaded.output_file_id);
  });
});
