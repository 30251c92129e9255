import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { batchCostEstimate, costLabel } from '../../src/core/cost/cost';
import { PRICES_AS_OF } from '../../src/core/cost/prices';
import { describeInputEstimate, estimateInputTokens, inputCostEstimate } from '../../src/core/cost/tokenEstimate';
import type { Batch } from '../../src/core/api/types';
import { loadTokenCounters } from '../../src/tokenizer/loadTokenizer';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, waitUntil, Workbench, setApiKeyFromPalette } from './workbench';

/**
 * Error summaries, bulk actions and cost, as a person uses them: the failures of a batch grouped
 * in its detail view (one group clicked: Results shows just those requests), three batches
 * cancelled with one confirmation from a multi-selection, and a batch's cost in its detail view.
 */
describe('insight: error groups, bulk cancel, cost', function () {
  let fake: FakeApi;
  let workbench: Workbench;

  const byDescription = (description: string): Batch => {
    const batch = fake.store.list().find((b) => b.metadata?.description === description);
    assert.ok(batch, description);
    return batch;
  };

  async function openDetails(description: string): Promise<void> {
    await workbench.runCommand('View: Close All Editors');
    await workbench.pickFromCommand('OpenAI Batches: Open Batch Details…', description);
    await workbench.webviewFrame().locator('h1', { hasText: description }).waitFor({ state: 'visible', timeout: 30_000 });
  }

  before(async function () {
    fake = await startFakeApi({ seed: 'demo' });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.pageSize': 40, 'openaiBatches.autoRefreshSeconds': 0 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
  });

  closeAfterScenario('insight', () => ({ workbench, fake }));

  it('groups the failures of a batch by code and message; a group opens Results filtered to it', async function () {
    const description = 'Moderation sweep (every request failed)';
    const batch = byDescription(description);
    const failed = batch.request_counts?.failed ?? 0;
    assert.ok(failed > 0 && batch.error_file_id, 'a batch with failures and an error file');
    await openDetails(description);
    const frame = workbench.webviewFrame();
    const groups = frame.locator('.error-group button.link');
    await groups.first().waitFor({ state: 'visible', timeout: 60_000 });
    const labels = (await groups.allInnerTexts()).map((label) => label.trim());
    console.log(`      groups: ${JSON.stringify(labels)}`);
    const counts = labels.map((label) => {
      const match = /^([\d,]+) × \S/.exec(label);
      assert.ok(match, `"${label}" reads "N × code…"`);
      return Number(match[1].replace(/,/g, ''));
    });
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      failed,
      'every failed request is in one group',
    );
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => b - a),
      'largest group first',
    );
    const examples = await frame.locator('.error-group .muted.data').first().innerText();
    assert.match(examples, /^e\.g\. \S+/);
    await workbench.screenshot('e2e-insight-1-error-groups');

    await groups.first().click();
    const results = workbench.webviewFrame();
    const filter = results.locator('#error-filter-text');
    await filter.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await filter.innerText(), `Showing the failed requests of one error group: ${labels[0]}`);
    await waitUntil(
      async () =>
        (
          await results
            .locator('#range')
            .innerText()
            .catch(() => '')
        ).endsWith(`of ${counts[0]}`) || (await results.locator('tr.row').count()) === counts[0],
      `${counts[0]} rows of the group`,
      30_000,
    );
    const rows = results.locator('tr.row');
    const shown = await rows.count();
    assert.equal(shown, Math.min(counts[0], 200));
    assert.equal(await results.locator('tr.row.failed').count(), shown, 'only failed rows');
    await workbench.screenshot('e2e-insight-2-results-filtered');
    await results.locator('#error-filter-clear').click();
    await waitUntil(async () => !(await filter.isVisible()), 'the filter to clear');
    await waitUntil(
      async () => (await results.locator('tr.row').count()) === Math.min(batch.request_counts?.total ?? 0, 200),
      'all rows again',
      30_000,
    );
  });

  it('shows the cost of a batch in its detail view, labelled with what it rests on', async function () {
    const description = 'Translate help center to German';
    const batch = byDescription(description);
    const expected = batchCostEstimate(batch, new Map());
    assert.ok(expected, 'the fake batch has usage and a priced model');
    await openDetails(description);
    const cost = workbench.webviewFrame().locator('p.cost');
    await cost.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await cost.innerText();
    console.log(`      cost: ${text}`);
    assert.equal(text, costLabel(expected));
    assert.match(text, /^≈ \$[\d.,]+ \(estimate: batch usage × gpt-4\.1-mini batch price as of \d{4}-\d{2}-\d{2}\)$/);
    await cost.evaluate((element: { scrollIntoView(options: { block: string }): void }) => element.scrollIntoView({ block: 'center' }));
    await workbench.screenshot('e2e-insight-3-cost');
  });

  it('cancels three batches with one confirmation from a multi-selection (ctrl-click), skipping one that is not active', async function () {
    await workbench.runCommand('View: Close All Editors');
    const active = ['Smoke test (5 requests)', 'Classify Q3 support tickets', 'Nightly eval: support-bot answers (v42)'];
    const inactive = 'Wrong prompt template (cancel me)';
    for (const description of [...active, inactive]) await workbench.waitForTreeRow(description);
    const ids = active.map((description) => byDescription(description).id);
    const cancelsBefore = ids.map((id) => fake.count('POST', `/v1/batches/${id}/cancel`));
    assert.deepEqual(cancelsBefore, [0, 0, 0]);

    await workbench.clickTreeRow(active[0]);
    for (const description of [...active.slice(1), inactive]) await workbench.clickTreeRow(description, { modifiers: ['Control'] });
    await waitUntil(
      async () => (await workbench.page.locator('.part.sidebar .monaco-list-row.selected').count()) === 4,
      'four selected rows',
      10_000,
      async () => `selected: ${await workbench.page.locator('.part.sidebar .monaco-list-row.selected').count()}`,
    );
    await workbench.screenshot('e2e-insight-4-multi-select');
    await workbench.treeRowContextAction(active[1], 'Cancel Batch…');

    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Cancel 4 batches\? 1 is not active and will be skipped\./);
    assert.match(text, /3 batches will be cancelled\./);
    await workbench.screenshot('e2e-insight-5-bulk-cancel-confirm');
    await dialog.locator('.monaco-button', { hasText: 'Cancel Batches' }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });

    const summary = await workbench.waitForNotification(/^Cancelled 3 batches; skipped 1/, 60_000);
    console.log(`      summary: ${summary}`);
    assert.deepEqual(
      ids.map((id) => fake.count('POST', `/v1/batches/${id}/cancel`)),
      [1, 1, 1],
      'one cancel request per active batch',
    );
    assert.equal(fake.count('POST', `/v1/batches/${byDescription(inactive).id}/cancel`), 0, 'nothing sent for the inactive batch');
    for (const id of ids) assert.equal(fake.store.get(id)?.status, 'cancelling');
    await waitUntil(async () => (await workbench.treeRows()).some((row) => /^Cancelling \(\d+\)$/.test(row)), 'the Cancelling group');
    await workbench.screenshot('e2e-insight-6-bulk-cancelled');
  });

  it('shows the input tokens and input cost before Create Batch sends anything', async function () {
    const name = 'estimate-me.jsonl';
    const questions = ['Summarise Hamlet in one line.', 'Translate "batch" into French.', 'Is 91 prime? Explain briefly.'];
    const lines = questions.map((question, i) =>
      JSON.stringify({
        custom_id: `q-${i + 1}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] },
      }),
    );
    fs.writeFileSync(path.join(workbench.workspaceFolder, name), `${lines.join('\n')}\n`);
    const estimate = estimateInputTokens(lines, await loadTokenCounters());
    const expected = describeInputEstimate(estimate, inputCostEstimate(estimate, new Map()));
    assert.match(
      expected,
      new RegExp(
        `^≈ \\d+ input tokens · ≈ \\$[\\d.]+ for input \\(estimate: counted input tokens × gpt-4o-mini batch price as of ${PRICES_AS_OF}`,
      ),
    );
    const uploadsBefore = fake.count('POST', '/v1/files');

    await workbench.runCommand('View: Close All Editors');
    await workbench.pickFromCommand('OpenAI Batches: Create Batch from JSONL File…', name);
    const message = workbench.page.locator('.quick-input-widget .quick-input-message');
    await waitUntil(
      async () => (await message.innerText().catch(() => '')).includes('input tokens'),
      'the estimate in the description box',
      60_000,
    );
    const text = (await message.innerText()).replace(/\s+/g, ' ');
    console.log(`      prompt: ${text}`);
    assert.ok(text.includes(expected), `"${text}" includes "${expected}"`);
    await workbench.screenshot('e2e-insight-7-create-estimate');
    await workbench.quickInput().press('Escape');
    assert.equal(fake.count('POST', '/v1/files'), uploadsBefore, 'nothing uploaded');
  });
});
