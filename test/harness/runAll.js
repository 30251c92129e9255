// `npm test`: the harness install, then every check and suite in order, continuing
// past failures, then one total. Suites report their counts through the JSON file
// named by OPENAI_BATCHES_TEST_STATS; lint and typecheck count as one check each; a
// suite that exits without writing counts (a crash) counts as one failure.
//
// The install is a precondition, not a suite: when it fails, nothing else runs and
// the last line says so. With CI=true it installs into a new, empty folder (not the
// warm cache under ~/.cache), so a missing install step cannot hide behind an earlier
// run; OPENAI_BATCHES_HARNESS_CACHE, when set, names the folder instead.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const statsDir = path.join(root, '.vscode-test', 'stats');

if (process.env.CI === 'true' && !process.env.OPENAI_BATCHES_HARNESS_CACHE) {
  const cold = path.join(root, '.vscode-test', 'harness-cold');
  fs.rmSync(cold, { recursive: true, force: true });
  process.env.OPENAI_BATCHES_HARNESS_CACHE = cold;
  console.log(`[test] CI=true: installing the harness cold into ${cold}`);
}

/** kind: 'setup' counts only when it fails; 'check' is one pass or fail; 'suite' reports its own counts. */
const steps = [
  { name: 'install', kind: 'setup', command: 'bash', args: ['test/harness/install.sh'] },
  { name: 'lint', kind: 'check', command: 'npm', args: ['run', 'lint'] },
  { name: 'typecheck', kind: 'check', command: 'npm', args: ['run', 'typecheck'] },
  { name: 'unit', kind: 'suite', command: 'npm', args: ['run', 'test:unit'] },
  { name: 'integration', kind: 'suite', command: 'npm', args: ['run', 'test:integration'] },
  { name: 'e2e', kind: 'suite', command: 'npm', args: ['run', 'test:e2e'] },
];

function runStep(step) {
  const statsFile = path.join(statsDir, `${step.name}.json`);
  fs.rmSync(statsFile, { force: true });
  console.log(`\n[test] ── ${step.name}: ${step.command} ${step.args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(step.command, step.args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, OPENAI_BATCHES_TEST_STATS: statsFile },
  });
  const seconds = (Date.now() - started) / 1000;
  const ok = result.status === 0;
  if (result.signal === 'SIGINT' || result.signal === 'SIGTERM') {
    console.log(`[test] interrupted during ${step.name}`);
    process.exit(130);
  }
  if (step.kind === 'setup') {
    if (!ok) {
      // install.sh has printed the failing command, its output's tail and a "harness install failed" line.
      console.log(
        `[test] stopped: the harness install failed (${step.command} ${step.args.join(' ')}, exit ${result.status ?? result.signal}); no suite was run.`,
      );
      process.exit(1);
    }
    console.log(`[test] ${step.name} took ${seconds.toFixed(1)} s`);
  }

  if (step.kind !== 'suite') {
    const passed = step.kind === 'check' && ok ? 1 : 0;
    return {
      name: step.name,
      seconds,
      passes: passed,
      failures: ok ? 0 : 1,
      pending: 0,
      note: ok ? '' : `exit ${result.status ?? result.signal}`,
    };
  }
  let stats;
  try {
    stats = JSON.parse(fs.readFileSync(statsFile, 'utf8'));
  } catch {
    return {
      name: step.name,
      seconds,
      passes: 0,
      failures: 1,
      pending: 0,
      note: `crashed (exit ${result.status ?? result.signal}, no stats)`,
    };
  }
  const { passes = 0, failures = 0, pending = 0 } = stats;
  // Counts written but a non-zero exit with no failing test: something broke after the tests.
  if (!ok && failures === 0) {
    return {
      name: step.name,
      seconds,
      passes,
      failures: 1,
      pending,
      note: `exit ${result.status ?? result.signal} after all tests passed`,
    };
  }
  return { name: step.name, seconds, passes, failures, pending, note: '' };
}

function main() {
  const results = steps.map((step) => ({ kind: step.kind, ...runStep(step) }));
  console.log('\n[test] ── summary');
  for (const r of results) {
    const counts = r.kind === 'setup' ? 'ok' : `${r.passes} passed, ${r.failures} failed${r.pending ? `, ${r.pending} pending` : ''}`;
    console.log(`  ${r.name.padEnd(12)} ${counts.padEnd(34)} ${r.seconds.toFixed(1).padStart(6)}s${r.note ? `  ${r.note}` : ''}`);
  }
  const passes = results.reduce((sum, r) => sum + r.passes, 0);
  const failures = results.reduce((sum, r) => sum + r.failures, 0);
  console.log(`${passes} passed, ${failures} failed`);
  process.exit(failures > 0 ? 1 : 0);
}

main();
