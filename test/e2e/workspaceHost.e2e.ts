import * as assert from 'assert';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, waitUntil, Workbench } from './workbench';

/**
 * A cloned repository whose .vscode/settings.json points openaiBatches.baseUrl at its own host: the
 * tree names the host and the file, Set API Key asks a modal question naming them before any key
 * prompt, its prompt names them too, and only an explicit yes stores a key. Also: the walkthrough,
 * opened from the palette, stays open when a file is then opened from the Explorer.
 */
describe('a host chosen by the workspace settings; the walkthrough stays open', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  let host: string;
  const dialog = (): ReturnType<Workbench['page']['locator']> => workbench.page.locator('.monaco-dialog-box');
  const walkthroughTab = (): ReturnType<Workbench['page']['locator']> =>
    workbench.page.locator('.tabs-container .tab', { hasText: 'Welcome' });

  before(async function () {
    fake = await startFakeApi({ seed: 'demo' });
    host = new URL(fake.baseUrl).host;
    workbench = await openWorkbench({
      settings: { 'openaiBatches.autoRefreshSeconds': 0 },
      workspaceSettings: { 'openaiBatches.baseUrl': fake.baseUrl },
    });
    await workbench.openView();
  });

  closeAfterScenario('workspace-host', () => ({ workbench, fake }));

  it('the tree names the host and the settings file instead of the welcome view', async function () {
    const note = `Host chosen by this workspace's .vscode/settings.json: ${host}`;
    await workbench.waitForTreeRow(note);
    await workbench.waitForTreeRow('Set API Key…');
    const description = await workbench.treeRow('Set API Key…').locator('.label-description').innerText();
    assert.equal(description.trim(), `no API key · ${note}`);
    assert.equal(await workbench.welcomeButton('Set API Key').count(), 0, 'the welcome view would hide whose host it is');
    await workbench.screenshot('e2e-workspace-host-1-tree');
  });

  it('opens the walkthrough pinned (not as a preview tab a file click would replace)', async function () {
    await workbench.runCommand('OpenAI Batches: Get Started');
    await workbench.page.locator('.gettingStartedContainer').first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil(
      async () => (await walkthroughTab().count()) === 1 && !/\bpreview\b/.test((await walkthroughTab().getAttribute('class')) ?? ''),
      'a pinned walkthrough tab',
    );
    assert.equal(await walkthroughTab().locator('.italic').count(), 0, 'the walkthrough tab is still a preview (italic)');
  });

  it('Set API Key asks first, naming host and file; Cancel stores nothing', async function () {
    await workbench.runCommand('OpenAI Batches: Set API Key…');
    await dialog().waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await dialog().innerText()).replace(/\s+/g, ' ');
    console.log(`      modal: ${text}`);
    assert.match(
      text,
      new RegExp(
        `Store an API key for ${host.replace(/\./g, '\\.')}\\? Host chosen by this workspace's \\.vscode/settings\\.json: ${host.replace(/\./g, '\\.')}\\.`,
      ),
    );
    assert.match(text, /Your user settings did not choose this host/);
    await workbench.screenshot('e2e-workspace-host-2-modal');
    await dialog().locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    await dialog().waitFor({ state: 'hidden' });
    assert.equal(await workbench.quickInput({ password: true }).isVisible(), false, 'no key prompt after Cancel');
    await workbench.waitForTreeRow('Set API Key…');
  });

  it('after an explicit yes the key prompt names host and file too, and the key is stored and used', async function () {
    await workbench.runCommand('OpenAI Batches: Set API Key…');
    await dialog().waitFor({ state: 'visible', timeout: 30_000 });
    await dialog()
      .locator('.monaco-button', { hasText: `Store a Key for ${host}` })
      .first()
      .click();
    await workbench.quickInput({ password: true }).waitFor({ state: 'visible' });
    const prompt = (await workbench.page.locator('.quick-input-widget').innerText()).replace(/\s+/g, ' ');
    console.log(`      prompt: ${prompt}`);
    assert.ok(prompt.includes(`Host chosen by this workspace's .vscode/settings.json: ${host}. API key for ${fake.baseUrl}.`), prompt);
    await workbench.screenshot('e2e-workspace-host-3-prompt');
    await workbench.typeInQuickInput(fake.apiKey);
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
    await workbench.waitForTreeRow(`Host chosen by this workspace's .vscode/settings.json: ${host}`);
  });

  it('the walkthrough is still open after the key was stored and a file was opened from the Explorer', async function () {
    assert.equal(await walkthroughTab().count(), 1, 'the walkthrough tab closed');
    await workbench.page.locator('.part.activitybar a.action-label[aria-label^="Explorer"]').click();
    await workbench.page.locator('.part.sidebar .monaco-list-row', { hasText: 'requests.jsonl' }).first().click();
    await workbench.page.locator('.tabs-container .tab', { hasText: 'requests.jsonl' }).waitFor({ timeout: 30_000 });
    assert.equal(await walkthroughTab().count(), 1, 'opening a file replaced the walkthrough tab');
    await workbench.screenshot('e2e-workspace-host-4-walkthrough-kept');
  });
});
