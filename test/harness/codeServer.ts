import { ChildProcess, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { codeServerEntry, node24Binary, repoRoot } from './paths';

export interface CodeServerOptions {
  /** Absolute folder the workbench opens (it is passed in the browser URL as `?folder=`). */
  workspaceFolder?: string;
  /** Merged over the clean-workbench defaults in the user settings.json. */
  settings?: Record<string, unknown>;
  /** A .vsix installed with `--install-extension` before the server starts, as users install it. */
  vsix?: string;
  /** Extension folders (e.g. a test-only neighbour extension), packaged and installed like `vsix`. */
  extraExtensions?: string[];
  /**
   * Lets the URL's development payload load an extension and run its tests. It also
   * hides notification toasts, so UI tests that read toasts must not set it.
   */
  smokeTestDriver?: boolean;
  /** Extra environment for the server; it reaches the extension host too. */
  env?: Record<string, string>;
  /** Fixed port (the demo); a free one is picked otherwise. */
  port?: number;
  /**
   * Display language (`--locale`), e.g. `de`. VS Code uses it only when a language pack for it is
   * installed: without one it stays English, extensions' package.nls.<locale>.json included. So
   * this also installs test/harness/language-pack-<locale> (a stand-in: the real packs are not on npm).
   */
  locale?: string;
}

export interface CodeServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  runDir: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  /** `url` with the workspace folder opened, plus any extra query parameters. */
  workbenchUrl(query?: Record<string, string>): string;
  stop(): Promise<void>;
}

const CLEAN_WORKBENCH_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  // Scratch workspaces live inside this repository's .vscode-test; do not offer to open its git repo.
  'git.openRepositoryInParentFolders': 'never',
  // The secondary side bar only holds chat, which is disabled; it would take a third of each screenshot.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * Environment a parent may carry that would make code-server do something else:
 * `PORT`/`CODE_SERVER_HOST` override --bind-addr, `VSCODE_IPC_HOOK_CLI` (set in VS Code
 * terminals) makes it hand the folder to the *outer* editor and exit. Secrets
 * (`PASSWORD`, a developer's real `OPENAI_API_KEY`) have no business in a test workbench, nor
 * do the variables the extension reads like the SDKs (`OPENAI_BASE_URL`, …): a run sets them in `env`.
 */
const INHERITED_ENV_TO_DROP =
  /^(PORT|PASSWORD|HASHED_PASSWORD|GITHUB_TOKEN|OPENAI_API_KEY|OPENAI_BASE_URL|OPENAI_ORG_ID|OPENAI_PROJECT_ID|OPENAI_BATCHES_DEMO|CODE_SERVER_.*|VSCODE_.*|ELECTRON_RUN_AS_NODE)$/;

/** A socket path (udd/code-server-ipc.sock and friends) must stay under 108 bytes. */
const MAX_RUN_DIR_LENGTH = 70;

export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const runDir = createRunDir();
  const userDataDir = path.join(runDir, 'udd');
  const extensionsDir = path.join(runDir, 'ext');
  const logFile = path.join(runDir, 'code-server.log');
  const tmpDir = path.join(runDir, 'tmp');
  for (const dir of [userDataDir, extensionsDir, tmpDir, path.join(runDir, 'home'), path.join(userDataDir, 'User')]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...CLEAN_WORKBENCH_SETTINGS, ...opts.settings }, null, 2),
  );
  // Without its own config file code-server writes one, with a generated password, into $HOME.
  const configFile = path.join(runDir, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');

  const env = serverEnv(runDir, tmpDir, opts.env);
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', configFile];
  if (opts.vsix) {
    await runToCompletion([codeServerEntry(), ...common, '--install-extension', opts.vsix], env, logFile);
  }
  const extraExtensions = [...(opts.extraExtensions ?? []), ...(opts.locale ? [languagePackFolder(opts.locale)] : [])];
  for (const [index, folder] of extraExtensions.entries()) {
    // A folder copied into the extensions folder is not picked up: VS Code lists installed extensions in extensions.json.
    const vsix = path.join(runDir, `extra-${index}.vsix`);
    const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
    await runToCompletion(
      [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix],
      env,
      logFile,
      folder,
    );
    await runToCompletion([codeServerEntry(), ...common, '--install-extension', vsix], env, logFile);
  }

  if (opts.locale) registerLanguagePack(userDataDir, extensionsDir, opts.locale);

  // A fixed port already taken by another server (an earlier demo) would answer /healthz in our stead.
  const port = opts.port === undefined ? await freePort() : await claimablePort(opts.port);
  const args = [
    codeServerEntry(),
    ...common,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(opts.locale ? ['--locale', opts.locale] : []),
  ];
  const log = fs.openSync(logFile, 'a');
  // detached: its own process group, so stop() also reaches the extension host and file watchers.
  const child = spawn(node24Binary(), args, { env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const forgetOnExit = killGroupWhenWeExit(child);

  const url = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const server: CodeServer = {
    url,
    port,
    runDir,
    userDataDir,
    extensionsDir,
    logFile,
    workbenchUrl(query = {}) {
      const params = new URLSearchParams(opts.workspaceFolder ? { folder: opts.workspaceFolder } : {});
      for (const [key, value] of Object.entries(query)) params.set(key, value);
      const search = params.toString();
      return search ? `${url}/?${search}` : `${url}/`;
    },
    stop() {
      stopped ??= killProcessGroup(child).finally(forgetOnExit);
      return stopped;
    },
  };

  try {
    await waitForHealthy(url, child, logFile);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/**
 * What VS Code's language pack service writes into `languagepacks.json` when a language pack is
 * installed from the workbench; `--install-extension` (a separate CLI process) does not run that
 * service, and without this file the server resolves every locale to English.
 */
function registerLanguagePack(userDataDir: string, extensionsDir: string, locale: string): void {
  const source = languagePackFolder(locale);
  const manifest = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
    contributes: { localizations: { languageId: string; localizedLanguageName?: string; translations: { id: string; path: string }[] }[] };
  };
  const id = `${manifest.publisher}.${manifest.name}`;
  const installed = path.join(extensionsDir, `${id}-${manifest.version}`);
  if (!fs.existsSync(installed)) throw new Error(`the language pack was not installed at ${installed}`);
  const packs: Record<string, unknown> = {};
  for (const localization of manifest.contributes.localizations) {
    packs[localization.languageId] = {
      hash: crypto.createHash('md5').update(`${id}@${manifest.version}`).digest('hex'),
      extensions: [{ extensionIdentifier: { id }, version: manifest.version }],
      translations: Object.fromEntries(localization.translations.map((t) => [t.id, path.join(installed, t.path)])),
      label: localization.localizedLanguageName ?? localization.languageId,
    };
  }
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(packs, null, 2));
}

function languagePackFolder(locale: string): string {
  const folder = path.join(repoRoot, 'test', 'harness', `language-pack-${locale}`);
  if (!fs.existsSync(path.join(folder, 'package.json'))) throw new Error(`no stand-in language pack for "${locale}" in ${folder}`);
  return folder;
}

/**
 * A passing run's folder (profile, caches: tens of MB) is deleted; a failing run's is
 * kept for its logs, and its location printed. OPENAI_BATCHES_KEEP_RUNS=1 keeps all.
 */
export function settleRunDir(server: CodeServer, passed: boolean): void {
  if (passed && !process.env.OPENAI_BATCHES_KEEP_RUNS) {
    fs.rmSync(server.runDir, { recursive: true, force: true });
  } else {
    console.error(
      `[harness] run folder kept: ${server.runDir} (code-server log: ${server.logFile}, extension-host logs: ${path.join(server.userDataDir, 'logs')})`,
    );
  }
}

function createRunDir(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const name = `${stamp}-${crypto.randomBytes(2).toString('hex')}`;
  let base = path.join(repoRoot, '.vscode-test', 'runs');
  if (base.length + name.length + 1 > MAX_RUN_DIR_LENGTH) {
    // Deep checkouts (some CI workspaces) would push socket paths past the limit.
    base = path.join('/tmp', `obe-runs-${process.getuid?.() ?? 0}`);
  }
  const runDir = path.join(base, name);
  fs.mkdirSync(runDir, { recursive: true });
  return runDir;
}

function serverEnv(runDir: string, tmpDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!INHERITED_ENV_TO_DROP.test(key)) env[key] = value;
  }
  // Keep everything it writes (settings, caches, sockets, temp files) inside the run folder.
  Object.assign(env, {
    HOME: path.join(runDir, 'home'),
    XDG_CONFIG_HOME: path.join(runDir, 'home', '.config'),
    XDG_DATA_HOME: path.join(runDir, 'home', '.local', 'share'),
    XDG_CACHE_HOME: path.join(runDir, 'home', '.cache'),
    XDG_RUNTIME_DIR: tmpDir,
    TMPDIR: tmpDir,
  });
  return { ...env, ...extra };
}

