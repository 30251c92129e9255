// Runs test/integration in a real VS Code extension host through @vscode/test-electron.
// Offline (the default) its "VS Code executable" is our launcher, which runs the suite
// in code-server; with OPENAI_BATCHES_TEST_DESKTOP=1 test-electron downloads desktop
// VS Code and runs the very same suite there.
//
// Two runs, each in its own workbench: the suite (*.test.js) in English, then locale/*.locale.js
// in a German one (`--locale=de` and a stand-in language pack; see CodeServerOptions.locale).
// OPENAI_BATCHES_TEST_FILES narrows both; a run with no matching file is skipped.
import { runTests } from '@vscode/test-electron';
import * as fs from 'fs';
import * as path from 'path';
import { type SuiteStats, writeStats } from '../harness/mochaRun';
import { repoRoot, scratchWorkspace } from '../harness/paths';

interface Run {
  name: string;
  testsPath: string;
  suffix: string;
  launchArgs: string[];
}

const RUNS: Run[] = [
  { name: 'suite', testsPath: path.join(__dirname, 'index'), suffix: '.test.js', launchArgs: [] },
  { name: 'locale de', testsPath: path.join(__dirname, 'locale', 'index'), suffix: '.locale.js', launchArgs: ['--locale=de'] },
];

/** Whether `run` has a test file that OPENAI_BATCHES_TEST_FILES selects (the filter runMochaFiles applies). */
function selected(run: Run): boolean {
  const only = (process.env.OPENAI_BATCHES_TEST_FILES ?? '').split(',').filter(Boolean);
  const dir = path.dirname(run.testsPath);
  const nested = run.testsPath === RUNS[0].testsPath ? (file: string) => !file.startsWith(`locale${path.sep}`) : () => true;
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .some((file) => file.endsWith(run.suffix) && nested(file) && (only.length === 0 || only.some((part) => file.includes(part))));
}

async function runOne(run: Run, desktop: boolean): Promise<boolean> {
  const workspace = scratchWorkspace();
  try {
    await runTests({
      vscodeExecutablePath: desktop ? undefined : path.join(repoRoot, 'test', 'harness', 'vscode-launcher'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: run.testsPath,
      launchArgs: [workspace, '--disable-extensions', ...run.launchArgs],
    });
    return true;
  } catch (error) {
    console.error(`Integration tests (${run.name}) failed: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const desktop = process.env.OPENAI_BATCHES_TEST_DESKTOP === '1';
  // Desktop VS Code has no stand-in language pack: `--locale=de` alone would leave it English.
  const runs = RUNS.filter((run) => selected(run) && (!desktop || run.launchArgs.length === 0));
  if (runs.length === 0) {
    console.error('Integration tests: no test file matches OPENAI_BATCHES_TEST_FILES.');
    return 1;
  }
  // Each run's extension host writes its counts to OPENAI_BATCHES_TEST_STATS; keep each apart, then add them up.
  const statsFile = process.env.OPENAI_BATCHES_TEST_STATS;
  const total: SuiteStats = { passes: 0, failures: 0, pending: 0 };
  let passed = true;
  for (const [index, run] of runs.entries()) {
    const partFile = statsFile && `${statsFile}.${index}`;
    if (partFile) {
      fs.rmSync(partFile, { force: true });
      process.env.OPENAI_BATCHES_TEST_STATS = partFile;
    }
    const ok = await runOne(run, desktop);
    passed &&= ok;
    if (partFile) {
      const part = fs.existsSync(partFile) ? (JSON.parse(fs.readFileSync(partFile, 'utf8')) as SuiteStats) : undefined;
      // A run that crashed before counting counts as one failure.
      total.passes += part?.passes ?? 0;
      total.failures += part?.failures ?? (ok ? 0 : 1);
      total.pending += part?.pending ?? 0;
      fs.rmSync(partFile, { force: true });
    }
  }
  if (statsFile) {
    process.env.OPENAI_BATCHES_TEST_STATS = statsFile;
    writeStats(total);
  }
  return passed ? 0 : 1;
}

void main().then((code) => process.exit(code));
