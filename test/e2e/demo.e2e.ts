import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { packagedVsix, repoRoot } from '../harness/paths';

/**
 * `npm run demo` as the README gives it (its compiled entry, after `npm run package` has
 * built the .vsix this suite also uses): it must come up, serve a workbench with the
 * packaged extension and the demo API, and leave no process behind when stopped.
 */
describe('npm run demo: starts from the packaged .vsix and stops cleanly', function () {
  // Every process the demo starts inherits this variable; /proc tells whether any is left.
  const marker = `OPENAI_BATCHES_DEMO_SMOKE=${crypto.randomBytes(8).toString('hex')}`;
  let demo: ChildProcess | undefined;
  let output = '';

  after(function () {
    if (demo && demo.exitCode === null) demo.kill('SIGKILL');
    for (const pid of processesWithMarker(marker)) process.kill(pid, 'SIGKILL');
  });

  it('serves the workbench and the demo API, then exits 0 on Ctrl+C with nothing left running', async function () {
    this.timeout(180_000);
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
    const apiKey = /API key:\s+(\S+)/.exec(output)?.[1];
    assert.ok(workbenchUrl && apiUrl && apiKey, `the demo did not print its workbench URL, API and key:\n${output}`);
    assert.ok(workbenchUrl.startsWith(`http://127.0.0.1:${port}/`), `the workbench is not on PORT ${port}: ${workbenchUrl}`);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200, 'code-server /healthz');
    const installed = fs.readdirSync(extensionsDirOf(marker, output)).filter((entry) => entry.startsWith('openai-batch-explorer.'));
    assert.equal(installed.length, 1, 'the packaged extension is not installed in the demo workbench');
    const list = await fetch(`${apiUrl}/batches?limit=5`, { headers: { Authorization: `Bearer ${apiKey}` } });
    assert.equal(list.status, 200, 'the demo API did not answer the printed key');
    const body = (await list.json()) as { data: { id: string }[] };
    assert.equal(body.data.length, 5, 'the demo API has no batches');
    assert.ok(processesWithMarker(marker).length >= 2, 'expected the demo and its code-server to be running');

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
