import * as assert from 'assert';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { delay } from '../harness/codeServer';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

const DAY = 86_400;

/**
 * The Files view as a person uses it: files expiring soon are marked, an unused file is deleted
 * through the modal confirmation, a file an in-progress batch uses is refused, and old unused
 * files are deleted in bulk after a preview.
 */
describe('files: the Files view, expiry marks, delete and its refusal', function () {
  let fake: FakeApi;
  let workbench: Workbench;

  async function confirmModal(button: string, expectText: RegExp, screenshot?: string): Promise<string> {
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    assert.match(text, expectText);
    if (screenshot) await workbench.screenshot(screenshot);
    await dialog.locator('.monaco-button', { hasText: button }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
    return text;
  }

  async function description(label: string): Promise<string> {
    return (await workbench.treeRow(label).locator('.label-description').innerText()).trim();
  }

  before(async function () {
    // The fake's clock at the real time, since ages and expiry are shown relative to it.
    const now = Math.floor(Date.now() / 1000);
    fake = await startFakeApi({ seed: 'demo', now });
    fake.store.addFile({ id: 'file-unused-e2e', filename: 'unused-notes.jsonl', purpose: 'batch', content: '{}\n', createdAt: now - 3600 });
    fake.store.addFile({
      id: 'file-soon-e2e',
      filename: 'expiring-soon.jsonl',
      purpose: 'batch',
      content: '{}\n',
      createdAt: now - 600,
      expiresAt: now + 2 * DAY + 3600,
    });
    const request = JSON.stringify({
      custom_id: 'q-1',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] },
    });
    fake.store.addFile({
      id: 'file-upload-e2e',
      filename: 'uploaded-earlier.jsonl',
      purpose: 'batch',
      content: `${request}\n`,
      createdAt: now - 300,
    });
    for (const name of ['old-a', 'old-b', 'old-c']) {
      fake.store.addFile({ id: `file-${name}`, filename: `${name}.jsonl`, purpose: 'batch', content: '{}\n', createdAt: now - 40 * DAY });
    }
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.pageSize': 20, 'openaiBatches.autoRefreshSeconds': 0 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
    // The Files view starts collapsed under the Batches view: open it, and collapse Batches to give it room.
    const header = (title: string) =>
      workbench.page.locator('.part.sidebar .pane-header', { hasText: new RegExp(`^\\s*${title}`) }).first();
    await header('Batches').click();
    await header('Files').click();
  });

  closeAfterScenario('files', () => ({ workbench, fake }));

  it('lists the files with size, age and expiry; a file expiring soon is marked', async function () {
    await workbench.waitForTreeRow('expiring-soon.jsonl', 60_000);
    assert.match(await description('expiring-soon.jsonl'), /· expires in 2 days · not used by any loaded batch$/);
    assert.equal(await workbench.treeRow('expiring-soon.jsonl').locator('.codicon-clock').count(), 1, 'marked with a clock');
    assert.match(await description('unused-notes.jsonl'), /^3 B · (1 hour|60 minutes) ago · not used by any loaded batch$/);
    assert.equal(await workbench.treeRow('unused-notes.jsonl').locator('.codicon-clock').count(), 0);
    const listed = fake.requests.filter((r) => r.method === 'GET' && r.path === '/v1/files').map((r) => r.query.purpose);
    assert.deepEqual([...new Set(listed)].sort(), ['batch', 'batch_output']);
    await delay(500);
    await workbench.screenshot('e2e-files-1-view');
  });

  it('deletes an unused file after the modal confirmation; it leaves the view', async function () {
    await workbench.treeRowContextAction('unused-notes.jsonl', 'Delete File…');
    await confirmModal(
      'Delete File',
      /Delete file "unused-notes\.jsonl"\?.*file-unused-e2e.*Not used by any loaded batch/,
      'e2e-files-2-confirm',
    );
    await waitUntil(
      async () => !(await workbench.treeRows()).includes('unused-notes.jsonl'),
      'the deleted file to leave the view',
      30_000,
      async () => JSON.stringify(await workbench.treeRows()),
    );
    assert.equal(fake.count('DELETE', '/v1/files/file-unused-e2e'), 1);
  });

  it('refuses to delete the input file of an in-progress batch, and names the batch', async function () {
    const batch = fake.store.list().find((b) => b.metadata?.description === 'Classify Q3 support tickets')!;
    assert.equal(batch.status, 'in_progress');
    const input = fake.requests.length; // requests so far
    await workbench.treeRowContextAction('classify-q3-support-tickets.jsonl', 'Delete File…');
    const message = await workbench.waitForNotification(/is still in use/);
    assert.match(message, /"classify-q3-support-tickets\.jsonl" is still in use: input of "Classify Q3 support tickets" \(in progress\)/);
    assert.equal(fake.count('DELETE', `/v1/files/${batch.input_file_id}`), 0, 'no DELETE sent');
    assert.ok(
      fake.requests.slice(input).some((r) => r.method === 'GET' && r.path === `/v1/batches/${batch.id}`),
      'the batch was fetched again before refusing',
    );
    assert.equal(await workbench.page.locator('.monaco-dialog-box').count(), 0, 'no confirmation was offered');
    await delay(800);
    await workbench.screenshot('e2e-files-3-refused');
    await workbench.runCommand('Notifications: Clear All Notifications');
  });

  it('creates a batch from an uploaded input file without uploading it again', async function () {
    await workbench.treeRowContextAction('uploaded-earlier.jsonl', 'Create Batch from Uploaded File…');
    const input = workbench.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    assert.equal(await input.inputValue(), 'uploaded-earlier');
    await input.press('Enter');
    await waitUntil(() => Promise.resolve(fake.count('POST', '/v1/batches') === 1), 'the batch to be created', 30_000);
    const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/batches')!;
    assert.deepEqual(create.body, {
      input_file_id: 'file-upload-e2e',
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { description: 'uploaded-earlier' },
    });
    assert.equal(fake.count('POST', '/v1/files'), 0, 'nothing uploaded');
    // The new batch uses the file, and the view says so.
    await waitUntil(async () => !/not used/.test(await description('uploaded-earlier.jsonl')), 'the file to show it is used', 30_000);
    await workbench.screenshot('e2e-files-4-created');
  });

  it('bulk-deletes the unused files older than 30 days after a preview', async function () {
    await workbench.runCommand('OpenAI Batches: Delete Old Unused Files…');
    const input = workbench.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    assert.equal(await input.inputValue(), '30');
    await input.press('Enter');
    const text = await confirmModal('Delete', /Delete \d+ files? not used by any active batch, older than 30 days\?/, 'e2e-files-5-bulk');
    const count = Number(/Delete (\d+) files?/.exec(text)![1]);
    assert.match(text, /old-a\.jsonl/);
    await waitUntil(
      () => Promise.resolve(fake.count('DELETE', /^\/v1\/files\//) === count + 1),
      `${count} more DELETE requests`,
      60_000,
      () => Promise.resolve(`DELETEs: ${fake.count('DELETE', /^\/v1\/files\//)}`),
    );
    for (const name of ['old-a', 'old-b', 'old-c']) assert.equal(fake.count('DELETE', `/v1/files/file-${name}`), 1, name);
    const active = fake.store.list().filter((b) => ['validating', 'in_progress', 'finalizing', 'cancelling'].includes(String(b.status)));
    for (const batch of active) {
      for (const id of [batch.input_file_id, batch.output_file_id, batch.error_file_id]) {
        if (id) assert.equal(fake.count('DELETE', `/v1/files/${id}`), 0, `file ${id} of active batch ${batch.id} kept`);
      }
    }
    await waitUntil(async () => !(await workbench.treeRows()).includes('old-a.jsonl'), 'old-a.jsonl to leave the view', 30_000);
    assert.ok((await workbench.treeRows()).includes('classify-q3-support-tickets.jsonl'), 'the in-use input file stays');
    await workbench.screenshot('e2e-files-6-after-bulk');
  });
});
