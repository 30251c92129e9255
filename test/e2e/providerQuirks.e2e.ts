import * as assert from 'assert';
import { batchLabel, humanizeStatus } from '../../src/core/batches/batchDisplay';
import type { Batch } from '../../src/core/api/types';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

const DAY = 86_400;
/** What must never reach the screen from a timestamp a provider sent. */
const BROKEN_TIME = /1970|NaN|Invalid Date|undefined/;

/**
 * A provider that answers unlike OpenAI in every way SPEC.md lists (the fake with all quirks on):
 * statuses in other cases, ISO-8601 times, no `has_more`, `endpoint: null`, `request_counts: null`,
 * 200-character base64 ids, Azure's empty error file. Browsed, opened and read as a person does.
 */
describe('provider quirks: tree, details and results of a provider that answers unlike OpenAI', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  /** A completed batch where nothing failed: it has Azure's empty error file, and no counts. */
  let clean: Batch;
  /** A completed batch whose output file expired an hour ago. */
  let expired: Batch;
  const now = Math.floor(Date.now() / 1000);

  before(async function () {
    fake = await startFakeApi({ seed: { generated: 24 }, quirks: 'all', now });
    const completed = fake.store.list().filter((b) => b.status === 'completed' && b.output_file_id && !b.request_counts?.failed);
    assert.ok(completed.length >= 2, 'the seed has two completed batches without failures');
    // One without metadata, so that the tree labels it by its (shortened) id.
    clean = completed.find((b) => !b.metadata) ?? completed[0];
    expired = completed.find((b) => b !== clean)!;
    // Give the clean batch's input file an expiry, and make the other batch's output file expire an hour ago.
    await refile(fake, clean.input_file_id!, 'batch', now + 29 * DAY);
    await refile(fake, expired.output_file_id!, 'batch_output', now - 3600);
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.pageSize': 20, 'openaiBatches.autoRefreshSeconds': 0 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
  });

  closeAfterScenario('quirks', () => ({ workbench, fake }));

  it('groups statuses however they are spelled, with the right counts, all loaded without has_more', async function () {
    const expected = new Map<string, number>();
    for (const batch of fake.store.list())
      expected.set(humanizeStatus(batch.status!), (expected.get(humanizeStatus(batch.status!)) ?? 0) + 1);
    const rows = await workbench.treeRows();
    const groups = rows.filter((row) => /^.+ \(\d+\)$/.test(row));
    assert.deepEqual(
      new Map(groups.map((row) => [row.replace(/ \(\d+\)$/, ''), Number(/\((\d+)\)$/.exec(row)![1])])),
      expected,
      `groups: ${groups.join(', ')}`,
    );
    // Every batch came on the first page, without has_more: more than asked for, so more may follow.
    assert.ok(rows.includes('Load more…'), 'a full page without has_more may have more');
    assert.equal(fake.count('GET', '/v1/batches'), 1, 'one list request');
    await workbench.clickTreeRow('Load more…');
    await waitUntil(async () => !(await workbench.treeRows()).includes('Load more…'), 'the empty page to end the list');
    assert.equal(fake.count('GET', '/v1/batches'), 2, 'one more list request, an empty page');
    for (const row of rows) assert.doesNotMatch(row, /IN_PROGRESS|In Progress|NaN|1970/, row);
    await workbench.screenshot('e2e-quirks-1-groups');
  });

  it("shortens long ids in the tree and shows Azure's empty error file as no failure", async function () {
    const group = await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
    await workbench.clickTreeRow(group);
    const label = batchLabel(clean);
    assert.ok(clean.id.length > 200 && label.length <= 60, `label: ${label}`);
    await workbench.waitForTreeRow(label);
    // Without request counts, the error file's size decides: looked up once, 0 bytes, no warning.
    await waitUntil(
      () =>
        Promise.resolve(fake.requests.some((r) => r.status === 200 && decodeURIComponent(r.path) === `/v1/files/${clean.error_file_id}`)),
      'the size of the error file to be looked up',
    );
    const row = workbench.treeRow(label);
    await row.locator('.codicon-pass').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await row.locator('.codicon-warning').count(), 0, 'no warning for an empty error file');
    await workbench.screenshot('e2e-quirks-2-completed');
  });

  it('opens the detail panel with sane times and the input file’s expiry', async function () {
    await workbench.pickFromCommand('OpenAI Batches: Open Batch Details…', clean.id);
    const frame = workbench.webviewFrame();
    const json = frame.locator('pre').first();
    await json.waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil(async () => ((await json.textContent()) ?? '').includes(clean.id), 'the batch JSON');
    const body = frame.locator('body');
    await waitUntil(async () => (await body.innerText()).includes('Expires '), 'the input file expiry (from GET /files)');
    const text = (await body.innerText()).replace(/\s+/g, ' ');
    const visible = text.slice(0, text.indexOf('Batch JSON'));
    assert.doesNotMatch(visible, BROKEN_TIME, visible);
    assert.match(visible, /Created ?20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC \((\d+ (minutes?|hours?|days?) ago|just now)\)/, visible);
    assert.match(visible, /Completed ?\d{4}-/, 'the completion time is read from an ISO-8601 string');
    assert.ok(!visible.includes('with failures'), 'the empty error file is not a failure');
    assert.match(visible, /Request counts were not reported/);
    assert.match(visible, /Expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 4 weeks\)/, 'the input file expires in 29 days');
    await workbench.screenshot('e2e-quirks-3-details');
    await frame.locator('h2', { hasText: 'Files' }).evaluate((heading: { scrollIntoView(): void }) => heading.scrollIntoView());
    await workbench.screenshot('e2e-quirks-3-details-files');
  });

  it('says when an expired output file expired, instead of a bare 404', async function () {
    const downloads = fake.count('GET', /\/content$/);
    await workbench.pickFromCommand('OpenAI Batches: Open Output File', expired.id);
    const message = await workbench.waitForNotification(/expired 1 hour ago/);
    assert.match(message, /\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/);
    assert.equal(fake.count('GET', /\/content$/), downloads, 'no download was tried');
    await workbench.screenshot('e2e-quirks-4-expired');
  });

  it('opens the results of a batch with a long id, no endpoint and no counts', async function () {
    await workbench.pickFromCommand('OpenAI Batches: Open Results', clean.id);
    const frame = workbench.webviewFrame();
    const rows = frame.locator('#rows tr.row');
    await waitUntil(
      async () => (await rows.count()) > 0,
      'result rows',
      30_000,
      async () => `rows: ${await rows.count()}`,
    );
    const first = (await rows.first().innerText()).replace(/\s+/g, ' ');
    assert.match(first, /request-1/, `first row: ${first}`);
    await workbench.screenshot('e2e-quirks-5-results');
  });
});

/** Replaces a batch's derived file by a copy with an expiry (its content fetched first, while it is still there). */
async function refile(fake: FakeApi, fileId: string, purpose: string, expiresAt: number): Promise<void> {
  const response = await fetch(`${fake.baseUrl}/files/${encodeURIComponent(fileId)}/content`, {
    headers: { Authorization: `Bearer ${fake.apiKey}` },
  });
  assert.equal(response.status, 200);
  const content = await response.text();
  fake.store.addFile({ id: fileId, filename: `${purpose}.jsonl`, purpose, content, expiresAt });
}
