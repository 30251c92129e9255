// A page object for driving code-server's workbench the way a person does: palette,
// activity bar, tree, notifications, webview. Selectors are the ones test/harness/README.md
// verified against VS Code 1.139.
import * as fs from 'fs';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import * as path from 'path';
import { launchBrowser, LaunchedBrowser, saveScreenshot } from '../harness/browser';
import { CodeServer, delay, settleRunDir, startCodeServer } from '../harness/codeServer';
import { packagedVsix, scratchWorkspace } from '../harness/paths';

export interface WorkbenchOptions {
  /** Defaults to the packaged openai-batch-explorer.vsix at the repository root. */
  vsix?: string;
  settings?: Record<string, unknown>;
  /** Points `openaiBatches.baseUrl` at it. */
  fakeApi?: { baseUrl: string };
  env?: Record<string, string>;
  /** Extension folders installed beside ours (see CodeServerOptions.extraExtensions). */
  extraExtensions?: string[];
  /** Written to the opened folder's .vscode/settings.json (what a cloned repository can carry). */
  workspaceSettings?: Record<string, unknown>;
}

const VIEW_CONTAINER_TITLE = 'OpenAI Batches';
const DEFAULT_TIMEOUT_MS = 30_000;

const SIDEBAR_ROWS = '.part.sidebar .pane-body .monaco-list-row';
const QUICK_INPUT = '.quick-input-widget';

export class Workbench {
  private constructor(
    readonly page: Page,
    readonly server: CodeServer,
    private readonly browser: LaunchedBrowser,
    readonly workspaceFolder: string,
  ) {}

  static async open(opts: WorkbenchOptions = {}): Promise<Workbench> {
    const vsix = opts.vsix ?? packagedVsix;
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` first.`);
    const workspaceFolder = scratchWorkspace();
    if (opts.workspaceSettings) {
      fs.mkdirSync(path.join(workspaceFolder, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(workspaceFolder, '.vscode', 'settings.json'), JSON.stringify(opts.workspaceSettings, null, 2));
    }
    const settings = { ...(opts.fakeApi && { 'openaiBatches.baseUrl': opts.fakeApi.baseUrl }), ...opts.settings };
    // Installed from the .vsix rather than through the smoke-test driver, which would hide notification toasts.
    const server = await startCodeServer({ workspaceFolder, settings, vsix, env: opts.env, extraExtensions: opts.extraExtensions });
    let browser: LaunchedBrowser | undefined;
    try {
      browser = await launchBrowser({ origin: server.url, profileDir: path.join(server.runDir, 'chromium') });
      await browser.page.goto(server.workbenchUrl());
      await browser.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
      return new Workbench(browser.page, server, browser, workspaceFolder);
    } catch (error) {
      if (browser) await saveScreenshot(browser.page, 'e2e-open-failure');
      await browser?.close().catch(() => undefined);
      await server.stop();
      settleRunDir(server, false);
      throw error;
    }
  }

