import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { estimateInputTokens } from '../../src/core/cost/tokenEstimate';
import { cl100k_base, o200k_base } from '../../src/tokenizer/encodings';
import { type FakeApi, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, type Workbench } from './workbench';

const MODEL = 'gpt-4o-mini';
const FILE = 'autopilot-requests.jsonl';
const DESCRIPTION = 'Autopilot job';
/** 20 requests, at most 4 per batch: 5 parts. */
const REQUESTS = 20;

function request(i: number): string {
  return JSON.stringify({
    custom_id: `req-${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    // The same text in every request: every part counts the same tokens.
    body: { model: MODEL, messages: [{ role: 'user', content: 'Summarise the plot of Hamlet in one line.' }] },
  });
}

/** The descriptions (`.label-description`) of the tree rows whose label matches. */
async function rowDescriptions(workbench: Workbench, label: string | RegExp): Promise<string[]> {
  const rows = workbench.page.locator('.part.sidebar .pane-body .monaco-list-row', {
    has: workbench.page.locator('.label-name', { hasText: label }),
  });
  return rows.locator('.label-description').allInnerTexts();
}

const creates = (fake: FakeApi): number => fake.count('POST', '/v1/batches');
const contentDownloads = (fake: FakeApi): string[] =>
  fake.requests.filter((r) => r.method === 'GET' && /^\/v1\/files\/[^/]+\/content$/.test(r.path)).map((r) => r.path);

describe('autopilot: a split job queued under an enqueued-token limit, and outputs archived once', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  let archive = '';
  let partTokens = 0;

  before(async function () {
    fake = await startFakeApi({ seed: 'empty', now: Math.floor(Date.now() / 1000) });
    const lines = Array.from({ length: REQUESTS }, (_, i) => request(i));
    partTokens = estimateInputTokens(lines.slice(0, 4), { o200k_base, cl100k_base }).tokens;
    // Fits two parts, not three: in the extension's settings and on the server alike.
    const limit = Math.floor(partTokens * 2.5);
    fake.enqueuedTokenLimits.set(MODEL, limit);
    archive = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-archive-'));
    workbench = await openWorkbench({
      fakeApi: fake,
      settings: {
        'openaiBatches.autoRefreshSeconds': 0,
        'openaiBatches.maxRequestsPerBatch': 4,
        'openaiBatches.enqueuedTokenLimits': { [MODEL]: limit },
        'openaiBatches.archiveFolder': archive,
      },
    });
    fs.writeFileSync(path.join(workbench.workspaceFolder, FILE), `${lines.join('\n')}\n`);
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await waitUntil(() => Promise.resolve(fake.count('GET', '/v1/batches') >= 1), 'the tree to list batches');
  });

  closeAfterScenario('autopilot', () => ({ workbench, fake }));
  after(() => fs.rmSync(archive, { recursive: true, force: true }));

  /** Lets every active batch finish on the fake, then refreshes the view as a person would. */
  async function finishActiveAndRefresh(): Promise<void> {
    fake.clock.advance(3600);
    await workbench.runCommand('OpenAI Batches: Refresh');
  }

  it('splits into 5 parts, creates 2 and queues 3 in a Queued group that says why they wait', async function () {
    await workbench.pickFromCommand('OpenAI Batches: Create Batch from JSONL File…', FILE);
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await dialog.innerText()).replace(/\s+/g, ' '), /Split it into 5 batches\?/);
    await dialog.locator('.monaco-button', { hasText: 'Split into 5 Batches' }).first().click();
    await workbench.quickInput().waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.typeInQuickInput(DESCRIPTION);
    await workbench.waitForNotification(/^Queued 5 parts of "autopilot-requests\.jsonl" \(group split_[0-9a-f]{8}\)/, 60_000);
    await waitUntil(() => Promise.resolve(creates(fake) === 2), 'two parts created', 60_000);
    await workbench.waitForTreeRow('Queued (3)');
    await waitUntil(async () => (await rowDescriptions(workbench, /· part \d\/5$/)).length === 3, 'three queued part rows');
    const labels = (await workbench.treeRows()).filter((label) => /^Queued|· part \d\/5$/.test(label));
    const descriptions = await rowDescriptions(workbench, /· part \d\/5$/);
    console.log(
      `      tree while parts wait: ${JSON.stringify(labels.map((label, i) => (i === 0 ? label : `${label} — ${descriptions[i - 1]}`)))}`,
    );
    assert.deepStrictEqual(labels, ['Queued (3)', `${DESCRIPTION} · part 3/5`, `${DESCRIPTION} · part 4/5`, `${DESCRIPTION} · part 5/5`]);
    const tokens = partTokens.toLocaleString('en-US');
    assert.strictEqual(
      descriptions[0],
      `≈${tokens} tokens · waits for room: ${MODEL} has ${(partTokens * 2).toLocaleString('en-US')} of ${Math.floor(partTokens * 2.5).toLocaleString('en-US')} tokens enqueued`,
    );
    assert.strictEqual(descriptions[1], `≈${tokens} tokens · waits for an earlier part of ${MODEL}`);
    await workbench.screenshot('e2e-autopilot-1-queued');
    assert.deepStrictEqual(
      fake.store
        .list()
        .map((b) => b.metadata?.part)
        .sort(),
      ['1/5', '2/5'],
    );
  });

  it('as the fake completes batches, the rest go; a window reload in the middle resumes the queue', async function () {
    await finishActiveAndRefresh();
    await waitUntil(() => Promise.resolve(creates(fake) === 4), 'parts 3 and 4 created', 60_000);
    await workbench.waitForTreeRow('Queued (1)');
    // Outputs of the two completed parts are archived while the queue goes on.
    await waitUntil(() => Promise.resolve(fs.readdirSync(archive).length === 2), 'two outputs archived', 60_000);

    await workbench.runCommand('Developer: Reload Window');
    await workbench.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    await workbench.openView();
    await workbench.waitForTreeRow('Queued (1)', 60_000);
    assert.strictEqual(creates(fake), 4, 'the reload created nothing');

    await finishActiveAndRefresh();
    await waitUntil(() => Promise.resolve(creates(fake) === 5), 'part 5 created after the reload', 60_000);
    await finishActiveAndRefresh();
    await workbench.waitForNotification(/^All 5 parts of "Autopilot job" \(group split_[0-9a-f]{8}\) are done\./, 60_000);
    const parts = fake.store
      .list()
      .map((b) => b.metadata?.part)
      .sort();
    assert.deepStrictEqual(parts, ['1/5', '2/5', '3/5', '4/5', '5/5'], 'exactly one create per part');
    assert.strictEqual(creates(fake), 5);
    assert.ok(
      fake.store.list().every((b) => b.status === 'completed'),
      'no part met the limit on the server',
    );
    await workbench.screenshot('e2e-autopilot-2-done');
  });

  it('archives each output once; a reload does not archive it again', async function () {
    await waitUntil(() => Promise.resolve(fs.readdirSync(archive).length === 5), 'five outputs archived', 60_000);
    const names = fs.readdirSync(archive).sort();
    assert.ok(
      names.every((name) => /^batch_[\w-]+--Autopilot_job\.output\.jsonl$/.test(name)),
      JSON.stringify(names),
    );
    const outputs = fake.store.list().map((b) => b.output_file_id);
    const downloads = contentDownloads(fake);
    for (const id of outputs)
      assert.strictEqual(downloads.filter((p) => p === `/v1/files/${id}/content`).length, 1, `${id} downloaded once`);
    for (const name of names) assert.ok(fs.readFileSync(path.join(archive, name), 'utf8').includes('"custom_id"'));

    const before = contentDownloads(fake).length;
    await workbench.runCommand('Developer: Reload Window');
    await workbench.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    await workbench.openView();
    await workbench.waitForTreeRow(/^Completed \(5\)$/, 60_000);
    await workbench.runCommand('OpenAI Batches: Refresh');
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.strictEqual(contentDownloads(fake).length, before, 'nothing downloaded again after the reload');
    assert.strictEqual(fs.readdirSync(archive).length, 5);
    console.log(`      archive: ${names.length} outputs, ${before} content downloads in all, none after the reload`);
  });
});
