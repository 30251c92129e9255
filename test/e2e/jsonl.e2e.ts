import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { openWorkbench, waitUntil, Workbench, closeAfterScenario, setApiKeyFromPalette } from './workbench';

/** One valid chat request of a batch input file. */
function chat(customId: string, question: string): string {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], max_tokens: 100 },
  });
}

const BROKEN_FILE = 'broken-requests.jsonl';
const BROKEN_LINES = [
  chat('alpha', 'What is a batch?'),
  chat('beta', 'Name three primes.'),
  // Line 3: alpha again.
  chat('alpha', 'Is this a duplicate?'),
  // Line 4: cut short, not JSON.
  '{"custom_id": "gamma", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini"',
  // Line 5: GET instead of POST.
  JSON.stringify({
    custom_id: 'delta',
    method: 'GET',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
  }),
];

const VALID_FILE = 'nightly-questions.jsonl';
const QUESTIONS = ['Summarise Hamlet in one line.', 'Translate "batch" into French.', 'Is 91 prime?', 'Name a solar panel type.'];
const CUSTOM_IDS = QUESTIONS.map((_, i) => `question-${i + 1}`);
const DESCRIPTION = 'Nightly questions (e2e)';

const CREATE_LENS = 'Create batch from this file';

/**
 * Batch input files as a person meets them: problems shown while the file is open, a batch
 * created from the file's CodeLens, and, once it completes, its results joined to the requests.
 */
describe('jsonl: validate a batch file, create a batch from it, read its joined results', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  let batchId = '';

  before(async function () {
    // The fake's clock starts at today, so the detail panel's times read as recent.
    fake = await startFakeApi({ seed: 'empty', now: Math.floor(Date.now() / 1000) });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.autoRefreshSeconds': 0 } });
    fs.writeFileSync(path.join(workbench.workspaceFolder, BROKEN_FILE), `${BROKEN_LINES.join('\n')}\n`);
    fs.writeFileSync(path.join(workbench.workspaceFolder, VALID_FILE), `${CUSTOM_IDS.map((id, i) => chat(id, QUESTIONS[i])).join('\n')}\n`);
  });

  closeAfterScenario('jsonl', () => ({ workbench, fake }));

  it('lists the problems of a malformed file in the Problems panel and offers "Create batch" on line 1', async function () {
    await quickOpen(workbench, BROKEN_FILE);
    await activeCodeLens(workbench, CREATE_LENS).waitFor({ state: 'visible', timeout: 30_000 });
    const lenses = (await workbench.page.locator(`${ACTIVE_EDITOR} .codelens-decoration`).allInnerTexts()).join(' ');
    assert.match(lenses, /5 requests · \/v1\/chat\/completions · 4 problems/, `lenses: ${lenses}`);

    await workbench.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const expected = [
      'Duplicate "custom_id" "alpha", first used on line 1.',
      '"custom_id" "alpha" is used again on line 3.',
      'Not valid JSON: ',
      '"method" must be "POST" (got "GET").',
    ];
    let rows: string[] = [];
    await waitUntil(
      async () => {
        rows = (await problemRows(workbench)).map((row) => row.replace(/\s+/g, ' '));
        return expected.every((message) => rows.some((row) => row.includes(message)));
      },
      'the expected problems in the Problems panel',
      30_000,
      () => Promise.resolve(`rows: ${JSON.stringify(rows)}`),
    );
    // The file row, then its problems, each with our source and the line it is on.
    assert.ok(rows[0].includes(BROKEN_FILE), `first row: ${rows[0]}`);
    const problems = rows.filter((row) => row.includes('OpenAI Batch'));
    assert.equal(problems.length, 4, `problems: ${JSON.stringify(problems)}`);
    assert.match(
      problems.find((row) => row.includes('is used again'))!,
      /\[Ln 1, Col \d+\]/,
    );
    assert.match(
      problems.find((row) => row.includes('Duplicate'))!,
      /\[Ln 3, Col \d+\]/,
    );
    assert.match(
      problems.find((row) => row.includes('Not valid JSON'))!,
      /\[Ln 4, Col \d+\]/,
    );
    assert.match(
      problems.find((row) => row.includes('"method"'))!,
      /\[Ln 5, Col \d+\]/,
    );
    await workbench.screenshot('e2e-jsonl-1-problems');
    // Hide the panel again so the next steps have the room.
    await workbench.runCommand('View: Hide Panel');
    await workbench.page.locator('.markers-panel').waitFor({ state: 'hidden' });
  });

  it('creates a batch from a valid file with its CodeLens, selects it in the tree and opens its details', async function () {
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await waitUntil(() => Promise.resolve(fake.count('GET', '/v1/batches') >= 1), 'the tree to list batches');

    await quickOpen(workbench, VALID_FILE);
    const lens = activeCodeLens(workbench, CREATE_LENS);
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil(
      async () =>
        (await workbench.page.locator(`${ACTIVE_EDITOR} .codelens-decoration`).allInnerTexts())
          .join(' ')
          .includes('4 requests · /v1/chat/completions · no problems'),
      'the summary lens to say the file is valid',
    );
    await lens.click();

    // The description box is prefilled with the file name; a person types a better one.
    const input = workbench.quickInput();
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil(async () => (await input.inputValue()) === 'nightly-questions', 'the description box prefilled with the file name');
    await workbench.typeInQuickInput(DESCRIPTION);

    const selected = workbench.page.locator(
      '.part.sidebar .pane-body .monaco-list-row.selected, .part.sidebar .pane-body .monaco-list-row.focused',
      {
        has: workbench.page.locator('.label-name', { hasText: DESCRIPTION }),
      },
    );
    await selected.first().waitFor({ state: 'visible', timeout: 30_000 });
    const batches = fake.store.list();
    assert.equal(batches.length, 1, 'one batch was created');
    batchId = batches[0].id;
    assert.equal(batches[0].metadata?.description, DESCRIPTION);
    assert.equal(batches[0].request_counts?.total, 4);

    // The detail panel opens on the new batch.
    await workbench.page.locator('.part.editor .tab.active', { hasText: DESCRIPTION }).waitFor({ state: 'visible', timeout: 30_000 });
    const json = workbench.webviewFrame().locator('pre').first();
    await json.waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil(async () => ((await json.textContent()) ?? '').includes(batchId), 'the batch JSON in the detail panel');

    // Over the whole session: one upload, one create, nothing retried or sent twice.
    assert.equal(fake.count('POST', '/v1/files'), 1, 'one upload');
    assert.equal(fake.count('POST', '/v1/batches'), 1, 'one create');
    await workbench.screenshot('e2e-jsonl-2-created');
  });

  it('once the batch completes, opens its results with each answer joined to its custom_id', async function () {
    assert.ok(batchId, 'the previous test created a batch');
    fake.clock.advance(60 * 60);
    const done = fake.store.get(batchId)!;
    assert.equal(done.status, 'completed', `status after an hour of fake time: ${done.status}`);
    assert.ok(done.output_file_id, 'the completed batch has an output file');

    await workbench.runCommand('OpenAI Batches: Refresh');
    // Groups of finished batches start collapsed: open it as a person would.
    await workbench.clickTreeRow('Completed (1)');
    await workbench.waitForTreeRow(DESCRIPTION);
    await workbench.treeRowContextAction(DESCRIPTION, 'Open Results');

    const frame = workbench.webviewFrame();
    await frame.locator('#title', { hasText: `Results of ${DESCRIPTION}` }).waitFor({ state: 'visible', timeout: 30_000 });
    const rows = frame.locator('#rows tr.row');
    await waitUntil(
      async () => (await rows.count()) === CUSTOM_IDS.length,
      `${CUSTOM_IDS.length} result rows`,
      30_000,
      async () => `rows: ${await rows.count()}`,
    );

    // The panel downloaded the input and output files once each (into its cache) to join them.
    for (const fileId of [done.input_file_id, done.output_file_id])
      assert.equal(fake.count('GET', `/v1/files/${fileId}/content`), 1, `downloads of ${fileId}`);

    const answers = await expectedAnswers(fake, done.output_file_id);
    for (const [i, customId] of CUSTOM_IDS.entries()) {
      const row = rows.nth(i);
      assert.equal((await row.locator('td.id').innerText()).trim(), customId, `row ${i + 1} is the request on line ${i + 1}`);
      assert.equal((await row.locator('td.num').first().innerText()).trim(), String(i + 1), `line of ${customId}`);
      assert.equal((await row.locator('td.answer').innerText()).trim(), answers.get(customId), `answer of ${customId}`);
      assert.match((await row.getAttribute('class')) ?? '', /\bsucceeded\b/, `${customId} succeeded`);
    }
    const status = await frame.locator('#status').innerText();
    assert.match(status, /4 requests · 4 succeeded · 0 failed/, `status: ${status}`);
    await workbench.screenshot('e2e-jsonl-3-results');
  });
});

