import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { FLAKY_MODEL } from '../fake-api/data';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

function chat(customId: string, model = 'gpt-4o-mini'): string {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model, messages: [{ role: 'user', content: `Question ${customId}` }], max_tokens: 50 },
  });
}

/** Requests by method and route since `from` (an index into the fake's log), ids folded, for the report. */
function requestCounts(fake: FakeApi, from: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of fake.requests.slice(from)) {
    const route = entry.path
      .replace(/\/batch_[\w-]+/, '/{batch}')
      .replace(/\/file-[\w-]+/, '/{file}')
      .replace(/\?.*$/, '');
    const key = `${entry.method} ${route}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function confirmModal(workbench: Workbench, button: string, expectText: RegExp): Promise<string> {
  const dialog = workbench.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  const text = (await dialog.innerText()).replace(/\s+/g, ' ');
  assert.match(text, expectText);
  await dialog.locator('.monaco-button', { hasText: button }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
  return text;
}

/** The descriptions (`.label-description`) of the tree rows whose label is `label`. */
async function rowDescriptions(workbench: Workbench, label: string): Promise<string[]> {
  const rows = workbench.page.locator('.part.sidebar .pane-body .monaco-list-row', {
    has: workbench.page.locator('.label-name', { hasText: label }),
  });
  return rows.locator('.label-description').allInnerTexts();
}

const IDS = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
/** These fail (429) on their first run and succeed when resubmitted. */
const FLAKY = new Set(['q2', 'q5']);
const DESCRIPTION = 'Flaky nightly questions';

describe('recover: resubmit the failed requests of a batch, then read the combined results', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  let originalId = '';
  let retryId = '';

  before(async function () {
    fake = await startFakeApi({ seed: 'empty', now: Math.floor(Date.now() / 1000) });
    // The original batch, created straight through the API, ran with two transient failures.
    const input = fake.store.addFile({
      filename: 'flaky.jsonl',
      purpose: 'batch',
      content: `${IDS.map((id) => chat(id, FLAKY.has(id) ? FLAKY_MODEL : undefined)).join('\n')}\n`,
    });
    const created = await fetch(`${fake.baseUrl}/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        input_file_id: input.id,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
        metadata: { description: DESCRIPTION },
      }),
    });
    assert.equal(created.status, 200);
    originalId = ((await created.json()) as { id: string }).id;
    fake.clock.advance(60 * 60);
    const original = fake.store.get(originalId)!;
    assert.equal(original.status, 'completed');
    assert.deepEqual(original.request_counts, { total: 6, completed: 4, failed: 2 });

    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.autoRefreshSeconds': 0 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.clickTreeRow('Completed (1)');
    await workbench.waitForTreeRow(DESCRIPTION);
  });

  closeAfterScenario('recover-resubmit', () => ({ workbench, fake }));

  it('resubmits the 2 failed requests from the tree as a new batch linked to the original', async function () {
    fake.clearRequests();
    await workbench.treeRowContextAction(DESCRIPTION, 'Resubmit Failed Requests…');
    // Nothing is missing, so the only choice offered is the failed requests.
    const input = workbench.quickInput();
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    const items = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
    await waitUntil(
      async () => (await items.allInnerTexts()).some((t) => t.includes('Failed: 2 requests')),
      'the "Failed: 2 requests" choice',
    );
    assert.deepEqual(
      (await items.allInnerTexts()).map((t) => t.trim()),
      ['Failed: 2 requests'],
    );
    await workbench.screenshot('e2e-recover-1-choice');
    await input.press('Enter');

    const text = await confirmModal(workbench, 'Resubmit', /Resubmit 2 requests of "Flaky nightly questions" as a new batch\?/);
    assert.match(text, /First custom_ids: q2, q5/);

    await waitUntil(() => Promise.resolve(fake.store.list().length === 2), 'the resubmission to be created');
    const retry = fake.store.list().find((b) => b.id !== originalId)!;
    retryId = retry.id;
    assert.deepEqual(retry.metadata, { resubmit_of: originalId, description: DESCRIPTION });
    assert.equal(retry.request_counts?.total, 2);
    // One upload (the 2 failed lines) and one create; the original's three files downloaded once each.
    assert.equal(fake.count('POST', '/v1/files'), 1);
    assert.equal(fake.count('POST', '/v1/batches'), 1);
    const original = fake.store.get(originalId)!;
    for (const fileId of [original.input_file_id, original.output_file_id, original.error_file_id]) {
      assert.equal(fake.count('GET', `/v1/files/${fileId}/content`), 1, `downloads of ${fileId}`);
    }
    console.log(`[recover] resubmit flow requests: ${JSON.stringify(requestCounts(fake, 0))}`);

    // The detail panel of the new batch opens and names the original.
    const frame = workbench.webviewFrame();
    await frame.locator('ul.chain li', { hasText: 'Resubmission of' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await frame.locator('ul.chain').innerText(), new RegExp(`Resubmission of .*${originalId}`));
    await workbench.screenshot('e2e-recover-2-resubmitted');
  });

  it('once the resubmission completes, Open Results on the original shows one row per request with its latest outcome', async function () {
    assert.ok(retryId, 'the previous test resubmitted');
    fake.clock.advance(60 * 60);
    assert.equal(fake.store.get(retryId)?.status, 'completed');
    assert.deepEqual(fake.store.get(retryId)?.request_counts, { total: 2, completed: 2, failed: 0 });
    await workbench.runCommand('View: Close All Editors');
    await workbench.runCommand('OpenAI Batches: Refresh');
    await waitUntil(async () => (await rowDescriptions(workbench, DESCRIPTION)).length === 2, 'both batches in the tree');
    const descriptions = await rowDescriptions(workbench, DESCRIPTION);
    assert.ok(
      descriptions.some((d) => d.startsWith(`resubmission of ${originalId.slice(0, 19)}`)),
      `descriptions: ${JSON.stringify(descriptions)}`,
    );

    fake.clearRequests();
    await workbench.runCommand('OpenAI Batches: Open Results');
    // Both batches share the name: pick the original by its id.
    const input = workbench.quickInput();
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(originalId);
    const focused = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused .label-description');
    await waitUntil(
      async () =>
        (
          (await focused
            .first()
            .textContent({ timeout: 1_000 })
            .catch(() => '')) ?? ''
        ).includes(originalId),
      'the original batch focused in the pick',
    );
    await input.press('Enter');
    const frame = workbench.webviewFrame();
    await frame.locator('#title', { hasText: '2 batches combined' }).waitFor({ state: 'visible', timeout: 30_000 });
    const rows = frame.locator('#rows tr.row');
    await waitUntil(async () => (await rows.count()) === IDS.length, `${IDS.length} rows`);
    for (const [i, id] of IDS.entries()) {
      const cell = (await rows.nth(i).locator('td.id').innerText()).trim();
      // Only the requests that ran twice say which attempt their outcome comes from.
      assert.equal(cell, FLAKY.has(id) ? `${id} · attempt 2 of 2` : id, `row ${i + 1}`);
      assert.match((await rows.nth(i).getAttribute('class')) ?? '', /\bsucceeded\b/, `${id} succeeded in the end`);
    }
    assert.match(await frame.locator('#status').innerText(), /6 requests · 6 succeeded · 0 failed/);
    assert.match(await frame.locator('#notes').innerText(), /Combined results of 2 batches/);
    // Only the resubmission's output is new; the original's files come from the cache.
    const retry = fake.store.get(retryId)!;
    assert.equal(fake.count('GET', `/v1/files/${retry.output_file_id}/content`), 1);
    assert.equal(fake.count('GET', `/v1/files/${retry.input_file_id}/content`), 1);
    assert.equal(fake.count('GET', /^\/v1\/files\/[^/]+\/content$/), 2);
    console.log(`[recover] combined results requests: ${JSON.stringify(requestCounts(fake, 0))}`);
    await workbench.screenshot('e2e-recover-3-combined');
  });
});

