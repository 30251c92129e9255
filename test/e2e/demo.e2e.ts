import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { launchBrowser, saveScreenshot } from '../harness/browser';
import { packagedVsix, repoRoot } from '../harness/paths';

/**
 * `npm run demo` as the README gives it (its compiled entry, after `npm run package` has
 * built the .vsix this suite also uses): it must come up, serve a workbench with the
 * packaged extension and the demo API, show the demo's batches with nothing typed (the key is
 * in code-server's environment, never printed), and leave no process behind when stopped.
 */
describe('npm run demo: starts from the packaged .vsix, opens on batches with no key typed, and stops cleanly', function () {
  // Every process the demo starts inherits this variable; /proc tells whether any is left.
  const marker = `OPENAI_BATCHES_DEMO_SMOKE=${crypto.randomBytes(8).toString('hex')}`;
  let demo: ChildProcess | undefined;
  let output = '';

  after(function () {
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
    for (const pid of processesWithMarker(marker)) process.kill(pid, 'SIGKILL');
  });

  it('serves the workbench and the demo API, shows grouped batches with no key typed, then exits 0 on Ctrl+C with nothing left running', async function () {
    this.timeout(240_000);
    assert.ok(fs.existsSync(packagedVsix), `${packagedVsix} is missing: the e2e suite packages it first`);
    const port = await freePort();
    const [name, value] = marker.split('=');
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), [name]: value };
    delete env.OPENAI_API_KEY;
    demo = spawn(process.execPath, [path.join(repoRoot, 'out', 'test', 'harness', 'demo.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo!.once('exit', (code) => resolve(code)));

    await waitFor('the demo to say it is running', 150_000, () => /demo is running/.test(output) || demo!.exitCode !== null);
    assert.equal(demo.exitCode, null, `the demo exited early:\n${output}`);
    const workbenchUrl = /Open:\s+(\S+)/.exec(output)?.[1];
    const apiUrl = /API:\s+(http\S+)/.exec(output)?.[1];
    assert.ok(workbenchUrl && apiUrl, `the demo did not print its workbench URL and API:\n${output}`);
    assert.ok(workbenchUrl.startsWith(`http://127.0.0.1:${port}/`), `the workbench is not on PORT ${port}: ${workbenchUrl}`);
    // The key is handed to code-server in its environment, as a shell would; it is not printed.
    const apiKey = codeServerEnv(marker).get('OPENAI_API_KEY');
    assert.ok(apiKey, "OPENAI_API_KEY is not in code-server's environment");
    assert.ok(!output.includes(apiKey), `the demo printed its key:\n${output}`);
    assert.doesNotMatch(output, /paste it|API key:/i, 'the demo still asks for a key to be pasted');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200, 'code-server /healthz');
    const installed = fs.readdirSync(extensionsDirOf(marker, output)).filter((entry) => entry.startsWith('openai-batch-explorer.'));
    assert.equal(installed.length, 1, 'the packaged extension is not installed in the demo workbench');
    const list = await fetch(`${apiUrl}/batches?limit=5`, { headers: { Authorization: `Bearer ${apiKey}` } });
    assert.equal(list.status, 200, 'the demo API did not answer the printed key');
    const body = (await list.json()) as { data: { id: string }[] };
    assert.equal(body.data.length, 5, 'the demo API has no batches');
    assert.ok(processesWithMarker(marker).length >= 2, 'expected the demo and its code-server to be running');

    // As a person: open the printed URL, click the view's icon. Nothing is typed.
    const browser = await launchBrowser({
      origin: `http://127.0.0.1:${port}`,
      profileDir: path.join(repoRoot, '.vscode-test', `demo-browser-${port}`),
    });
    try {
      const { page } = browser;
      await page.goto(workbenchUrl);
      const icon = page.locator('.part.activitybar a.action-label[aria-label="OpenAI Batches"]');
      await icon.waitFor({ timeout: 60_000 });
      await icon.click();
      const rows = page.locator('.part.sidebar .pane-body .monaco-list-row .label-name');
      await waitForAsync('grouped batches in the tree', 60_000, async () =>
        (await rows.allInnerTexts()).some((label) => /^(In progress|Completed) \(\d+\)$/.test(label.trim())),
      );
      const sidebar = page.locator('.part.sidebar');
      const apiHost = new URL(apiUrl).host;
      await waitForAsync('the demo note above the tree', 30_000, async () =>
        (await sidebar.innerText()).includes(`Demo API on ${apiHost} — fake data, its clock advances`),
      );
      assert.ok(
        (await rows.allInnerTexts()).includes('API key from the environment (OPENAI_API_KEY)'),
        'the tree says where the key comes from',
      );
      assert.equal(await page.locator('.welcome-view-content', { hasText: 'Set API Key' }).count(), 0, 'the key prompt is not shown');
      // The walkthrough opens beside the view.
      const walkthrough = page.locator('.gettingStartedContainer h2', { hasText: 'Get started with OpenAI Batch Explorer' }).first();
      await walkthrough.waitFor({ state: 'visible', timeout: 30_000 });
      const statusBar = await page.locator('.part.statusbar').innerText();
      assert.match(statusBar, /OPENAI_API_KEY/, 'the status bar says the key comes from the environment');
      assert.ok(!statusBar.includes(apiKey) && !(await sidebar.innerText()).includes(apiKey), 'the key is never shown');
      await saveScreenshot(page, 'e2e-demo-first-minute');
    } finally {
      await browser.close().catch(() => undefined);
    }

    demo.kill('SIGINT');
    const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
    assert.equal(code, 0, `the demo did not exit 0 within 30 s of Ctrl+C:\n${output}`);
    await waitFor("the demo's processes to end", 10_000, () => processesWithMarker(marker).length === 0);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'the workbench still answers after the demo stopped');
  });
});

/** The demo does not print its run folder; the code-server it started names it on its command line. */
function extensionsDirOf(marker: string, output: string): string {
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('--extensions-dir');
      if (at > 0 && args.some((arg) => arg.endsWith('entry.js')) && readEnviron(pid).split('\0').includes(marker)) {
        return args[at + 1];
      }
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no code-server process with --extensions-dir found:\n${output}`);
}

/** The environment of the demo's code-server (the process with `entry.js` and the marker). */
function codeServerEnv(marker: string): Map<string, string> {
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const environ = readEnviron(pid).split('\0');
      if (args.some((arg) => arg.endsWith('entry.js')) && args.includes('--bind-addr') && environ.includes(marker)) {
        return new Map(environ.filter(Boolean).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return new Map();
}

async function waitForAsync(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

function processesWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    if (readEnviron(entry).split('\0').includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

function readEnviron(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}

async function waitFor(what: string, timeoutMs: number, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