const ACTIVE_EDITOR = '.part.editor .editor-group-container.active .editor-instance';

function activeCodeLens(workbench: Workbench, title: string) {
  return workbench.page.locator(`${ACTIVE_EDITOR} .codelens-decoration a`, { hasText: title }).first();
}

/** Ctrl+P, the file's name, Enter, as a person opens a file; resolves once its editor tab is active. */
async function quickOpen(workbench: Workbench, name: string): Promise<void> {
  const { page } = workbench;
  const input = workbench.quickInput();
  const focused = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused .label-name');
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Control+P');
      await input.fill(name, { timeout: 5_000 });
      // The file search runs on the server; Enter before it answers would open nothing.
      await waitUntil(
        async () => (await focused.textContent({ timeout: 1_000 }).catch(() => ''))?.trim() === name,
        `Quick Open to offer ${name}`,
        15_000,
      );
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await input.press('Enter');
  await page
    .locator('.part.editor .editor-group-container.active .tab.active', { hasText: name })
    .waitFor({ state: 'visible', timeout: 30_000 });
}

/** The Problems panel's rows (file rows and problem rows), top to bottom. */
async function problemRows(workbench: Workbench): Promise<string[]> {
  return (await workbench.page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map((row) => row.trim());
}

/** custom_id → the assistant's answer, read straight from the fake's output file. */
async function expectedAnswers(fake: FakeApi, fileId: string): Promise<Map<string, string>> {
  const response = await fetch(`${fake.baseUrl}/files/${fileId}/content`, { headers: { authorization: `Bearer ${fake.apiKey}` } });
  assert.equal(response.status, 200, `GET ${fileId} content`);
  const answers = new Map<string, string>();
  for (const line of (await response.text()).split('\n').filter(Boolean)) {
    const result = JSON.parse(line) as { custom_id: string; response: { body: { choices: { message: { content: string } }[] } } };
    answers.set(result.custom_id, result.response.body.choices[0].message.content);
  }
  return answers;
}
