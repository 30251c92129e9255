import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { repoRoot } from '../harness/paths';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, Workbench } from './workbench';

interface ProbeReport {
  found: boolean;
  exportsType: string;
  exportsKeys: string[];
  stolen: string[];
}

/**
 * A second extension installed beside the packaged one (test/e2e/exports-probe) calls
 * `activate()` on ours once a key is stored and tries every way to the key that the old
 * exports offered. Installed from the .vsix, ours runs as users run it (ExtensionMode
 * Production), which is where a neighbour would try this.
 */
describe('a neighbour extension calling activate() gets nothing that holds the key', function () {
  let fake: FakeApi;
  let workbench: Workbench;

  before(async function () {
    fake = await startFakeApi({ seed: 'fixture' });
    workbench = await openWorkbench({ fakeApi: fake, extraExtensions: [path.join(repoRoot, 'test', 'e2e', 'exports-probe')] });
  });

  closeAfterScenario('exports-probe', () => ({ workbench, fake }));

  it('finds our extension, but its exports are undefined and no secret comes out', async function () {
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(/^Completed\b/);

    await workbench.runCommand('Exports Probe: Inspect OpenAI Batch Explorer');
    await workbench.waitForNotification(/^Exports probe:/);
    const report = JSON.parse(fs.readFileSync(path.join(workbench.server.runDir, 'home', 'exports-probe.json'), 'utf8')) as ProbeReport;
    console.log(`exports probe: ${JSON.stringify(report)}`);
    assert.equal(report.found, true, 'the probe did not find our extension, so it proved nothing');
    assert.equal(report.exportsType, 'undefined');
    assert.deepStrictEqual(report.stolen, []);
    assert.ok(!JSON.stringify(report).includes(fake.apiKey));
  });
});
