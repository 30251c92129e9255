import * as assert from 'assert';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { openWorkbench, waitUntil, Workbench, closeAfterScenario, setApiKeyFromPalette } from './workbench';

/**
 * The three jobs, as a person does them: browse batches in the sidebar (groups, load more),
 * read a batch's details, copy an output file id from the palette.
 */
describe('core: browse, load more, details, copy', function () {
  let fake: FakeApi;
  let workbench: Workbench;

  before(async function () {
    fake = await startFakeApi({ seed: 'demo' });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.pageSize': 20, 'openaiBatches.autoRefreshSeconds': 0 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
  });

  closeAfterScenario('core', () => ({ workbench, fake }));

  it('shows status groups with counts, active ones first, and a Load more node', async function () {
    const rows = await workbench.treeRows();
    const groups = rows.filter((row) => /^[A-Z][a-z ]+ \(\d+\)$/.test(row));
    assert.ok(groups.length >= 3, `groups: ${JSON.stringify(rows)}`);
    const order = ['Validating', 'In progress', 'Finalizing', 'Cancelling', 'Completed', 'Failed', 'Expired', 'Cancelled'];
    const positions = groups.map((g) => order.indexOf(g.replace(/ \(\d+\)$/, ''))).filter((i) => i >= 0);
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      `group order: ${groups.join(', ')}`,
    );
    assert.ok(rows.includes('Load more…'), `rows: ${JSON.stringify(rows)}`);
    assert.equal(fake.count('GET', '/v1/batches'), 1, 'opening the view cost one list request');
    await workbench.screenshot('e2e-core-1-groups');
  });

  it('loads one page per click until has_more is false, then the node disappears', async function () {
    const total = fake.store.list().length;
    let clicks = 0;
    while ((await workbench.treeRows()).includes('Load more…')) {
      const before = fake.count('GET', '/v1/batches');
      await workbench.clickTreeRow('Load more…');
      clicks++;
      // The rows must show the new page too: until they do, the old "Load more…" row is still on screen.
      const shown = Math.min(total, 20 * (clicks + 1));
      await waitUntil(
        async () =>
          fake.count('GET', '/v1/batches') === before + 1 &&
          !(await workbench.treeRows()).includes('Loading more…') &&
          countedInGroups(await workbench.treeRows()) === shown,
        'the next page',
      );
      assert.ok(clicks <= Math.ceil(total / 20), 'more clicks than pages');
    }
    assert.equal(clicks, Math.ceil(total / 20) - 1);
    assert.equal(countedInGroups(await workbench.treeRows()), total, 'group counts add up to every batch');
    await workbench.screenshot('e2e-core-2-all-loaded');
  });

  it('opens a batch and shows its counts and JSON in the detail panel', async function () {
    const batch = fake.store.list().find((b) => b.status === 'completed' && b.output_file_id && !b.metadata)!;
    await workbench.pickFromCommand('OpenAI Batches: Open Batch Details…', batch.id);
    const frame = workbench.webviewFrame();
    const json = frame.locator('pre');
    await json.first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil(async () => ((await json.first().textContent()) ?? '').includes(batch.id), 'the batch JSON');
    const text = (await frame.locator('body').innerText()).replace(/\s+/g, ' ');
    const counts = batch.request_counts!;
    assert.ok(text.includes(String(counts.total)), `total ${counts.total} not shown`);
    assert.ok(text.includes(String(counts.completed)), `completed ${counts.completed} not shown`);
    assert.ok(text.includes(batch.output_file_id!), 'output file id shown');
    await workbench.screenshot('e2e-core-3-details');
  });

  it('copies an output file id from the palette quick pick to the clipboard', async function () {
    const batch = fake.store.list().find((b) => b.output_file_id)!;
    await workbench.pickFromCommand('OpenAI Batches: Copy Output File ID', batch.id);
    await workbench.waitForClipboard(batch.output_file_id!);
    await workbench.screenshot('e2e-core-4-copied');
  });

  it('after the workbench is reopened, paints the cached tree before any list response, then reconciles', async function () {
    const total = fake.store.list().length;
    // The cache is written shortly after the last change (debounced); give it that moment.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    fake.clearRequests();
    // Hold the reconciling list request, so a paint that waited for it could not happen in time.
    fake.addFault({ method: 'GET', path: '/v1/batches', delayMs: 8_000, times: 1 });
    // Reopening the workbench (a browser reload): a new window, a new extension host session.
    await workbench.page.goto(workbench.page.url());
    await workbench.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    await workbench.openView();
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
    const answered = fake.requests.filter((r) => r.path === '/v1/batches' && r.status !== 0).length;
    assert.equal(answered, 0, 'the tree was painted before any list response');
    const sidebar = workbench.page.locator('.part.sidebar');
    await waitUntil(async () => (await sidebar.innerText()).includes('Cached from'), 'the "Cached from" line above the tree');
    const counted = (await workbench.treeRows())
      .map((row) => /\((\d+)\)$/.exec(row))
      .filter((m): m is RegExpExecArray => !!m)
      .reduce((sum, m) => sum + Number(m[1]), 0);
    assert.equal(counted, total, 'every cached batch is painted, not only the first page');
    await workbench.screenshot('e2e-core-5-cached-after-reload');
    await waitUntil(async () => !(await sidebar.innerText()).includes('Cached from'), 'reconciliation', 30_000);
    assert.equal(fake.count('GET', '/v1/batches'), 1, 'reconciling cost one list request');
  });
});

/** The batches the status groups say they hold: the sum of the `(N)` ending their rows. */
function countedInGroups(rows: readonly string[]): number {
  return rows
    .map((row) => /\((\d+)\)$/.exec(row))
    .filter((m): m is RegExpExecArray => !!m)
    .reduce((sum, m) => sum + Number(m[1]), 0);
}
