import * as assert from 'assert';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { openWorkbench, Workbench, closeAfterScenario } from './workbench';

describe('first run: from signed out to a tree of batches', function () {
  let fake: FakeApi;
  let workbench: Workbench;

  before(async function () {
    fake = await startFakeApi({ seed: 'fixture' });
    workbench = await openWorkbench({ fakeApi: fake });
  });

  closeAfterScenario('smoke', () => ({ workbench, fake }));

  it('offers "Set API Key" in the view while no key is stored', async function () {
    await workbench.openView();
    await workbench.welcomeButton('Set API Key').waitFor({ state: 'visible' });
    await workbench.screenshot('e2e-smoke-1-welcome');
  });

  it('takes the key in a password box and lists batches grouped by status', async function () {
    await workbench.runCommand('OpenAI Batches: Set API Key…');
    // The key must be typed into a masked box: waiting for type="password" is the assertion.
    await workbench.quickInput({ password: true }).waitFor({ state: 'visible' });
    await workbench.typeInQuickInput(fake.apiKey);

    const completed = await workbench.waitForTreeRow(/^Completed\b/);
    assert.match(completed, /^Completed \(\d+\)$/);
    assert.ok(fake.count('GET', /\/batches$/) >= 1, 'the tree did not list batches from the fake API');
    await workbench.screenshot('e2e-smoke-2-tree');
  });
});
