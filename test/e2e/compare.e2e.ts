import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Batch } from '../../src/core/api/types';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

const LABELS = ['positive', 'negative', 'neutral'];
const IDS = Array.from({ length: 100 }, (_, i) => `review-${String(i + 1).padStart(3, '0')}`);
/** The rows whose answers differ: B says the next label round. */
const DIFFERENT = new Set([3, 17, 29, 44, 58, 71, 90]);

const labelA = (i: number): string => LABELS[i % 3];
const labelB = (i: number): string => (DIFFERENT.has(i) ? LABELS[(i + 1) % 3] : labelA(i));

const request = (id: string): string =>
  JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Sentiment of ${id}?` }] },
  });

const result = (id: string, label: string, model: string): string =>
  JSON.stringify({
    id: `batch_req_${id}_${model}`,
    custom_id: id,
    response: {
      status_code: 200,
      request_id: `req_${id}`,
      body: {
        object: 'chat.completion',
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: label }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 20, completion_tokens: 1, total_tokens: 21 },
      },
    },
    error: null,
  });

/** What the matrix should say, by hand: counts[A label][B label] over the 100 rows. */
function expectedMatrix(): Map<string, number> {
  const counts = new Map<string, number>();
  IDS.forEach((_, i) => {
    const key = `${labelA(i)}→${labelB(i)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return counts;
}

