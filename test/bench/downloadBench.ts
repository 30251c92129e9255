import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MiB, hasCurl } from './benchCommon';
import { FakeApiChild } from './fakeApiChild';

// Download

/** Our download, run as its own process like curl (see downloadOnce.ts for why). */
export const DOWNLOAD_ONCE = path.join(__dirname, 'downloadOnce.js');

export interface TimedRun {
  code: number | null;
  seconds: number;
  /** The child's user + system CPU seconds (Linux only). */
  cpuSeconds?: number;
  /** The fake server's CPU seconds meanwhile (Linux only). */
  serverCpuSeconds?: number;
  stdout: string;
  stderr: string;
}

export interface DownloadFigures {
  ours: number[];
  curl: number[];
  rssDeltaMiB: number[];
  /** CPU seconds (user + system) per GiB of each client's whole process, from /proc/self/stat (Linux only). */
  oursCpu: number[];
  curlCpu: number[];
  /** The server's CPU seconds per GiB during each of our downloads and each of curl's (Linux only). */
  serverCpuOurs: number[];
  serverCpuCurl: number[];
  ceiling: number;
  curlMissing: boolean;
}

/** utime + stime of a running process in seconds, from /proc (Linux); undefined elsewhere or once it is gone. */
export function procCpuSeconds(pid: number, ticksPerSecond: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) of this process's children that have exited and been waited for,
 * from /proc (Linux); undefined elsewhere. Read before and after a child runs, the difference is
 * all of that child's CPU time, exactly, including its last moments.
 */
export function childrenCpuSeconds(ticksPerSecond: number): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // cutime and cstime are fields 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export function clockTicksPerSecond(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
}

export async function benchDownload(
  fake: FakeApiChild,
  mib: number,
  rounds: number,
  tmpRoot: string,
  log: (line: string) => void,
): Promise<DownloadFigures> {
  const bytes = Math.round(mib * MiB);
  const warmupBytes = Math.min(bytes, 64 * MiB);
  const fileId = await fake.addFile(bytes);
  const warmupId = await fake.addFile(warmupBytes);
  const urlOf = (id: string): string => `${fake.baseUrl}/files/${encodeURIComponent(id)}/content`;
  const curlMissing = !hasCurl();
  const figures: DownloadFigures = {
    ours: [],
    curl: [],
    rssDeltaMiB: [],
    oursCpu: [],
    curlCpu: [],
    serverCpuOurs: [],
    serverCpuCurl: [],
    ceiling: 0,
    curlMissing,
  };
  // The best of three: a ceiling, so the least disturbed run counts.
  for (let i = 0; i < 3; i++) figures.ceiling = Math.max(figures.ceiling, await fake.ceiling(Math.min(bytes, 128 * MiB)));
  const ticks = clockTicksPerSecond();
  const gib = mib / 1024;
  const serverCpu = (): number | undefined => (fake.pid === undefined ? undefined : procCpuSeconds(fake.pid, ticks));
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'oabe-bench-'));
  try {
    /** Runs one client to completion, timed from here, its CPU read as a waited-for child's. */
    const timed = async (command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<TimedRun> => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const serverBefore = serverCpu();
      const childrenBefore = childrenCpuSeconds(ticks);
      const started = performance.now();
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env && { ...process.env, ...env } });
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        child.on('error', reject);
        child.on('close', resolve);
      });
      const seconds = (performance.now() - started) / 1000;
      // 'close' comes after Node has waited for the child, so its times are in ours as a child's.
      const childrenAfter = childrenCpuSeconds(ticks);
      const serverAfter = serverCpu();
      return {
        code,
        seconds,
        cpuSeconds: childrenBefore === undefined || childrenAfter === undefined ? undefined : childrenAfter - childrenBefore,
        serverCpuSeconds: serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8').trim(),
      };
    };
    /**
     * Checks a run's file and records its figures (when measured). `seconds` and `cpuSeconds`
     * cover the whole of curl's run (its start-up is a few ms), and the file alone of ours (an
     * extension host has Node's ~0.1 CPU s start-up and the warm-up behind it); the server's CPU
     * is over the whole run, per GiB it served (`servedGiB`).
     */
    const settle = (
      who: 'ours' | 'curl',
      run: TimedRun,
      { seconds, cpuSeconds, servedGiB }: { seconds: number; cpuSeconds?: number; servedGiB: number },
      destination: string,
      expected: number,
      measured: boolean,
    ): void => {
      const size = fs.existsSync(destination) ? fs.statSync(destination).size : -1;
      fs.rmSync(destination, { force: true });
      if (run.code !== 0 || size !== expected)
        throw new Error(`${who === 'ours' ? 'downloadFile' : 'curl'} exited ${run.code} with ${size} of ${expected} bytes: ${run.stderr}`);
      if (!measured) return;
      figures[who].push(mib / seconds);
      if (cpuSeconds !== undefined) (who === 'ours' ? figures.oursCpu : figures.curlCpu).push(cpuSeconds / gib);
      if (run.serverCpuSeconds !== undefined)
        (who === 'ours' ? figures.serverCpuOurs : figures.serverCpuCurl).push(run.serverCpuSeconds / servedGiB);
    };
    const ours = async (measured = true): Promise<void> => {
      const destination = path.join(dir, 'ours.jsonl');
      const expected = measured ? bytes : warmupBytes;
      const run = await timed(process.execPath, [DOWNLOAD_ONCE, fake.baseUrl, warmupId, measured ? fileId : warmupId, destination], {
        BENCH_API_KEY: fake.apiKey,
      });
      const reported = (run.code === 0 ? JSON.parse(run.stdout) : { seconds: run.seconds, cpuSeconds: 0, peakRssDeltaMiB: 0 }) as {
        seconds: number;
        cpuSeconds: number;
        peakRssDeltaMiB: number;
      };
      settle('ours', run, { ...reported, servedGiB: (expected + warmupBytes) / 1024 ** 3 }, destination, expected, measured);
      if (!measured) return;
      figures.rssDeltaMiB.push(reported.peakRssDeltaMiB);
      log(
        `  download ours: ${(mib / reported.seconds).toFixed(0)} MiB/s, ${(reported.cpuSeconds / gib).toFixed(2)} CPU s/GiB, peak RSS +${reported.peakRssDeltaMiB.toFixed(1)} MiB`,
      );
    };
    const curl = async (measured = true): Promise<void> => {
      const destination = path.join(dir, 'curl.jsonl');
      const url = urlOf(measured ? fileId : warmupId);
      // Asks for what downloadFile asks for: the bytes as stored.
      const run = await timed('curl', [
        '-sS',
        '-o',
        destination,
        '-H',
        `Authorization: Bearer ${fake.apiKey}`,
        '-H',
        'Accept-Encoding: identity',
        url,
      ]);
      settle(
        'curl',
        run,
        { seconds: run.seconds, cpuSeconds: run.cpuSeconds, servedGiB: gib },
        destination,
        measured ? bytes : warmupBytes,
        measured,
      );
      if (measured)
        log(
          `  download curl: ${(mib / run.seconds).toFixed(0)} MiB/s, ${run.cpuSeconds === undefined ? '?' : (run.cpuSeconds / gib).toFixed(2)} CPU s/GiB`,
        );
    };
    // Warm-ups on a small file: the server's generator and both clients' first-run costs stay out of the figures.
    await ours(false);
    if (!curlMissing) await curl(false);
    for (let round = 0; round < rounds; round++) {
      if (curlMissing) await ours();
      else if (round % 2 === 0) {
        await ours();
        await curl();
      } else {
        await curl();
        await ours();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