function runToCompletion(args: string[], env: NodeJS.ProcessEnv, logFile: string, cwd?: string): Promise<void> {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(node24Binary(), args, { env, cwd, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`code-server ${args.slice(1).join(' ')} exited with ${code ?? signal}; see ${logFile}\n${tail(logFile)}`));
    });
  });
}

function freePort(): Promise<number> {
  return claimablePort(0);
}

/** Listens on `port` (0: any) for a moment and returns the port that worked. */
function claimablePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on 127.0.0.1 is already in use`) : error),
    );
    probe.listen(port, '127.0.0.1', () => {
      const { port: bound } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(bound));
    });
  });
}

async function waitForHealthy(url: string, child: ChildProcess, logFile: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `code-server exited with ${child.exitCode ?? child.signalCode} before it was healthy; see ${logFile}\n${tail(logFile)}`,
      );
    }
    if (await answersHealthz(url)) return;
    await delay(200);
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000}s; see ${logFile}\n${tail(logFile)}`);
}

function answersHealthz(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${url}/healthz`, { timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

async function killProcessGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child.pid, 'SIGKILL');
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child.pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // Children that ignored SIGTERM (the extension host, watchers) must not outlive the run.
  signalGroup(child.pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** If our own process dies without calling stop(), do not leave a server (and ~1 GiB) behind. */
function killGroupWhenWeExit(child: ChildProcess): () => void {
  const onExit = (): void => {
    if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  };
  process.on('exit', onExit);
  return () => process.off('exit', onExit);
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
