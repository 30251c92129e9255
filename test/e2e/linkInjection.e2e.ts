import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator } from 'playwright-core';
import type { Batch } from '../../src/core/api/types';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { delay } from '../harness/codeServer';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

const NOW = 1_760_000_000;
const ECHOED_KEY = 'sk-live-0123456789abcdefXYZ';

/** The little of the DOM that runs in the page (the tests compile without DOM types). */
interface DomNode {
  textContent: string | null;
  className: unknown;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
}

/** The invisible joiner plainText puts after `]` and `$`: a person does not see it. */
const visible = (text: string): string =>
  text
    .replace(/\u2060/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/** Link, web link, remote image and icon syntax, as a hostile server puts them in any string. */
function payloads(port: number) {
  const command = `[click](command:openaiBatches.copyBatchId?${encodeURIComponent(JSON.stringify([{ id: 'batch_pwned', output_file_id: 'file-pwned' }]))})`;
  const web = '[x](https://example.invalid)';
  const image = `![](http://127.0.0.1:${port}/img.png)`;
  const icon = '$(alert)';
  // Labels are cut at 80 characters: this one stays whole.
  return { command, web, image, icon, label: `${web} ${icon} ${image}` };
}

function batch(id: string, patch: Partial<Batch>): Batch {
  return {
    id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
    status: 'completed',
    created_at: NOW - 3600,
    request_counts: { total: 2, completed: 2, failed: 0 },
    ...patch,
  };
}

/**
 * A server that puts `[text](command:…)`, `[text](https://…)`, `![](…)` and `$(icon)` into
 * descriptions, ids, statuses, counts and error messages. Every surface shows them as text:
 * the only links are the ones the extension builds, the only icons its own, no image loads.
 */
describe('link injection: API text never becomes a link, image or icon', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  let p: ReturnType<typeof payloads>;
  const active = 'batch_linkActive0001';
  const done = 'batch_linkDone0001';
  const iconId = 'batch_icon$(alert)[x](https://example.invalid)';
  const missing = 'batch_missing0001';

  /**
   * Links (VS Code's `.monaco-link`, any anchor with a target), images and codicons inside `scope`.
   * Anchors without a target are how the workbench draws plain labels (list rows, status bar items).
   */
  function rendered(scope: Locator): Promise<{ links: { text: string; href: string }[]; images: number; icons: string[] }> {
    return scope.evaluate((root: DomNode) => {
      const all = (selector: string): DomNode[] => Array.from(root.querySelectorAll(selector));
      return {
        links: all('.monaco-link, a[href], [data-href]').map((node) => ({
          text: (node.textContent ?? '').trim(),
          href: node.getAttribute('data-href') ?? node.getAttribute('href') ?? '',
        })),
        images: all('img').length,
        icons: all('.codicon').map((node) => String(node.className)),
      };
    });
  }

  function toast(match: RegExp): Locator {
    return workbench.page.locator('.notifications-toasts .notification-list-item-message', { hasText: match }).first();
  }

  before(async function () {
    fake = await startFakeApi({ seed: 'empty', now: NOW });
    p = payloads(fake.port);
    const countsOfText = { total: p.command, completed: p.image, failed: p.icon } as never;
    fake.store.reset([
      batch(active, {
        status: 'in_progress',
        created_at: NOW - 60,
        request_counts: { total: 10, completed: 3, failed: 0 },
        metadata: { description: p.label },
      }),
      batch(done, {
        output_file_id: 'file-linkOut0001',
        request_counts: countsOfText,
        metadata: { description: p.label },
        endpoint: p.web,
        model: p.image,
      }),
      batch(iconId, {
        created_at: NOW - 7200,
        input_file_id: 'file-linkInput0001',
        metadata: { description: `icon batch ${p.icon} ${p.web}` },
      }),
      batch('batch_linkStatus0001', { created_at: NOW - 9000, status: `[s](command:workbench.action.quit) ${p.icon}` }),
    ]);
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.autoRefreshSeconds': 1 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(/^In progress \(1\)$/);
  });

  closeAfterScenario('linkInjection', () => ({ workbench, fake }));

  it('toast: the "completed" notification shows the description and counts as text, with no link', async function () {
    fake.store.put({
      ...fake.store.get(active)!,
      status: 'completed',
      completed_at: NOW,
      output_file_id: 'file-linkOut0002',
      request_counts: { total: p.command, completed: p.image, failed: p.icon } as never,
    });
    const message = toast(/completed/);
    await message.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(visible(await message.innerText()), `Batch "${p.label}" completed (0/0 requests).`);
    const { links, images, icons } = await rendered(message);
    assert.deepEqual(links, [], 'no link in the message');
    assert.equal(images, 0);
    assert.deepEqual(icons, []);
    await delay(1000); // toasts fade in
    await workbench.screenshot('e2e-linkInjection-1-completed-toast');
  });

  it('quick pick and toast: Open Batch Details lists labels as text; a 404 whose message carries links is shown as text, redacted', async function () {
    await workbench.runCommand('Notifications: Clear All Notifications');
    const hostileMessage = `${p.command} ${p.web} ${p.image} ${p.icon} echo api-key: ${ECHOED_KEY}`;
    fake.addFault({
      method: 'GET',
      path: `/v1/batches/${missing}`,
      status: 404,
      body: { error: { message: hostileMessage, type: 'invalid_request_error', param: null, code: null } },
    });

    await workbench.runCommand('OpenAI Batches: Open Batch Details…');
    const list = workbench.page.locator('.quick-input-widget .quick-input-list');
    await list.locator('.monaco-list-row', { hasText: 'icon batch' }).first().waitFor({ timeout: 30_000 });
    const rows = (await list.locator('.monaco-list-row').allInnerTexts()).map(visible);
    assert.ok(
      rows.some((row) => row.includes(p.label)),
      `a label shown literally: ${JSON.stringify(rows)}`,
    );
    assert.ok(
      rows.some((row) => row.includes(`icon batch ${p.icon} ${p.web}`)),
      JSON.stringify(rows),
    );
    const listed = await rendered(list);
    assert.deepEqual(listed.links, []);
    assert.ok(!listed.icons.some((name) => name.includes('codicon-alert')), `no icon from API text: ${JSON.stringify(listed.icons)}`);
    await workbench.screenshot('e2e-linkInjection-2-quick-pick');

    await workbench.quickInput().fill(missing);
    // The extension's own `$(search)` item: icons in quick-pick labels do render, so their absence above means something.
    const typed = list.locator('.monaco-list-row', { hasText: `Open ${missing}` }).first();
    await typed.waitFor({ timeout: 30_000 });
    assert.equal(await typed.locator('.codicon-search').count(), 1);
    await workbench.quickInput().press('Enter');

    const message = toast(/was not found/);
    await message.waitFor({ state: 'visible', timeout: 30_000 });
    const text = visible(await message.innerText());
    assert.ok(text.includes(`${p.command} ${p.web} ${p.image} ${p.icon}`), `shown literally: ${text}`);
    assert.ok(!text.includes(ECHOED_KEY) && text.includes('api-key: [redacted]'), `redacted: ${text}`);
    const { links, images, icons } = await rendered(message);
    assert.deepEqual(links, [], 'no link in the message');
    assert.equal(images, 0);
    assert.deepEqual(icons, []);
    await delay(1000);
    await workbench.screenshot('e2e-linkInjection-3-failure-toast');
  });

  it('status bar: "Copied batch ID" shows an id with $(alert) as text; the extension\'s own $(check) is an icon', async function () {
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.runCommand('OpenAI Batches: Copy Batch ID');
    await workbench.quickInput().fill('icon batch');
    const row = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'icon batch' }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.ok(!(await rendered(row)).icons.some((name) => name.includes('codicon-alert')));
    await workbench.quickInput().press('Enter');
    await workbench.waitForClipboard(iconId);

    const item = workbench.page.locator('.part.statusbar .statusbar-item', { hasText: 'Copied batch ID' }).first();
    await item.waitFor({ timeout: 10_000 });
    assert.equal(visible(await item.innerText()), `Copied batch ID ${iconId}`);
    const { links, icons } = await rendered(item);
    assert.deepEqual(links, [], 'no link with text from the API');
    assert.ok(
      icons.some((name) => name.includes('codicon-check')),
      `the extension's icon renders: ${JSON.stringify(icons)}`,
    );
    assert.ok(!icons.some((name) => name.includes('codicon-alert')), `no icon from the id: ${JSON.stringify(icons)}`);
    await workbench.screenshot('e2e-linkInjection-4-status-bar');
  });

  it("hover: the id hover escapes everything the API sent; its only links are the extension's commands, with no image", async function () {
    fs.writeFileSync(path.join(workbench.workspaceFolder, 'ids.txt'), `${done}\nfile-linkInput0001\n`);
    await quickOpen(workbench, 'ids.txt');
    const ours = ['Open details', 'Copy batch ID', 'Copy output file ID', 'Open output'];

    for (const [word, expected] of [
      [done, `${p.label} — Completed`],
      ['file-linkInput0001', `input file of ${iconId}`],
    ] as const) {
      await workbench.page.locator('.part.sidebar').hover();
      await workbench.page.locator('.part.editor .view-line span span', { hasText: word }).first().hover();
      const hover = workbench.page.locator('.monaco-editor .monaco-hover', { hasText: 'Open details' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      const text = visible(await hover.innerText());
      assert.ok(text.includes(expected), `hover of ${word} shows "${expected}" literally: ${text}`);
      const { links, images, icons } = await rendered(hover);
      assert.ok(links.length >= 2, `the extension's own links render: ${JSON.stringify(links)}`);
      for (const link of links) {
        assert.ok(
          ours.includes(link.text) && link.href.startsWith('command:openaiBatches.'),
          `a link the extension did not build: ${JSON.stringify(link)}`,
        );
      }
      assert.equal(images, 0);
      assert.deepEqual(
        icons.filter((name) => name.includes('codicon-alert')),
        [],
      );
      if (word === done) {
        assert.ok(text.includes('0 completed, 0 failed of 0'), `counts that are not numbers read as 0: ${text}`);
        await workbench.screenshot('e2e-linkInjection-5-hover');
      }
    }
    await workbench.page.locator('.part.sidebar').hover();
    // Secondary: the workbench's CSP also stops a loopback http image, so the `img` count above is the real check.
    assert.equal(fake.count('*', '/img.png'), 0, 'no image requested');
  });

  it('tree: an error row quoting the server shows its text literally and redacted; status groups from API text are labels', async function () {
    fake.addFault({
      method: 'GET',
      path: '/v1/batches',
      status: 400,
      body: {
        error: { message: `${p.command} ${p.icon} echo api-key: ${ECHOED_KEY}`, type: 'invalid_request_error', param: null, code: null },
      },
    });
    await workbench.runCommand('OpenAI Batches: Refresh');
    const label = visible(await workbench.waitForTreeRow(/^Couldn't refresh: /));
    fake.clearFaults();
    assert.ok(label.includes(`${p.command} ${p.icon}`), `shown literally: ${label}`);
    assert.ok(!label.includes(ECHOED_KEY) && label.includes('api-key: [redacted]'), `redacted: ${label}`);
    const rows = (await workbench.treeRows()).map(visible);
    assert.ok(rows.includes(`[s](command:workbench.action.quit) ${p.icon} (1)`), JSON.stringify(rows));
    const tree = await rendered(workbench.page.locator('.part.sidebar .pane-body'));
    assert.deepEqual(tree.links, []);
    assert.ok(
      tree.icons.some((name) => name.includes('codicon-error')),
      'the error row has its own icon',
    );
    assert.ok(!tree.icons.some((name) => name.includes('codicon-alert')), JSON.stringify(tree.icons));
    await workbench.screenshot('e2e-linkInjection-6-tree');
  });
});

/** Ctrl+P, the file's name, Enter; resolves once its editor tab is active. */
async function quickOpen(workbench: Workbench, name: string): Promise<void> {
  const focused = workbench.page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused .label-name');
  await workbench.page.keyboard.press('Control+P');
  await workbench.quickInput().fill(name);
  // The file search runs on the server; Enter before it answers would open nothing.
  // A quick pick closed before can leave a stale `.focused` row behind (see Workbench.runCommand): accept any.
  await waitUntil(async () => (await focused.allTextContents()).some((text) => text.trim() === name), `Quick Open to offer ${name}`);
  await workbench.quickInput().press('Enter');
  await workbench.page.locator('.part.editor .tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 30_000 });
}
