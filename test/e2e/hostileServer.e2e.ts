import * as assert from 'assert';
import * as fs from 'fs';
import { FakeApi, FaultRule, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

const LIST = '/v1/batches';
const MiB = 1024 * 1024;
const ERROR_ROW = /^Couldn't refresh: /;

/** VmRSS and VmHWM (peak) of a process, in bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/**
 * The extension host of this workbench's code-server: the newest process with `--type=extensionHost`
 * in the process group of the code-server started with this user-data folder.
 */
function extensionHostPid(userDataDir: string): number {
  const processes = fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
        // The command name in /proc/PID/stat is in parentheses and may hold spaces: count fields after it.
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // Fields after the name start at 3 (state): pgid is field 5, starttime field 22.
        return { pid: Number(name), cmdline, pgid: Number(fields[2]), started: Number(fields[19]) };
      } catch {
        return undefined; // gone meanwhile
      }
    })
    .filter((p): p is { pid: number; cmdline: string[]; pgid: number; started: number } => p !== undefined);
  const server = processes.find((p) => p.cmdline.includes(userDataDir) && p.pid === p.pgid);
  assert.ok(server, `no code-server process with ${userDataDir}`);
  const hosts = processes.filter((p) => p.pgid === server.pid && p.cmdline.some((arg) => arg.includes('extensionHost')));
  assert.ok(hosts.length > 0, `no extension host in group ${server.pid}`);
  // A browser reconnect can start a second host while the first is still shutting down: the newest is the live one.
  return hosts.reduce((newest, host) => (host.started > newest.started ? host : newest)).pid;
}

/**
 * A hostile server, as the extension meets it in a real workbench: a list answer that never
 * ends, a gzip bomb, a trickle. Each must become the tree's error row within a bounded time,
 * while the extension host's memory stays where it was (SPEC "Hostile input, second table").
 */
describe('hostile server: endless, compressed and trickled answers end as an error row, in bounded memory', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  let host: number;

  before(async function () {
    fake = await startFakeApi({ seed: 'demo' });
    workbench = await openWorkbench({
      fakeApi: fake,
      settings: { 'openaiBatches.autoRefreshSeconds': 0, 'openaiBatches.requestTimeoutSeconds': 3 },
    });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(/^Completed \(\d+\)$/);
    host = extensionHostPid(workbench.server.userDataDir);
  });

  closeAfterScenario('hostile-server', () => ({ workbench, fake }));

  /** Refreshes against `fault`: the error row must come, and the extension host's memory stay put; then recovers. */
  async function refreshAgainst(fault: FaultRule, rowPattern: RegExp, what: string): Promise<void> {
    const before = memoryOf(host);
    let peakRss = before.rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, memoryOf(host).rss);
    }, 100);
    fake.addFault(fault);
    const started = Date.now();
    try {
      await workbench.runCommand('OpenAI Batches: Refresh');
      const row = await workbench.waitForTreeRow(ERROR_ROW, 90_000);
      const seconds = (Date.now() - started) / 1000;
      const after = memoryOf(host);
      peakRss = Math.max(peakRss, after.rss);
      const growth = (peakRss - before.rss) / MiB;
      console.log(
        `      ${what}: error row after ${seconds.toFixed(1)} s; extension host RSS ${(before.rss / MiB).toFixed(0)} MiB before, ` +
          `peak ${(peakRss / MiB).toFixed(0)} MiB (+${growth.toFixed(0)} MiB), VmHWM ${(before.hwm / MiB).toFixed(0)} → ${(after.hwm / MiB).toFixed(0)} MiB`,
      );
      assert.match(row, rowPattern);
      assert.ok(growth < 200, `the extension host grew by ${growth.toFixed(0)} MiB`);
      await workbench.screenshot(`e2e-hostile-${what.replace(/\W+/g, '-')}`);
    } finally {
      clearInterval(sampler);
      fake.clearFaults();
    }
    await workbench.clickTreeRow(ERROR_ROW);
    await waitUntil(
      async () => !(await workbench.treeRows()).some((row) => ERROR_ROW.test(row)),
      'the error row to go away once the server behaves',
    );
  }

  it('an endless list body', async function () {
    await refreshAgainst({ path: LIST, endlessBody: true }, /exceeded 32\.0 MB/, 'endless body');
  });

  it('a gzip bomb (1 MiB inflating to 1 GiB)', async function () {
    await refreshAgainst({ path: LIST, gzipBomb: true }, /exceeded 32\.0 MB/, 'gzip bomb');
  });

  it('a body trickled a byte every 100 ms, with a 3 s request timeout', async function () {
    await refreshAgainst({ path: LIST, trickle: true, trickleIntervalMs: 100 }, /did not answer within 3 s/, 'trickled body');
  });
});
