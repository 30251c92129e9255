// What test/harness/vscode-launcher runs: @vscode/test-electron believes it is starting a
// VS Code desktop binary; instead this starts code-server with the smoke-test driver and
// has Chromium open a workbench whose URL payload runs the extension tests in the real
// Node extension host (test/harness/README.md, "How a suite gets a VS Code").
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import { launchBrowser, LaunchedBrowser, saveScreenshot } from './browser';
import { CodeServer, settleRunDir, startCodeServer } from './codeServer';

const HARD_TIMEOUT_MS = Number(process.env.OPENAI_BATCHES_TEST_TIMEOUT_MS) || 10 * 60_000;

interface LauncherArgs {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  workspaceFolder?: string;
  /** `--locale=de`: a workbench in that display language (see CodeServerOptions.locale). */
  locale?: string;
}

/**
 * Picks out what matters from the desktop CLI arguments test-electron passes
 * (`--extensionDevelopmentPath=`, `--extensionTestsPath=`, the folder to open) and
 * ignores the rest (`--no-sandbox`, `--user-data-dir=`, ...), which have no meaning here.
 */
export function parseLauncherArgs(argv: string[]): LauncherArgs {
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--(extensionDevelopmentPath|extensionTestsPath|locale)(?:=(.*))?$/.exec(arg);
    if (match) values.set(match[1], match[2] ?? argv[++i]);
    else if (!arg.startsWith('-')) positional.push(arg);
  }
  const extensionDevelopmentPath = values.get('extensionDevelopmentPath');
  const extensionTestsPath = values.get('extensionTestsPath');
  if (!extensionDevelopmentPath || !extensionTestsPath) {
    throw new Error(`expected --extensionDevelopmentPath= and --extensionTestsPath=, got: ${argv.join(' ')}`);
  }
  return {
    extensionDevelopmentPath: path.resolve(extensionDevelopmentPath),
    extensionTestsPath: path.resolve(extensionTestsPath),
    workspaceFolder: positional[0] && path.resolve(positional[0]),
    locale: values.get('locale'),
  };
}

/**
 * The smoke-test driver sends every workbench log line here, the extension host's
 * console (mocha's reporter, printf-style) among them, with nothing to tell them
 * apart. Keep the console readable by dropping the workbench's own start-up chatter
 * and the offline gallery's ENOTFOUND; all of it is still in the run's workbench.log.
 */
const WORKBENCH_CHATTER =
  /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|Updating additional builtin extensions cache|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\]|\[driver\])|getaddrinfo ENOTFOUND/;

function showOnConsole(level: string, line: string): boolean {
  if (process.env.OPENAI_BATCHES_TEST_VERBOSE) return true;
  return level !== 'trace' && level !== 'debug' && !WORKBENCH_CHATTER.test(line);
}

async function main(): Promise<number> {
  const args = parseLauncherArgs(process.argv.slice(2));
  let server: CodeServer | undefined;
  let browser: LaunchedBrowser | undefined;
  let cleanedUp: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleanedUp ??= (async () => {
      await browser?.close().catch(() => undefined);
      await server?.stop();
    })());

  // test-electron forwards Ctrl+C as SIGINT; leave no server or browser behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`[launcher] ${signal}: stopping code-server`);
      void cleanUp().finally(() => process.exit(1));
    });
  }

  let settle!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => (settle = resolve));
  // Covers start-up too: a workbench that never loads must not hang CI.
  const timer = setTimeout(() => {
    console.error(`[launcher] tests did not finish within ${HARD_TIMEOUT_MS / 1000}s; giving up`);
    settle(1);
  }, HARD_TIMEOUT_MS);

  const start = async (): Promise<void> => {
    server = await startCodeServer({ workspaceFolder: args.workspaceFolder, smokeTestDriver: true, locale: args.locale });
    browser = await launchBrowser({ origin: server.url, profileDir: path.join(server.runDir, 'chromium') });
    const { page } = browser;
    const workbenchLog = path.join(server.runDir, 'workbench.log');
    await page.exposeFunction('codeAutomationLog', (level: string, logArgs: unknown[]) => {
      const line = util.format(...logArgs);
      fs.appendFileSync(workbenchLog, `[${level}] ${line}\n`);
      if (showOnConsole(level, line)) (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
    });
    await page.exposeFunction('codeAutomationExit', (exit: unknown) => settle(Number(exit)));
    page.on('pageerror', (error) => console.error(`[launcher] page error: ${error.message}`));

    const remote = (file: string): string => `vscode-remote://127.0.0.1:${server!.port}${file}`;
    const payload = [
      ['extensionDevelopmentPath', remote(args.extensionDevelopmentPath)],
      ['extensionTestsPath', remote(args.extensionTestsPath)],
      ['skipWelcome', 'true'],
    ];
    await page.goto(server.workbenchUrl({ payload: JSON.stringify(payload) }), { timeout: 120_000 });
  };

  start().catch((error: unknown) => {
    console.error(`[launcher] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    settle(1);
  });
  // Whatever comes first: the workbench's verdict, a start-up failure, or the hard timeout.
  // Anything start() still launches after that dies with this process (exit handlers).
  const code = await exitCode;
  clearTimeout(timer);
  if (code !== 0 && browser) {
    const shot = await saveScreenshot(browser.page, 'integration-failure');
    console.error(`[launcher] exit code ${code}; screenshot: ${shot ?? 'none'}`);
  }
  await cleanUp();
  if (server) settleRunDir(server, code === 0);
  return code;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
