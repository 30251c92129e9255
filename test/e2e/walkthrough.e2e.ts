import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator } from 'playwright-core';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { validateBatchInput } from '../../src/core/input/jsonlValidation';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

const WALKTHROUGH = 'openai-batch-explorer.openai-batch-explorer#getStarted';
const STEP_IDS = ['connect', 'browse', 'copyId', 'create', 'results'];

/**
 * The "Get started" walkthrough as a new user meets it: opened from the palette, its steps
 * unchecked, a step checked by the real event (a key stored), a step's button run.
 */
describe('walkthrough: get started', function () {
  let fake: FakeApi;
  let workbench: Workbench;

  const step = (id: string): Locator => workbench.page.locator(`button.getting-started-step[data-step-id="${WALKTHROUGH}#${id}"]`);
  const isDone = async (id: string): Promise<boolean> => (await step(id).getAttribute('aria-checked')) === 'true';
  /** A step's own command buttons (rendered from its description's command links). */
  const stepButton = (id: string, text: string): Locator =>
    step(id).locator('.button-container .monaco-button', { hasText: new RegExp(`^\\s*${text}\\s*$`) });

  before(async function () {
    fake = await startFakeApi({ seed: 'demo' });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.autoRefreshSeconds': 0 } });
    // The palette lists a command only once the extension's contributions are registered.
    await workbench.openView();
    await workbench.welcomeButton('Set API Key').waitFor({ timeout: 30_000 });
  });

  closeAfterScenario('walkthrough', () => ({ workbench, fake }));

  it('opens from the palette with its five steps, none done before a key is stored', async function () {
    await workbench.runCommand('OpenAI Batches: Get Started');
    await workbench.page.locator('.gettingStartedContainer').first().waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.page
      .locator('.gettingStartedContainer h2', { hasText: 'Get started with OpenAI Batch Explorer' })
      .first()
      .waitFor({ timeout: 30_000 });
    for (const id of STEP_IDS) await step(id).waitFor({ state: 'attached', timeout: 30_000 });
    const titles = await workbench.page
      .locator(`button.getting-started-step[data-step-id^="${WALKTHROUGH}#"] h3.step-title`)
      .allInnerTexts();
    assert.deepEqual(
      titles.map((title) => title.trim()),
      [
        'Choose a provider and store your key',
        'Browse and open a batch',
        'Copy an output file id into your code',
        'Create a batch from a JSONL file',
        'Read the results',
      ],
    );
    for (const id of STEP_IDS) assert.equal(await isDone(id), false, `step ${id} is already checked`);
    await workbench.screenshot('e2e-walkthrough-1-steps');
  });

  it('runs Choose Provider from the first step', async function () {
    await stepButton('connect', 'Choose Provider').click();
    const pick = workbench.page.locator('.quick-input-widget .quick-input-list .label-name');
    await waitUntil(async () => (await pick.allInnerTexts()).some((label) => /Azure OpenAI/.test(label)), 'the provider quick pick');
    await workbench.screenshot('e2e-walkthrough-2-provider');
    await workbench.page.keyboard.press('Escape');
    await workbench.quickInput().waitFor({ state: 'hidden' });
    assert.equal(await isDone('connect'), false, 'dismissing the pick stored no key, so the step stays unchecked');
  });

  it('checks "Choose a provider and store your key" once a key is stored', async function () {
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await waitUntil(() => isDone('connect'), 'the connect step to be checked');
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
    for (const id of STEP_IDS.slice(1)) assert.equal(await isDone(id), false, `step ${id} was checked by storing a key`);
    await workbench.screenshot('e2e-walkthrough-3-connected');
  });

  it('writes a valid sample input file from the create step and opens it', async function () {
    await step('create').click();
    await stepButton('create', 'Create a Sample File').click();
    const file = path.join(workbench.workspaceFolder, 'sample-batch-requests.jsonl');
    await waitUntil(() => Promise.resolve(fs.existsSync(file)), `${file} to be written`);
    await workbench.page.locator('.tabs-container .tab', { hasText: 'sample-batch-requests.jsonl' }).waitFor({ timeout: 30_000 });
    const result = validateBatchInput(fs.readFileSync(file, 'utf8'));
    assert.equal(result.requests, 3);
    assert.equal(result.endpoint, '/v1/chat/completions');
    assert.deepEqual(
      result.problems.filter((problem) => problem.severity === 'error'),
      [],
    );
    // The file opened over the walkthrough; back on it, the stored key still counts and the sample alone does not.
    await workbench.runCommand('OpenAI Batches: Get Started');
    await step('create').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await isDone('connect'), true, 'the connect step lost its check');
    assert.equal(await isDone('create'), false, 'writing a sample is not creating a batch');
  });
});