const SPLIT_FILE = 'big-requests.jsonl';
const SPLIT_LINES = 120_000;

describe('recover: split a 120,000-request file into three batches', function () {
  let fake: FakeApi;
  let workbench: Workbench;

  before(async function () {
    fake = await startFakeApi({ seed: 'empty', now: Math.floor(Date.now() / 1000) });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.autoRefreshSeconds': 0 } });
    const lines: string[] = [];
    for (let i = 0; i < SPLIT_LINES; i++) lines.push(chat(`req-${i}`));
    fs.writeFileSync(path.join(workbench.workspaceFolder, SPLIT_FILE), `${lines.join('\n')}\n`);
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await waitUntil(() => Promise.resolve(fake.count('GET', '/v1/batches') >= 1), 'the tree to list batches');
  });

  closeAfterScenario('recover-split', () => ({ workbench, fake }));

  it('offers the split, then uploads and creates 3 parts of 40,000 requests with their group and part, continuing after a failure', async function () {
    fake.clearRequests();
    // The first create fails: the part stays uploaded, and Continue creates it without uploading it again.
    fake.addFault({ method: 'POST', path: '/v1/batches', status: 400, times: 1 });
    await workbench.pickFromCommand('OpenAI Batches: Create Batch from JSONL File…', SPLIT_FILE);
    const text = await confirmModal(workbench, 'Split into 3 Batches', /is over the limits of one batch\. Split it into 3 batches\?/);
    assert.match(text, /120,000 requests: a batch may hold at most 50,000/);
    assert.match(text, /Part 1: 40,000 requests.*Part 2: 40,000 requests.*Part 3: 40,000 requests/);
    const input = workbench.quickInput();
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.typeInQuickInput('Big split');

    const failure = workbench.page
      .locator('.notifications-toasts .notification-list-item', {
        has: workbench.page.locator('.notification-list-item-message', { hasText: /^Part 1 of 3: Uploaded as file-/ }),
      })
      .first();
    await failure.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(fake.store.list().length, 0);
    await workbench.screenshot('e2e-recover-4a-split-failed');
    await failure.locator('.monaco-button', { hasText: 'Continue' }).click();

    await workbench.waitForNotification(/Created 3 batches from big-requests\.jsonl/, 120_000);
    const batches = fake.store.list().sort((a, b) => String(a.metadata?.part).localeCompare(String(b.metadata?.part)));
    assert.equal(batches.length, 3);
    const group = batches[0].metadata?.group;
    assert.match(group ?? '', /^split_[0-9a-f]{8}$/);
    assert.deepEqual(
      batches.map((b) => [b.metadata?.part, b.metadata?.group, b.metadata?.description, b.request_counts?.total]),
      [1, 2, 3].map((i) => [`${i}/3`, group, 'Big split', 40_000]),
    );
    assert.equal(fake.count('POST', '/v1/files'), 3, 'each part uploaded once');
    assert.equal(fake.count('POST', '/v1/batches'), 4, 'three creates and the one that failed');
    console.log(`[recover] split flow requests: ${JSON.stringify(requestCounts(fake, 0))}`);

    // The tree shows the parts together (under Validating, expanded as active groups are), each described by its part and group.
    await workbench.waitForTreeRow('Validating (3)');
    await waitUntil(async () => (await rowDescriptions(workbench, 'Big split')).length === 3, 'three parts in the tree');
    const descriptions = await rowDescriptions(workbench, 'Big split');
    assert.deepEqual(
      descriptions.map((d) => d.split(' · ').slice(0, 2).join(' · ')).sort(),
      [1, 2, 3].map((i) => `part ${i}/3 · group ${group}`),
    );
    await workbench.screenshot('e2e-recover-4-split');
  });

  it('once the parts complete, Open Results on one part shows all 120,000 requests of the group', async function () {
    fake.clock.advance(60 * 60);
    assert.deepEqual(
      fake.store.list().map((b) => b.status),
      ['completed', 'completed', 'completed'],
    );
    await workbench.runCommand('OpenAI Batches: Refresh');
    await workbench.clickTreeRow('Completed (3)');
    fake.clearRequests();
    await workbench.treeRowContextAction('Big split', 'Open Results');
    const frame = workbench.webviewFrame();
    await frame.locator('#title', { hasText: '3 batches combined' }).waitFor({ state: 'visible', timeout: 120_000 });
    await waitUntil(
      async () => /120,000 requests · 120,000 succeeded · 0 failed/.test(await frame.locator('#status').innerText()),
      'the status line of the combined group',
      60_000,
      async () => frame.locator('#status').innerText(),
    );
    const first = frame.locator('#rows tr.row').first();
    await first.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await first.locator('td.id').innerText()).trim(), 'req-0');
    assert.match((await first.locator('td.id').getAttribute('title')) ?? '', /^req-0 \(succeeded in attempt 1 of 1, batch batch_/);
    // Each part's input and output, downloaded once.
    assert.equal(fake.count('GET', /^\/v1\/files\/[^/]+\/content$/), 6);
    console.log(`[recover] combined results of the split group requests: ${JSON.stringify(requestCounts(fake, 0))}`);
    await workbench.screenshot('e2e-recover-5-split-results');
  });
});
