import * as fs from 'fs';
import * as path from 'path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumBinary, loadPlaywright, testResultsDir } from './paths';

export interface LaunchedBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Flags from test/harness/README.md (`--headless` comes from `headless: true`): no sandbox in containers, no calls home. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's Chromium with a fresh profile in `profileDir`: SecretStorage lives in the
 * profile's localStorage, so each run starts signed out. Clipboard access is granted
 * for `origin` so tests can read what the extension copied.
 */
export async function launchBrowser(opts: { origin: string; profileDir: string }): Promise<LaunchedBrowser> {
  fs.rmSync(opts.profileDir, { recursive: true, force: true });
  fs.mkdirSync(opts.profileDir, { recursive: true });
  const context = await loadPlaywright().chromium.launchPersistentContext(opts.profileDir, {
    executablePath: chromiumBinary,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    timeout: 60_000,
  });
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: opts.origin });
    const page = context.pages()[0] ?? (await context.newPage());
    return { context, page, close: () => context.close() };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** Saves `test-results/<name>.png` and returns its path; never throws, so it is safe in failure paths. */
export async function saveScreenshot(page: Page, name: string): Promise<string | undefined> {
  const file = path.join(testResultsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  try {
    fs.mkdirSync(testResultsDir, { recursive: true });
    await page.screenshot({ path: file, timeout: 15_000 });
    return file;
  } catch (error) {
    console.error(`[harness] screenshot ${name} failed: ${String(error)}`);
    return undefined;
  }
}
