// Copies the README's and the walkthrough's screenshots from the last end-to-end run
// (test-results/, written by workbench.screenshot() in test/e2e/*.e2e.ts) into media/screenshots/,
// so the gallery page shows the extension as the suite last saw it:
//   npm run test:e2e            (or OPENAI_BATCHES_TEST_FILES=core,jsonl,walkthrough npm run test:e2e)
//   npm run screenshots
// A missing source is reported with the scenario that takes it; nothing is copied then.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const results = path.join(root, 'test-results');
const target = path.join(root, 'media', 'screenshots');

/** media/screenshots/<name> ← test-results/<source>, and the e2e file that saves it. */
const SHOTS = [
  { name: 'overview.png', source: 'e2e-core-3-details.png', scenario: 'test/e2e/core.e2e.ts' },
  { name: 'copied.png', source: 'e2e-core-4-copied.png', scenario: 'test/e2e/core.e2e.ts' },
  { name: 'problems.png', source: 'e2e-jsonl-1-problems.png', scenario: 'test/e2e/jsonl.e2e.ts' },
  { name: 'results.png', source: 'e2e-jsonl-3-results.png', scenario: 'test/e2e/jsonl.e2e.ts' },
  { name: 'provider.png', source: 'e2e-walkthrough-2-provider.png', scenario: 'test/e2e/walkthrough.e2e.ts' },
  { name: 'walkthrough.png', source: 'e2e-walkthrough-3-connected.png', scenario: 'test/e2e/walkthrough.e2e.ts' },
];

const only = process.argv.slice(2);
const chosen = only.length ? SHOTS.filter((shot) => only.includes(shot.name)) : SHOTS;
const missing = chosen.filter((shot) => !fs.existsSync(path.join(results, shot.source)));
if (missing.length) {
  for (const shot of missing) console.error(`missing test-results/${shot.source}: run ${shot.scenario} (npm run test:e2e)`);
  process.exit(1);
}
fs.mkdirSync(target, { recursive: true });
for (const shot of chosen) {
  const from = path.join(results, shot.source);
  fs.copyFileSync(from, path.join(target, shot.name));
  const age = Math.round((Date.now() - fs.statSync(from).mtimeMs) / 60_000);
  console.log(`media/screenshots/${shot.name} ← test-results/${shot.source} (${age} min old)`);
}
