// Cancel, inside a real extension host against the fake API: the context menu, the command and the
// tree. The modal confirmation cannot be answered from here; test/e2e/manage.e2e.ts clicks through it.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { requestCancel } from '../../src/commands/batches/batchCommands';
import { ApiError } from '../../src/core/api/errors';
import { EXTENSION_ID, fakeApiSuite, rootItems, treeBatches } from './helpers';

/** The contributed `view/item/context` entries of a command. */
function contextMenuEntries(command: string): { command: string; when: string; group: string }[] {
  const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
    contributes: { menus: Record<string, { command: string; when: string; group: string }[]> };
  };
  return manifest.contributes.menus['view/item/context'].filter((entry) => entry.command === command);
}

/** Evaluates the `viewItem =~ /re/` part of a when clause against a node's contextValue. */
function viewItemMatches(when: string, contextValue: string): boolean {
  const match = /viewItem =~ \/(.+?)\/(\s|$)/.exec(when);
  assert.ok(match, `no viewItem regex in ${when}`);
  return new RegExp(match[1]).test(contextValue);
}

describe('cancel', function () {
  this.timeout(120_000);
  const connect = fakeApiSuite();

  it('offers Cancel in the context menu of cancellable batches only', async () => {
    const { api } = await connect({ seed: 'demo' });
    const [entry] = contextMenuEntries('openaiBatches.cancelBatch');
    assert.ok(entry, 'package.json has a view/item/context entry for cancelBatch');
    const rows = await treeBatches(api);
    for (const row of rows) {
      const batch = api.services.store.batches.find((b) => row.id.endsWith(`/${b.id}`))!;
      const cancellable = ['validating', 'in_progress', 'finalizing'].includes(String(batch.status));
      assert.equal(viewItemMatches(entry.when, row.contextValue), cancellable, `${batch.status} batch ${batch.id}: "${row.contextValue}"`);
    }
    for (const [command, flag] of [
      ['openaiBatches.openOutputFile', 'output'],
      ['openaiBatches.openErrorFile', 'errorFile'],
      ['openaiBatches.downloadOutputFile', 'output'],
    ]) {
      const [menu] = contextMenuEntries(command);
      assert.ok(menu, `package.json has a view/item/context entry for ${command}`);
      assert.ok(
        viewItemMatches(menu.when, `batch input ${flag}`) && !viewItemMatches(menu.when, 'batch input'),
        `${command}: ${menu.when}`,
      );
    }
  });

  it('moves the node to Cancelling at once from the response, to Cancelled on the next refresh; 409 says why', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    await rootItems(api);
    const target = api.services.store.batches.find((b) => b.status === 'in_progress')!;
    const finished = api.services.store.batches.find((b) => b.status === 'validating')!;
    fake.clearRequests();
    const updated = await requestCancel(api.services, target.id);
    assert.equal(updated.status, 'cancelling');
    assert.equal(fake.count('POST', `/v1/batches/${target.id}/cancel`), 1);
    assert.equal(fake.requests.length, 1, 'the response alone updates the tree: no refetch');
    let row = (await treeBatches(api)).find((r) => r.id.endsWith(target.id))!;
    assert.match(row.group, /^Cancelling \(\d+\)$/);
    assert.ok(!row.contextValue.includes('cancellable'), 'no Cancel offered on a cancelling batch');

    fake.clock.advance(5);
    await vscode.commands.executeCommand('openaiBatches.refresh');
    row = (await treeBatches(api)).find((r) => r.id.endsWith(target.id))!;
    assert.match(row.group, /^Cancelled \(\d+\)$/);

    // The batch finished on the server meanwhile: the user sees the API's message.
    fake.store.put({ ...fake.store.get(finished.id)!, status: 'completed', completed_at: fake.clock.now() });
    await assert.rejects(requestCancel(api.services, finished.id), (error: unknown) => {
      assert.ok(error instanceof Error && (error as ApiError).kind === 'conflict', String(error));
      assert.equal(error.message, "Cannot cancel a batch with status 'completed'.");
      return true;
    });
    // (That the tree then shows it completed without a refresh is checked in test/e2e/manage.e2e.ts: the
    // ApiError class of this compiled copy of the command is not the bundled client's, so it cannot tell here.)
  });

  it('the command refuses a finished batch without asking or calling the API', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    await rootItems(api);
    const done = api.services.store.batches.find((b) => b.status === 'completed')!;
    fake.clearRequests();
    await vscode.commands.executeCommand('openaiBatches.cancelBatch', done.id);
    assert.equal(fake.count('POST', /\/cancel$/), 0);
  });
});
