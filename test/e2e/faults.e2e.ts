import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { openWorkbench, waitUntil, Workbench, setApiKeyFromPalette } from './workbench';

const LIST = '/v1/batches';
const newKey = (): string => `sk-leakcheck-${randomBytes(18).toString('base64url').slice(0, 24)}`;
const GROUP = /^[A-Z][a-z ]+ \(\d+\)$/;

/** Every regular file under `dir` (sockets and pipes skipped). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Files containing `text` as UTF-8 or as UTF-16LE (how Chromium's localStorage keeps some strings). */
function filesContaining(files: string[], text: string): string[] {
  const needles = [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')];
  return files.filter((file) => {
    const data = fs.readFileSync(file);
    return needles.some((needle) => data.includes(needle));
  });
}

/**
 * Faults as a person meets them: a refresh that fails while batches are shown, recovering by
 * clicking the error row, a revoked key. Afterwards the key must be nowhere on disk: not in the
 * user data, logs, extension storage or browser profile of the whole run.
 */
describe('faults: clear errors in the tree, nothing lost, the key nowhere', function () {
  const key = newKey();
  const rotatedKey = newKey();
  let fake: FakeApi;
  let workbench: Workbench | undefined;
  let failed = false;
  /** Every text the workbench showed in toasts, the status bar and its whole page, step by step. */
  const seenTexts: string[] = [];

  async function look(): Promise<void> {
    if (!workbench) return;
    seenTexts.push(...(await workbench.notifications()));
    seenTexts.push(
      await workbench.page
        .locator('.part.statusbar')
        .innerText()
        .catch(() => ''),
    );
    seenTexts.push(await workbench.page.locator('body').innerText());
  }

  async function groups(): Promise<string[]> {
    return (await workbench!.treeRows()).filter((row) => GROUP.test(row));
  }

  before(async function () {
    fake = await startFakeApi({ seed: 'demo', apiKey: key });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.pageSize': 20, 'openaiBatches.autoRefreshSeconds': 0 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, key);
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
    await look();
  });

  afterEach(async function () {
    await look();
    if (this.currentTest?.state === 'failed') {
      failed = true;
      await workbench?.screenshot(`e2e-faults-failure-${this.currentTest.title}`);
    }
  });

  after(async function () {
    await workbench?.close({ failed: true });
    await fake?.close();
  });

  it('a failed refresh shows "Couldn\'t refresh…" above the groups, which stay; clicking it recovers', async function () {
    const before = await groups();
    assert.ok(before.length >= 3, `groups: ${JSON.stringify(before)}`);
    await workbench!.screenshot('e2e-faults-1-loaded');
    fake.addFault({ path: LIST, status: 500 });
    // The Refresh button in the Batches view's header (the container also holds the Files view), as a person clicks it.
    const header = workbench!.page.locator('.part.sidebar .pane-header', { hasText: /^\s*Batches/ }).first();
    await header.hover();
    await header.locator('.action-label[aria-label="Refresh"]').first().click({ timeout: 10_000 });
    const error = await workbench!.waitForTreeRow(/^Couldn't refresh: /);
    assert.match(error, /HTTP 500.* — click to retry$/);
    const rows = await workbench!.treeRows();
    assert.equal(rows[0], error, 'the error row is at the top');
    assert.deepEqual(await groups(), before, 'the batch groups stay');
    assert.ok(rows.includes('Load more…'), 'Load more stays');
    assert.equal(fake.requests.filter((r) => r.path === LIST && r.status === 500).length, 4, 'one attempt and 3 retries');
    // Hovering shows the whole message, as a person would read it.
    await workbench!.page.locator('.part.editor').hover();
    await workbench!.treeRow(/^Couldn't refresh: /).hover();
    await workbench!.page
      .locator('.workbench-hover, .monaco-hover', { hasText: /server error/ })
      .first()
      .waitFor({ state: 'visible', timeout: 5_000 })
      .catch(() => undefined);
    await workbench!.screenshot('e2e-faults-2-refresh-failed');
    await workbench!.page.locator('.part.editor').hover();
    await look();

    fake.clearFaults();
    await workbench!.clickTreeRow(/^Couldn't refresh: /);
    await waitUntil(
      async () => !(await workbench!.treeRows()).some((row) => row.startsWith("Couldn't refresh")),
      'the error row to go away',
    );
    assert.deepEqual(await groups(), before);
    await workbench!.screenshot('e2e-faults-3-recovered');
  });

  it('"OpenAI Batches: Refresh" with the server down shows the same row; batches stay', async function () {
    const before = await groups();
    fake.addFault({ path: LIST, status: 503 });
    await workbench!.runCommand('OpenAI Batches: Refresh');
    await workbench!.waitForTreeRow(/^Couldn't refresh: .*HTTP 503/);
    assert.deepEqual(await groups(), before);
    fake.clearFaults();
    await workbench!.clickTreeRow(/^Couldn't refresh: /);
    await waitUntil(
      async () => !(await workbench!.treeRows()).some((row) => row.startsWith("Couldn't refresh")),
      'the error row to go away',
    );
  });

  it('a revoked key shows "Invalid API key — set a new one"; clicking it opens the password box, and a new key recovers', async function () {
    const before = await groups();
    fake.apiKey = rotatedKey; // the stored key is now refused with 401
    await workbench!.runCommand('OpenAI Batches: Refresh');
    await workbench!.waitForTreeRow('Invalid API key — set a new one');
    assert.deepEqual(await groups(), before, 'the batches stay');
    await workbench!.screenshot('e2e-faults-4-invalid-key');
    await look();

    await workbench!.clickTreeRow('Invalid API key — set a new one');
    const password = workbench!.quickInput({ password: true });
    await password.waitFor({ state: 'visible' });
    await workbench!.screenshot('e2e-faults-5-password-box');
    await workbench!.typeInQuickInput(rotatedKey);
    await waitUntil(
      async () => !(await workbench!.treeRows()).includes('Invalid API key — set a new one') && (await groups()).length >= 3,
      'the tree with the new key',
    );
    assert.equal(fake.requests.at(-1)?.headers.authorization, `Bearer ${rotatedKey}`);
    await workbench!.screenshot('e2e-faults-6-new-key');
  });

  it('after a passing 401, entering the same key again recovers', async function () {
    fake.addFault({ path: LIST, status: 401, times: 1 });
    await workbench!.runCommand('OpenAI Batches: Refresh');
    await workbench!.clickTreeRow('Invalid API key — set a new one');
    await workbench!.quickInput({ password: true }).waitFor({ state: 'visible' });
    await workbench!.typeInQuickInput(rotatedKey);
    await waitUntil(async () => !(await workbench!.treeRows()).includes('Invalid API key — set a new one'), 'the error row to go away');
    assert.ok((await groups()).length >= 3);
  });

  it('no toast, status bar or page text ever showed a key', function () {
    assert.ok(seenTexts.length >= 10, `looked ${seenTexts.length} times`);
    assert.ok(
      seenTexts.some((text) => text.includes("Couldn't refresh")),
      'the page text was captured while the error row showed',
    );
    for (const text of seenTexts) {
      assert.ok(!text.includes(key) && !text.includes(rotatedKey), `a key on screen: ${text.slice(0, 200)}`);
    }
  });

  it('leaves neither key in any file of the run (user data, logs, extension storage, browser profile)', async function () {
    let scanned = 0;
    const hits: string[] = [];
    const controls: Record<string, number> = {};
    await workbench!.close({
      failed,
      inspect: (runDir) => {
        const files = filesUnder(runDir);
        scanned = files.length;
        hits.push(...filesContaining(files, key), ...filesContaining(files, rotatedKey));
        // Positive controls: what the run certainly wrote is found by the same search.
        controls.baseUrlInSettings = filesContaining(files, fake.baseUrl).length;
        controls.faultInExtensionLog = filesContaining(files, 'Loading batches failed [server]').length;
        if (hits.length > 0 || controls.baseUrlInSettings === 0 || controls.faultInExtensionLog === 0)
          throw new Error(`leak check failed: ${JSON.stringify({ hits, controls })}`);
      },
    });
    workbench = undefined;
    console.log(
      `      key leak check: ${scanned} files under the run folder scanned for 2 keys (UTF-8 and UTF-16LE); hits: ${hits.length}; controls: ${JSON.stringify(controls)}`,
    );
    assert.deepEqual(hits, []);
  });
});
