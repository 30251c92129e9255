import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { load } from 'js-yaml';

const root = path.join(__dirname, '..', '..', '..', '..');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  container?: string | { image: string };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(name: string): Workflow {
  const file = path.join(root, '.github', 'workflows', name);
  return load(fs.readFileSync(file, 'utf8'), { filename: file }) as Workflow;
}

function onlyJob(flow: Workflow): Job {
  const jobs = Object.values(flow.jobs);
  assert.equal(jobs.length, 1, 'one job expected');
  return jobs[0];
}

/** The Node major a job runs on: its container's node image, else actions/setup-node's node-version. */
function nodeMajor(job: Job): string | undefined {
  const image = typeof job.container === 'string' ? job.container : job.container?.image;
  const fromImage = image && /^node:(\d+)/.exec(image)?.[1];
  if (fromImage) return fromImage;
  const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
  const version = setup?.with?.['node-version'];
  return typeof version === 'string' || typeof version === 'number' ? /^(\d+)/.exec(String(version))?.[1] : undefined;
}

describe('CI workflow (.github/workflows/ci.yml)', () => {
  const flow = workflow('ci.yml');
  const job = onlyJob(flow);

  it('runs bash .ci/run, the one script every CI runs, with CI=true', () => {
    const runs = job.steps.map((s) => s.run?.trim()).filter(Boolean);
    assert.deepStrictEqual(runs, ['bash .ci/run']);
    const ci = { ...flow.env, ...job.env, ...job.steps.find((s) => s.run?.trim() === 'bash .ci/run')?.env }.CI;
    assert.equal(ci, 'true');
    assert.ok(
      job.steps.some((s) => s.uses?.startsWith('actions/checkout@')),
      'checks the code out',
    );
  });

  it('runs on Ubuntu, on every push to main and every pull request', () => {
    assert.match(job['runs-on'], /^ubuntu-/);
    assert.ok('pull_request' in flow.on, 'runs on pull requests');
    assert.deepStrictEqual((flow.on.push as { branches: string[] }).branches, ['main']);
  });

  it('uses the Node version the README names', () => {
    const major = nodeMajor(job);
    assert.ok(major, 'no Node version found in ci.yml');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    assert.match(readme, new RegExp(`\\bNode ${major}\\b`), `README names no Node ${major}`);
    assert.equal(major, '20');
  });
});

describe('release workflow (.github/workflows/release.yml)', () => {
  const flow = workflow('release.yml');
  const job = onlyJob(flow);
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const stepRunning = (pattern: RegExp): Step => {
    const step = job.steps.find((s) => s.run !== undefined && pattern.test(s.run));
    assert.ok(step, `no step runs ${String(pattern)}`);
    return step;
  };

  it('runs on version tags only', () => {
    assert.deepStrictEqual(Object.keys(flow.on), ['push']);
    assert.deepStrictEqual(flow.on.push, { tags: ['v*'] });
  });

  it('installs with npm ci and packages with vsce package, as npm run package does', () => {
    const runs = job.steps.map((s) => s.run ?? '');
    const ci = runs.findIndex((r) => r.trim() === 'npm ci');
    const pack = runs.findIndex((r) => /\bvsce package\b/.test(r));
    assert.ok(ci >= 0 && pack > ci, 'npm ci, then vsce package');
    const flags = (command: string) => command.split(/\s+/).filter((word) => word.startsWith('--'));
    assert.deepStrictEqual(flags(runs[pack]), flags(manifest.scripts.package), 'same vsce flags as the package script');
    assert.equal(nodeMajor(job), '20');
  });

  it('uploads the .vsix it packaged to the release of the tag', () => {
    const output = /\s-o\s+("?)(\S+)\1/.exec(stepRunning(/\bvsce package\b/).run!)?.[2];
    assert.ok(output, 'vsce package names its output file');
    const vsix = output.startsWith('$') ? job.env?.[output.replace(/^\$\{?|\}$/g, '')] : output;
    assert.match(vsix ?? '', /\.vsix$/);
    const upload = stepRunning(/\bgh release upload\b/);
    assert.ok(upload.run!.includes(output), `the upload step does not upload ${output}`);
    assert.ok(upload.env?.GH_TOKEN, 'the upload step has a token');
    assert.equal(flow.permissions?.contents, 'write', 'the job may write releases');
  });

  it('publishes to the Marketplace and Open VSX only when their tokens are set', () => {
    assert.equal(job.env?.VSCE_PAT, '${{ secrets.VSCE_PAT }}');
    assert.equal(job.env?.OVSX_PAT, '${{ secrets.OVSX_PAT }}');
    const marketplace = stepRunning(/\bvsce publish\b/);
    assert.equal(marketplace.if, "env.VSCE_PAT != ''");
    const openVsx = stepRunning(/\bovsx(@\S+)? publish\b/);
    assert.equal(openVsx.if, "env.OVSX_PAT != ''");
    const unguarded = job.steps.filter((s) => /\bpublish\b/.test(s.run ?? '') && !s.if);
    assert.deepStrictEqual(unguarded, []);
  });
});