  /** Runs a palette command by its full title, e.g. `OpenAI Batches: Refresh`. */
  async runCommand(title: string): Promise<void> {
    const input = this.quickInput();
    // F1 pressed while a menu or another quick input is closing can open a palette that closes
    // again at once (seen right after a context-menu action); try again rather than flake.
    // Keys pressed while a webview panel has focus reach the workbench only through the webview's
    // own forwarding; start from the workbench's document instead.
    await this.page.evaluate(
      // Runs in the page: typed loosely, as this project compiles without the DOM library.
      `(() => { const active = document.activeElement; if (active && active.tagName === 'IFRAME') active.blur(); })()`,
    );
    for (let attempt = 1; ; attempt++) {
      try {
        await this.page.keyboard.press('F1');
        await input.fill(`>${title}`, { timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        await this.page.keyboard.press('Escape');
      }
    }
    // Enter runs the focused row, so wait until the palette has filtered down to ours.
    // After a quick pick, code-server 4.139 can leave a second, stale `.focused` row in the widget: accept any.
    const focused = this.page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row.focused .label-name`);
    await waitUntil(async () => (await focused.allTextContents()).some((text) => text.trim() === title), `palette row "${title}"`);
    await input.press('Enter');
    // The command's own input box reuses this widget; do not let the next step type into the palette.
    await waitUntil(
      async () => !(await input.isVisible()) || (await input.inputValue({ timeout: 1_000 }).catch(() => '')) !== `>${title}`,
      `the palette to close after "${title}"`,
    );
  }

  /** The input box or quick pick currently shown; `password` only matches a masked input box (API keys). */
  quickInput(opts: { password?: boolean } = {}): Locator {
    return this.page.locator(`${QUICK_INPUT} input.input${opts.password ? '[type="password"]' : ''}`);
  }

  async typeInQuickInput(text: string): Promise<void> {
    const input = this.quickInput();
    await input.waitFor({ state: 'visible', timeout: DEFAULT_TIMEOUT_MS });
    await input.fill(text);
    await input.press('Enter');
  }

  /**
   * Runs a command that asks with a quick pick and answers it with `value`. On a loaded machine a
   * quick pick opened right after a toast or notification-centre change is sometimes closed again
   * by the workbench before it can be typed into; then the command is run once more.
   */
  async pickFromCommand(title: string, value: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.openQuickPickOf(title);
      // It can also close a moment after it showed: then nothing was typed, and the command runs again.
      try {
        await this.quickInput().fill(value, { timeout: 5_000 });
        await this.quickInput().press('Enter', { timeout: 5_000 });
        return;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }

  /**
   * Answers code-server's save dialog (a quick input holding a path) with `target`. The simple file
   * dialog completes what is typed while its folder listing arrives, so the path is typed again
   * until it has stayed exactly as typed for a moment; then it is accepted.
   */
  async answerSaveDialog(target: string): Promise<void> {
    const input = this.quickInput();
    await waitUntil(async () => (await input.inputValue({ timeout: 1_000 }).catch(() => '')).includes('/'), 'the save dialog');
    await waitUntil(async () => {
      await input.fill(target);
      await new Promise((resolve) => setTimeout(resolve, 750));
      return (await input.inputValue()) === target;
    }, 'the path to stay as typed in the save dialog');
    await input.press('Enter');
  }

  /** Runs a command that asks with a quick pick and waits until that quick pick is visible (see pickFromCommand). */
  async openQuickPickOf(title: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.runCommand(title);
      try {
        await this.quickInput().waitFor({ state: 'visible', timeout: attempt < 3 ? 10_000 : DEFAULT_TIMEOUT_MS });
        return;
      } catch (error) {
        // A quick pick closes when focus leaves it (seen once in CI with a webview panel open): close what is left and run the command again.
        if (attempt === 3) throw error;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /**
   * Shows the extension's view container; clicking an already selected icon would hide it. Right after
   * a window reload the workbench restores the side bar on its own, so an icon seen unselected can be
   * selected a moment later and a click then hides it: look again until the side bar shows a view.
   */
  async openView(): Promise<void> {
    const icon = this.page.locator(`.part.activitybar a.action-label[aria-label="${VIEW_CONTAINER_TITLE}"]`);
    await icon.waitFor({ timeout: DEFAULT_TIMEOUT_MS });
    const selected = this.page.locator('.part.activitybar .action-item.checked', { has: icon });
    const body = this.page.locator('.part.sidebar .pane-body').first();
    await waitUntil(
      async () => {
        if ((await selected.count()) === 0) await icon.click({ timeout: 5_000 }).catch(() => undefined);
        return body.waitFor({ timeout: 5_000 }).then(
          () => true,
          () => false,
        );
      },
      'the side bar to show the OpenAI Batches view',
      60_000,
    );
  }

  /** A button of the view's welcome content (shown while no API key is stored). */
  welcomeButton(text: string): Locator {
    return this.page.locator('.part.sidebar .welcome-view-content .monaco-button', { hasText: text });
  }

  /** Visible tree labels, top to bottom; a row's aria-label is its tooltip, so read `.label-name`. */
  async treeRows(): Promise<string[]> {
    const labels = await this.page.locator(`${SIDEBAR_ROWS} .label-name`).allInnerTexts();
    return labels.map((label) => label.trim());
  }

  async waitForTreeRow(match: string | RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    let found: string | undefined;
    await waitUntil(
      async () => (found = (await this.treeRows()).find((label) => matches(label, match))) !== undefined,
      `a tree row matching ${String(match)}`,
      timeoutMs,
      async () => `rows: ${JSON.stringify(await this.treeRows())}`,
    );
    return found!;
  }

  treeRow(match: string | RegExp): Locator {
    const label = typeof match === 'string' ? new RegExp(`^\\s*${escapeRegExp(match)}\\s*$`) : match;
    return this.page.locator(SIDEBAR_ROWS, { has: this.page.locator('.label-name', { hasText: label }) }).first();
  }

  /** Clicks a tree row; `modifiers: ['Control']` adds it to the selection. */
  async clickTreeRow(match: string | RegExp, opts: { modifiers?: 'Control'[] } = {}): Promise<void> {
    await this.waitForTreeRow(match);
    await this.clickAwayFromHovers(this.treeRow(match), opts);
  }

  /**
   * Clicks `target`. A hover left by an earlier pointer move (a group row's tooltip) can sit over it
   * and take the click; then the pointer is moved off both, the hover dismissed, and the click tried again.
   */
  private async clickAwayFromHovers(target: Locator, opts: { button?: 'right'; modifiers?: 'Control'[] } = {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await target.click({ ...opts, timeout: attempt === 3 ? DEFAULT_TIMEOUT_MS : 5_000 });
        return;
      } catch (error) {
        if (attempt === 3) throw error;
        const bar = await this.page.locator('.part.activitybar').boundingBox();
        if (bar) await this.page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height * 0.6);
        await this.page.keyboard.press('Escape');
        await this.page
          .locator('.context-view .hover-contents')
          .first()
          .waitFor({ state: 'hidden', timeout: 5_000 })
          .catch(() => undefined);
      }
    }
  }

  /** Right-clicks a tree row and picks `action` (e.g. `Copy Batch ID`) from its context menu. */
  async treeRowContextAction(match: string | RegExp, action: string): Promise<void> {
    await this.waitForTreeRow(match);
    await this.clickAwayFromHovers(this.treeRow(match), { button: 'right' });
    const item = this.page.locator('.context-view .action-label', { hasText: action }).first();
    // A click on a menu that has just opened can be dropped (seen while a webview was loading beside it):
    // the menu then stays open with the item highlighted. Running the action closes the menu, so a menu
    // still open means the click did not run it: try again.
    for (let attempt = 1; ; attempt++) {
      await item.hover();
      await item.click();
      try {
        await item.waitFor({ state: 'hidden', timeout: 2_000 });
        return;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  }

  /** Messages of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
  }

  async waitForNotification(match: string | RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    let found: string | undefined;
    await waitUntil(
      async () => (found = (await this.notifications()).find((message) => matches(message, match))) !== undefined,
      `a notification matching ${String(match)}`,
      timeoutMs,
      async () => `notifications: ${JSON.stringify(await this.notifications())}`,
    );
    return found!;
  }

  /** The content frame of the most recently opened webview panel. */
  webviewFrame(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
  }

  /** What the extension copied; goes through the browser's clipboard, which the harness granted. */
  readClipboard(): Promise<string> {
    return this.page.evaluate<string>('navigator.clipboard.readText()');
  }

  /** A copy makes a round trip through the extension host (about half a second), so poll for it. */
  async waitForClipboard(match: string | RegExp, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    let text = '';
    await waitUntil(
      async () => matches((text = await this.readClipboard()), match),
      `the clipboard to hold ${String(match)}`,
      timeoutMs,
      () => Promise.resolve(`clipboard: ${JSON.stringify(text)}`),
    );
    return text;
  }

  screenshot(name: string): Promise<string | undefined> {
    return saveScreenshot(this.page, name);
  }

  /**
   * Stops browser and server; a failed run keeps its folder (logs) and says where it is.
   * `inspect` sees the run folder once both have stopped (everything flushed), before it is
   * removed; if it throws, the folder is kept.
   */
  async close(opts: { failed?: boolean; inspect?: (runDir: string) => void | Promise<void> } = {}): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    let passed = !opts.failed;
    try {
      await opts.inspect?.(this.server.runDir);
    } catch (error) {
      passed = false;
      throw error;
    } finally {
      settleRunDir(this.server, passed);
      fs.rmSync(this.workspaceFolder, { recursive: true, force: true });
    }
  }
}

/**
 * The mocha hooks every scenario needs: a screenshot when a test fails, then the workbench closed
 * (its run folder kept if anything failed) and the fake API stopped. `get` reads the suite's
 * current objects, which `before` creates.
 */
export function closeAfterScenario(name: string, get: () => { workbench?: Workbench; fake?: { close(): Promise<void> } }): void {
  let failed = false;
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    failed = true;
    await get().workbench?.screenshot(`e2e-${name}-failure-${this.currentTest.title}`);
  });
  after(async function () {
    await get().workbench?.close({ failed });
    await get().fake?.close();
  });
}

/** Stores an API key as a person does: the palette command, then the masked input box. */
export async function setApiKeyFromPalette(workbench: Workbench, key: string): Promise<void> {
  await workbench.runCommand('OpenAI Batches: Set API Key…');
  await workbench.quickInput({ password: true }).waitFor({ state: 'visible' });
  await workbench.typeInQuickInput(key);
}

export function openWorkbench(opts: WorkbenchOptions = {}): Promise<Workbench> {
  return Workbench.open(opts);
}

/** Polls `condition` until it holds; the error names what was awaited and, via `describe`, what was seen. */
export async function waitUntil(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  describe?: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      const seen = describe ? `; ${await describe().catch(() => '')}` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${seen}`);
    }
    await delay(250);
  }
}

function matches(text: string, match: string | RegExp): boolean {
  return typeof match === 'string' ? text === match : match.test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