describe('compare: two runs of the same 100 requests, 7 answers differ', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  const A = 'Sentiment run A (gpt-4o-mini)';
  const B = 'Sentiment run B (gpt-4.1-mini)';

  before(async function () {
    const now = Math.floor(Date.now() / 1000);
    fake = await startFakeApi({ seed: 'empty', now });
    // Two batches over one input file, each with its own output: seeded straight into the fake.
    const input = fake.store.addFile({ filename: 'reviews.jsonl', purpose: 'batch', content: `${IDS.map(request).join('\n')}\n` });
    const output = (model: string, label: (i: number) => string) =>
      fake.store.addFile({
        filename: `${model}_output.jsonl`,
        purpose: 'batch_output',
        content: `${IDS.map((id, i) => result(id, label(i), model)).join('\n')}\n`,
      });
    const batch = (id: string, description: string, model: string, outputId: string, created: number): Batch => ({
      id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      errors: null,
      input_file_id: input.id,
      completion_window: '24h',
      status: 'completed',
      output_file_id: outputId,
      error_file_id: null,
      created_at: created,
      in_progress_at: created + 10,
      finalizing_at: created + 100,
      completed_at: created + 120,
      expires_at: created + 86_400,
      request_counts: { total: 100, completed: 100, failed: 0 },
      metadata: { description },
      model,
    });
    fake.store.put(batch('batch_compare_a', A, 'gpt-4o-mini', output('gpt-4o-mini', labelA).id, now - 600));
    fake.store.put(batch('batch_compare_b', B, 'gpt-4.1-mini', output('gpt-4.1-mini', labelB).id, now - 300));

    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.autoRefreshSeconds': 0 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.clickTreeRow('Completed (2)');
    await workbench.waitForTreeRow(A);
    await workbench.waitForTreeRow(B);
  });

  closeAfterScenario('compare', () => ({ workbench, fake }));

  it('compares a selection of two from the tree: 7 different, the matrix counts, the 7 rows, a word diff and a 100-line export', async function () {
    await workbench.clickTreeRow(A);
    await workbench.clickTreeRow(B, { modifiers: ['Control'] });
    await waitUntil(
      async () => (await workbench.page.locator('.part.sidebar .monaco-list-row.selected').count()) === 2,
      'two selected rows',
      10_000,
    );
    // Clicking a batch opens its detail panel: closed, so the compare page is the only webview.
    await workbench.runCommand('View: Close All Editors');
    await workbench.treeRowContextAction(A, 'Compare Results…');

    const frame = workbench.webviewFrame();
    const different = frame.locator('#count-different');
    await waitUntil(async () => (await different.innerText().catch(() => '')) === '7', 'the summary to say 7 different', 60_000);
    assert.equal(await frame.locator('#count-both').innerText(), '100');
    assert.equal(await frame.locator('#count-onlyA').innerText(), '0');
    assert.equal(await frame.locator('#count-onlyB').innerText(), '0');
    assert.equal(await frame.locator('#identical').innerText(), '93.0%');
    assert.match(await frame.locator('#rule').innerText(), /identical text/);
    assert.match(await frame.locator('#runs').innerText(), /A: Sentiment run A[\s\S]*B: Sentiment run B/);

    // The matrix: A's labels down, B's across; each cell as counted by hand.
    const expected = expectedMatrix();
    const columns = (await frame.locator('#matrix thead th').allInnerTexts()).slice(1);
    const rows = frame.locator('#matrix tbody tr');
    assert.equal(await rows.count(), 3);
    let cells = 0;
    for (let r = 0; r < 3; r++) {
      const row = rows.nth(r);
      const from = await row.locator('th').innerText();
      const counts = await row.locator('td').allInnerTexts();
      counts.forEach((count, c) => {
        assert.equal(Number(count), expected.get(`${from}→${columns[c]}`) ?? 0, `${from} → ${columns[c]}`);
        cells += Number(count);
      });
    }
    assert.equal(cells, 100);
    assert.match(await frame.locator('#matrix-caption').innerText(), /93 of 100 rows answered by both agree \(93\.0%\)/);
    await workbench.screenshot('e2e-compare-1-summary');

    // Different only: the 7 rows, each "different".
    await frame.locator('[data-filter="different"]').click();
    const tableRows = frame.locator('#rows tr.row');
    await waitUntil(async () => (await tableRows.count()) === 7, 'the 7 different rows');
    const verdicts = await frame.locator('#rows tr.row td.verdict').allInnerTexts();
    assert.deepEqual(verdicts, Array(7).fill('different'));
    const ids = await frame.locator('#rows tr.row td.id').allInnerTexts();
    assert.deepEqual(
      ids,
      [...DIFFERENT].map((i) => IDS[i]),
    );

    // An expanded row: both answers and the word diff.
    await tableRows.first().click();
    const diff = frame.locator('tr.detail pre.diff');
    await diff.waitFor({ state: 'visible', timeout: 30_000 });
    const first = [...DIFFERENT][0];
    assert.equal(await diff.locator('.removed').innerText(), labelA(first));
    assert.equal(await diff.locator('.added').innerText(), labelB(first));
    await workbench.screenshot('e2e-compare-2-different');

    // Export all rows as JSONL through the save dialog: one line per custom_id.
    await frame.locator('[data-filter="all"]').click();
    await waitUntil(async () => (await tableRows.count()) === 100, 'all 100 rows');
    await frame.locator('#export-jsonl').click();
    const target = path.join(workbench.workspaceFolder, 'compare-export.jsonl');
    await workbench.answerSaveDialog(target);
    await workbench.waitForNotification(/^Exported 100 rows to compare-export\.jsonl/, 60_000);
    const lines = fs.readFileSync(target, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 100);
    const records = lines.map(
      (line) => JSON.parse(line) as { custom_id: string; verdict: string; a: { answer: string }; b: { answer: string } },
    );
    assert.equal(records.filter((r) => r.verdict === 'different').length, 7);
    assert.deepEqual(records[3], { ...records[3], custom_id: IDS[3], verdict: 'different' });
    assert.equal(records[3].a.answer, labelA(3));
    assert.equal(records[3].b.answer, labelB(3));
    // One download per file: the shared input once, each output once.
    assert.equal(fake.count('GET', /\/v1\/files\/[^/]+\/content$/), 3);
  });

  it('from the results view, "Compare with…" asks only for run B and opens the same comparison', async function () {
    await workbench.runCommand('View: Close All Editors');
    await workbench.treeRowContextAction(A, 'Open Results');
    const results = workbench.webviewFrame();
    await results.locator('#toolbar').waitFor({ state: 'visible', timeout: 60_000 });
    await results.locator('#compare').click();
    const labels = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
    await waitUntil(async () => (await labels.allInnerTexts()).some((label) => label.includes(B)), 'run B offered');
    // A is the batch of the results view: only the other batch is offered (each item's detail line names its output file).
    const offered = (await labels.allInnerTexts()).map((label) => label.trim()).filter((label) => !label.startsWith('output '));
    assert.deepEqual(offered, [B]);
    await workbench.quickInput().press('Enter');
    await waitUntil(
      async () => (await workbench.page.locator('.tabs-container .tab').allInnerTexts()).some((tab) => tab.includes('Compare:')),
      'the compare tab',
    );
    // The results page stays open behind it: closed, so the compare page is the only webview.
    await workbench.runCommand('View: Close Other Editors in Group');
    const frame = workbench.webviewFrame();
    await waitUntil(
      async () =>
        (await frame
          .locator('#count-different')
          .innerText()
          .catch(() => '')) === '7',
      '7 different',
      60_000,
    );
    assert.equal(await frame.locator('#identical').innerText(), '93.0%');
  });
});
