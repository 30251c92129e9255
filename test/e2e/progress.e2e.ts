import * as assert from 'assert';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

const LABEL = 'Product catalog embeddings (fr-FR)';
const ETA = /(<1 min|~\d+ min|~\d+ h( \d+ min)?|~\d+ days) left$/;

/**
 * A running batch's rate and ETA, as a person sees them: auto-refresh polls while the fake API's
 * clock moves the batch on, the tree row's description gains "~N min left" once two polls saw
 * progress, and the detail view draws the counts over time.
 */
describe('progress: rate and ETA of a running batch', function () {
  let fake: FakeApi;
  let workbench: Workbench;

  const description = (): Promise<string> =>
    workbench
      .treeRow(LABEL)
      .locator('.label-description')
      .innerText({ timeout: 5_000 })
      .then((text) => text.trim())
      .catch(() => '');

  before(async function () {
    fake = await startFakeApi({ seed: 'demo' });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.pageSize': 20, 'openaiBatches.autoRefreshSeconds': 2 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(LABEL);
    // A wider side bar, so the screenshot shows the whole description.
    const sidebar = await workbench.page.locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const edge = sidebar.x + sidebar.width;
      await workbench.page.mouse.move(edge + 1, 450);
      await workbench.page.mouse.down();
      await workbench.page.mouse.move(edge + 520, 450, { steps: 10 });
      await workbench.page.mouse.up();
    }
  });

  closeAfterScenario('progress', () => ({ workbench, fake }));

  it('shows "done/total · ~N min left" in the tree once two polls saw progress', async function () {
    const total = fake.store.list().find((b) => b.metadata?.description === LABEL)!.request_counts!.total;
    const first = await description();
    assert.match(first, new RegExp(`· [\\d,]+/${total.toLocaleString('en-US')}$`), `before any progress: ${first}`);
    // Each second of fake time runs about 27 requests of this 8,000-request batch; polls come every 2 s.
    let seen = first;
    for (let step = 0; step < 6 && !ETA.test(seen); step++) {
      fake.clock.advance(1);
      const before = seen;
      await waitUntil(async () => (seen = await description()) !== before, `a poll to show new counts (was "${before}")`, 30_000);
    }
    assert.match(seen, new RegExp(`^/v1/embeddings · .+ · [\\d,]+/${total.toLocaleString('en-US')} · `), seen);
    assert.match(seen, ETA);
    console.log(`      tree description: ${seen}`);
    // One more step, so the detail chart has a few points.
    fake.clock.advance(1);
    await waitUntil(async () => (await description()) !== seen, 'one more poll', 30_000);
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.screenshot('e2e-progress-1-tree-eta');
  });

  it('draws the progress over time in the detail view, with the estimate in words', async function () {
    await workbench.clickTreeRow(LABEL);
    const frame = workbench.webviewFrame();
    const headline = frame.locator('.progress-headline');
    await headline.waitFor({ timeout: 30_000 });
    await waitUntil(async () => ETA.test((await headline.innerText()).trim()), 'the detail headline to give the time left', 30_000);
    const sentence = (await frame.locator('.progress-sentence').innerText()).trim();
    assert.match(
      sentence,
      /^(About .+ left|It should finish any moment now), at [\d,.]+ requests?\/min over the last .+ \(\d+ refreshes\)\./,
    );
    const chart = frame.locator('svg.progress-chart');
    await chart.waitFor({ timeout: 10_000 });
    assert.ok((await chart.locator('circle.done-point').count()) >= 2, 'at least two points drawn');
    assert.equal(await chart.locator('line.projection').count(), 1, 'the dashed projection to the end');
    assert.match((await chart.getAttribute('aria-label')) ?? '', /^Requests finished over .+: from [\d,]+ to [\d,]+ of 8,000$/);
    // The panel redraws on every refresh, so the heading can be replaced while it is scrolled to: try again.
    const heading = frame.locator('h2', { hasText: 'Progress' });
    await waitUntil(
      () =>
        heading.scrollIntoViewIfNeeded({ timeout: 5_000 }).then(
          () => true,
          () => false,
        ),
      'the Progress heading to scroll into view',
    );
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.screenshot('e2e-progress-2-detail-chart');
  });
});
