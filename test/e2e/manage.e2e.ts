import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Batch } from '../../src/core/api/types';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { delay } from '../harness/codeServer';
import { openWorkbench, waitUntil, Workbench, closeAfterScenario, setApiKeyFromPalette } from './workbench';

const MB = 1024 * 1024;

/**
 * Managing batches as a person does: cancel from the context menu through the modal
 * confirmation, get notified when a batch finishes and copy its output file id from the
 * notification, filter the view, open an output file, and download a large one with a
 * progress notification (cancelled once, then completed).
 */
describe('manage: cancel, notify, filter, open and download result files', function () {
  let fake: FakeApi;
  let workbench: Workbench;

  const byDescription = (description: string): Batch => fake.store.list().find((b) => b.metadata?.description === description)!;

  /** Indexes of visible tree rows, so a test can say "this row sits under that group". */
  async function groupOf(label: string): Promise<string | undefined> {
    const rows = await workbench.treeRows();
    const at = rows.indexOf(label);
    for (let i = at - 1; i >= 0; i--) if (/^[A-Z][a-z ]+ \(\d+\)$/.test(rows[i])) return rows[i];
    return undefined;
  }

  function notification(match: RegExp) {
    return workbench.page
      .locator('.notifications-toasts .notification-list-item', {
        has: workbench.page.locator('.notification-list-item-message', { hasText: match }),
      })
      .first();
  }

  async function confirmModal(
    button: string,
    expectText: RegExp,
    opts: { screenshot?: string; beforeClick?: () => void } = {},
  ): Promise<void> {
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await dialog.innerText();
    assert.match(text.replace(/\s+/g, ' '), expectText);
    if (opts.screenshot) await workbench.screenshot(opts.screenshot);
    opts.beforeClick?.();
    await dialog.locator('.monaco-button', { hasText: button }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
  }

  before(async function () {
    fake = await startFakeApi({ seed: 'demo' });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.pageSize': 20, 'openaiBatches.autoRefreshSeconds': 2 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
    // A wider side bar, so screenshots show whole labels and the view's description.
    const sidebar = await workbench.page.locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const edge = sidebar.x + sidebar.width;
      await workbench.page.mouse.move(edge + 1, 450);
      await workbench.page.mouse.down();
      await workbench.page.mouse.move(edge + 300, 450, { steps: 10 });
      await workbench.page.mouse.up();
    }
  });

  closeAfterScenario('manage', () => ({ workbench, fake }));

  it('cancels from the context menu after a modal confirmation; the node moves to Cancelling at once', async function () {
    const label = 'Classify Q3 support tickets';
    const batch = byDescription(label);
    assert.equal(batch.status, 'in_progress');
    await workbench.treeRowContextAction(label, 'Cancel Batch…');
    await confirmModal('Cancel Batch', new RegExp(`Cancel batch "${label}"\\?.*${batch.id} is in progress`), {
      screenshot: 'e2e-manage-1-cancel-confirm',
    });
    await waitUntil(
      async () => (await groupOf(label))?.startsWith('Cancelling') === true,
      `"${label}" under Cancelling`,
      30_000,
      async () => JSON.stringify(await workbench.treeRows()),
    );
    assert.equal(fake.count('POST', `/v1/batches/${batch.id}/cancel`), 1);
    assert.equal(fake.store.get(batch.id)?.status, 'cancelling');
    await workbench.screenshot('e2e-manage-2-cancelling');
    // A modal dialog opened while a toast is up hides later toasts (code-server 4.139): let the
    // "Cancelling…" progress toast go before the next test opens another confirmation.
    await notification(/^Cancelling batch_/).waitFor({ state: 'hidden', timeout: 30_000 });
  });

  it("shows the API's message when the batch finished meanwhile (409), and the tree catches up", async function () {
    const label = 'Summaries for the weekly digest';
    const batch = byDescription(label);
    assert.equal(batch.status, 'finalizing');
    await workbench.treeRowContextAction(label, 'Cancel Batch…');
    // It finishes on the server while the user reads the confirmation (auto-refresh may or may not see it first).
    await confirmModal('Cancel Batch', new RegExp(`Cancel batch "${label}"`), {
      beforeClick: () => fake.store.put({ ...batch, status: 'completed', completed_at: fake.clock.now() }),
    });
    await workbench.waitForNotification(/Cannot cancel a batch with status 'completed'\./);
    await waitUntil(
      async () => !(await workbench.treeRows()).some((row) => row.startsWith('Finalizing')),
      'the Finalizing group to go',
      30_000,
    );
  });

  it('notifies when a batch seen active finishes; "Copy Output File ID" copies it; the status bar counts active batches', async function () {
    await workbench.runCommand('Notifications: Clear All Notifications');
    const statusItem = workbench.page.locator('.part.statusbar .statusbar-item', { hasText: /\d+ active batch/ });
    const before = (await statusItem.innerText({ timeout: 30_000 })).trim();
    const label = 'Smoke test (5 requests)';
    const batch = byDescription(label);
    assert.equal(batch.status, 'in_progress');
    // 4 remaining requests at 2/s, then 2 s of finalizing; the cancelling batches become cancelled.
    fake.clock.advance(30);
    const done = fake.store.get(batch.id)!;
    assert.equal(done.status, 'completed');
    const message = await workbench.waitForNotification(new RegExp(`Batch "${label.replace(/[()]/g, '\\$&')}" completed`), 60_000);
    assert.match(message, /\(5\/5 requests\)/);
    const toast = notification(/Smoke test/);
    const buttons = await toast.locator('.monaco-button').allInnerTexts();
    assert.deepEqual(
      buttons.map((b) => b.trim()),
      ['Open Details', 'Copy Output File ID', 'Open Output'],
    );
    const after = (await statusItem.innerText()).trim();
    console.log(`      status bar: "${before}" → "${after}"`);
    assert.notEqual(after, before);
    await delay(1000); // toasts fade in
    await workbench.screenshot('e2e-manage-3-notification');
    await toast.locator('.monaco-button', { hasText: 'Copy Output File ID' }).click();
    await workbench.waitForClipboard(done.output_file_id!);
    // Batches already finished when first seen are not news: only the three that were watched finishing.
    const messages = await workbench.notifications();
    console.log(`      notifications: ${JSON.stringify(messages)}`);
    assert.ok(
      messages.every((m) => /Smoke test|cancelled/.test(m)),
      `only watched batches: ${JSON.stringify(messages)}`,
    );
    // "Open Details" from a notification: the panel shows the output file's name and size (GET /files/{id}).
    const cancelled = fake.store.get(byDescription('Classify Q3 support tickets').id)!;
    assert.equal(cancelled.status, 'cancelled');
    await notification(/Classify Q3 support tickets/)
      .locator('.monaco-button', { hasText: 'Open Details' })
      .click();
    const frame = workbench.webviewFrame();
    const fileLine = frame.locator('table.files .muted.data', { hasText: `${cancelled.id}_output.jsonl` });
    await fileLine.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await fileLine.innerText(), new RegExp(`^${cancelled.id}_output\\.jsonl · [\\d.]+ (B|KB|MB)$`));
    assert.equal(fake.count('GET', `/v1/files/${cancelled.output_file_id}`), 1);
    await workbench.runCommand('Notifications: Clear All Notifications');
    await fileLine.evaluate((element: { scrollIntoView(options: { block: string }): void }) => element.scrollIntoView({ block: 'center' }));
    await workbench.screenshot('e2e-manage-3b-details-file-metadata');
  });

  it('the status-bar count reveals the view when clicked', async function () {
    await workbench.runCommand('View: Show Explorer');
    await waitUntil(
      async () => !(await workbench.treeRows()).some((row) => /^In progress \(\d+\)$/.test(row)),
      'the Explorer to replace the view',
    );
    await workbench.page.locator('.part.statusbar .statusbar-item', { hasText: /\d+ active batch/ }).click();
    await workbench.waitForTreeRow(/^In progress \(\d+\)$/);
  });

  it('filters by status from the palette; the view says so; Clear Filter restores it', async function () {
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.runCommand('OpenAI Batches: Filter Batches…');
    const row = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: /^Failed/ }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.locator('.quick-input-list-checkbox, input[type="checkbox"], .monaco-checkbox').first().click();
    await workbench.quickInput().press('Enter');
    // Step 2: the text filter, left empty.
    await waitUntil(
      async () =>
        (
          (await workbench.page
            .locator('.quick-input-widget .quick-input-title')
            .innerText()
            .catch(() => '')) ?? ''
        ).includes('2/2'),
      'the text step',
    );
    await workbench.quickInput().press('Enter');
    await waitUntil(
      async () => {
        const rows = await workbench.treeRows();
        return rows.length === 2 && /^Failed \(\d+\)$/.test(rows[0]) && rows[1] === 'Load more…';
      },
      'the tree to show only failed batches',
      30_000,
      async () => JSON.stringify(await workbench.treeRows()),
    );
    // The view's message (above the tree): its description sits in a header VS Code hides while the view is alone in its container.
    const message = workbench.page.locator('.part.sidebar .pane-body .message', {
      hasText: /^Filtered: status: failed — \d+ of \d+ loaded batches$/,
    });
    await message.waitFor({ state: 'visible', timeout: 10_000 });
    const box = await message.boundingBox();
    assert.ok(box && box.width > 0 && box.height > 0, 'the filter line is on screen');
    await workbench.page.locator('.part.sidebar .pane-body').first().hover();
    await workbench.screenshot('e2e-manage-4-filter');
    const clear = workbench.page.locator('.part.sidebar .action-label[aria-label^="Clear Filter"]').first();
    await clear.click();
    await waitUntil(async () => (await workbench.treeRows()).some((r) => /^Completed \(\d+\)$/.test(r)), 'the unfiltered tree', 30_000);
    await message.waitFor({ state: 'hidden', timeout: 10_000 });
  });

  it('downloads with a progress notification: Cancel leaves nothing, a full 300 MB download is complete and renamed into place', async function () {
    this.timeout(300_000);
    const batch = byDescription('Translate help center to German');
    const target = path.join(workbench.workspaceFolder, 'big-output.jsonl');
    /** Attaches a generated output file to the batch on the server, refreshes, and saves it through the save dialog. */
    const startDownload = async (bytes: number): Promise<string> => {
      const file = fake.store.addFile({ filename: 'big_output.jsonl', purpose: 'batch_output', generatedBytes: bytes });
      fake.store.put({ ...fake.store.get(batch.id)!, output_file_id: file.id });
      const lists = fake.count('GET', '/v1/batches');
      await workbench.runCommand('OpenAI Batches: Refresh');
      await waitUntil(
        () => Promise.resolve(fake.requests.filter((r) => r.path === '/v1/batches' && r.status === 200).length > lists),
        'the refresh',
      );
      await delay(500); // the response reaches the store
      // Right after the previous download's notification closed, the quick pick can be closed again at once.
      await workbench.openQuickPickOf('OpenAI Batches: Download Output File…');
      const row = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: file.id });
      await workbench.quickInput().fill(batch.id);
      await row.first().waitFor({ state: 'visible', timeout: 30_000 });
      await workbench.quickInput().press('Enter');
      await workbench.answerSaveDialog(target);
      return file.id;
    };

    // 1. A 2 GiB file (slow enough to watch), cancelled from the progress notification.
    const first = await startDownload(2048 * MB);
    const progress = notification(new RegExp(`Downloading ${first}`));
    await progress.waitFor({ state: 'visible', timeout: 60_000 });
    await waitUntil(async () => /MB of 2\.0 GB/.test(await progress.innerText()), 'bytes in the progress notification', 60_000);
    await workbench.screenshot('e2e-manage-5-download-progress');
    console.log(`      progress: ${(await progress.locator('.notification-list-item-message').innerText()).trim()}`);
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await progress.waitFor({ state: 'hidden', timeout: 30_000 });
    await waitUntil(
      () => Promise.resolve(!fs.readdirSync(workbench.workspaceFolder).some((f) => f.startsWith('big-output'))),
      'the partial file to be removed',
      30_000,
    );

    // 2. 300 MB, to the end.
    const second = await startDownload(300 * MB);
    const saved = await workbench.waitForNotification(new RegExp(`^Saved ${second}`), 240_000);
    assert.match(saved, /\(300 MB\)/);
    assert.equal(fs.statSync(target).size, 300 * MB);
    assert.deepEqual(
      fs.readdirSync(workbench.workspaceFolder).filter((f) => f.startsWith('big-output')),
      ['big-output.jsonl'],
      'no .part file left',
    );
    await workbench.screenshot('e2e-manage-6-download-saved');
    fs.rmSync(target, { force: true });
  });

  it('opens an output file from the palette in an editor tab; one over openaiBatches.maxOpenFileMB is offered "Save As…" instead', async function () {
    // The 300 MB file the previous test attached: too large for an editor (default limit 50 MB).
    const large = byDescription('Translate help center to German');
    await workbench.pickFromCommand('OpenAI Batches: Open Output File', large.id);
    await workbench.waitForNotification(/is 300 MB, too large to open comfortably in an editor/);
    const offer = notification(/too large to open/);
    assert.deepEqual(
      (await offer.locator('.monaco-button').allInnerTexts()).map((b) => b.trim()),
      ['Save As…'],
    );
    assert.equal(fake.count('GET', `/v1/files/${large.output_file_id}/content`), 1, 'only the one download of the previous test');
    await workbench.runCommand('Notifications: Clear All Notifications');

    const batch = byDescription('Moderation of forum posts (September)');
    await workbench.pickFromCommand('OpenAI Batches: Open Output File', batch.id);
    const tab = workbench.page.locator('.tabs-container .tab', { hasText: `${batch.output_file_id}.jsonl` });
    await tab.waitFor({ state: 'visible', timeout: 60_000 });
    await workbench.page.locator('.monaco-editor .view-lines', { hasText: 'custom_id' }).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot('e2e-manage-7-output-file');
  });
});
