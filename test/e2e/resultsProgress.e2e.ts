import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Batch } from '../../src/core/api/types';
import { writeEmbeddingsBatch } from '../bench/resultsBench';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

/** About 360 MB of output: indexing it takes long enough to be seen under way. */
const REQUESTS = 12_000;
const DESCRIPTION = 'Catalog embeddings at size';

/**
 * Installed in the results page as soon as its shell is there (it downloads the output first, so
 * this is long before any row): records each distinct (status line, rows shown) the page draws.
 */
const RECORD_STATES = `(() => {
  const status = document.getElementById('status');
  if (window.obeTrace) return;
  const trace = (window.obeTrace = []);
  const record = () => {
    const state = { status: (status.textContent || '').trim(), rows: document.querySelectorAll('#rows tr.row').length };
    const last = trace[trace.length - 1];
    if (!last || last.status !== state.status || last.rows !== state.rows) trace.push(state);
  };
  record();
  new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

interface PageState {
  status: string;
  rows: number;
}

/**
 * The results of a large embeddings batch show their first rows while the rest is still being
 * indexed (in the extension's worker thread), with a line saying how far it has got, then all.
 */
describe('results: first rows before indexing ends', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  let dir: string;
  let outputFileId = '';

  before(async function () {
    const now = Math.floor(Date.now() / 1000);
    fake = await startFakeApi({ seed: 'empty', now });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obe-e2e-results-'));
    const paths = { input: path.join(dir, 'input.jsonl'), output: path.join(dir, 'output.jsonl'), error: path.join(dir, 'error.jsonl') };
    const written = await writeEmbeddingsBatch(paths, { requests: REQUESTS, inputLineBytes: 600 });
    const file = (role: keyof typeof paths, purpose: string): string =>
      fake.store.addFile({ filename: `${role}.jsonl`, purpose, content: fs.readFileSync(paths[role]) }).id;
    const batch: Batch = {
      id: 'batch_results_at_size',
      object: 'batch',
      endpoint: '/v1/embeddings',
      errors: null,
      input_file_id: file('input', 'batch'),
      completion_window: '24h',
      status: 'completed',
      output_file_id: file('output', 'batch_output'),
      error_file_id: file('error', 'batch_output'),
      created_at: now - 3600,
      in_progress_at: now - 3500,
      expires_at: now + 80_000,
      finalizing_at: now - 100,
      completed_at: now - 60,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: REQUESTS, completed: written.succeeded, failed: written.failed },
      metadata: { description: DESCRIPTION },
      model: 'text-embedding-3-small',
    };
    fake.store.put(batch);
    outputFileId = batch.output_file_id ?? '';
    fs.rmSync(dir, { recursive: true, force: true });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.autoRefreshSeconds': 0 } });
  });

  closeAfterScenario('resultsProgress', () => ({ workbench, fake }));

  it('shows a page of rows and "N of M indexed" while the output is indexed, then every request', async function () {
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.clickTreeRow(/^Completed \(1\)/);
    await workbench.waitForTreeRow(DESCRIPTION);
    // The output's download starts 5 s late: on a loaded machine the page may take seconds to come
    // up, and the observer below must be in it before indexing (well under a second here) begins.
    fake.addFault({ method: 'GET', path: `/v1/files/${outputFileId}/content`, delayMs: 5_000, times: 1 });
    await workbench.treeRowContextAction(DESCRIPTION, 'Open Results');

    const frame = workbench.webviewFrame();
    const rows = frame.locator('#rows tr.row');
    const status = frame.locator('#status');
    await status.waitFor({ state: 'attached', timeout: 60_000 });
    await status.evaluate(RECORD_STATES);
    let last = '';
    await waitUntil(
      async () => {
        last = (await status.innerText()).trim();
        return /^[\d,]+ requests · /.test(last);
      },
      'indexing to end',
      120_000,
      () => Promise.resolve(`status: ${last}`),
    );
    // Every state the page drew, as its own observer recorded it (polling from here could miss a short one).
    const trace = await status.evaluate<PageState[]>('window.obeTrace');
    // What the page showed when the observer came in: the first state it recorded.
    const before = trace[0]?.status ?? '';
    console.log(
      `      page states: ${trace.length} (observer installed at "${before}"): first ${JSON.stringify(trace.slice(0, 3))}, last ${JSON.stringify(trace.at(-1))}`,
    );
    assert.ok(!/ indexed|requests · /.test(before), `the observer came too late: "${before}"`);
    const during = trace.find((state) => state.rows > 0 && / of [\d,]+ indexed$/.test(state.status));
    assert.ok(during, `no rows were shown while indexing (states: ${JSON.stringify(trace)})`);
    const [indexed, expected] = during.status.split(' of ').map((part) => Number(part.replace(/[^\d]/g, '')));
    assert.ok(indexed > 0 && indexed < REQUESTS, `while indexing: ${during.status}`);
    assert.equal(expected, REQUESTS, `the batch's own count: ${during.status}`);
    await workbench.screenshot('e2e-results-progress');
    assert.match(last, new RegExp(`^${REQUESTS.toLocaleString('en-US')} requests · `));
    assert.equal(await rows.count(), 200);
    assert.equal((await rows.first().locator('td.id').innerText()).trim(), 'request-000000');
  });
});
