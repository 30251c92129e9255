import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';

export interface SuiteStats {
  passes: number;
  failures: number;
  pending: number;
}

/**
 * Runs every file under `root` whose name ends with `suffix` in one mocha instance,
 * and records the counts in the file named by OPENAI_BATCHES_TEST_STATS so
 * test/harness/runAll.js can total them (the same env var reaches the extension host).
 */
export async function runMochaFiles(opts: { root: string; suffix: string; timeout: number }): Promise<SuiteStats> {
  const mocha = new Mocha({ ui: 'bdd', timeout: opts.timeout, color: false });
  // OPENAI_BATCHES_TEST_FILES (comma-separated substrings) narrows a run to some files while developing.
  const only = (process.env.OPENAI_BATCHES_TEST_FILES ?? '').split(',').filter(Boolean);
  const files = fs
    .readdirSync(opts.root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(opts.suffix) && (only.length === 0 || only.some((part) => file.includes(part))))
    .sort();
  if (files.length === 0) throw new Error(`no *${opts.suffix} files under ${opts.root}`);
  for (const file of files) mocha.addFile(path.join(opts.root, file));

  const stats = await new Promise<SuiteStats>((resolve) => {
    const runner = mocha.run(() => {
      const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
      resolve({ passes, failures, pending });
    });
  });
  writeStats(stats);
  return stats;
}

export function writeStats(stats: SuiteStats): void {
  const file = process.env.OPENAI_BATCHES_TEST_STATS;
  if (!file) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(stats));
}
