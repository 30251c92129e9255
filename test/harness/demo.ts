// `npm run demo`: a browser VS Code with the packaged extension, talking to the fake
// API (seed "demo", its clock running so active batches progress), or to the
// real API when OPENAI_API_KEY is set. Either way the key reaches the extension through
// code-server's environment (OPENAI_API_KEY, OPENAI_BASE_URL), as it would from a shell
// where the OpenAI SDKs work: nothing to paste. Ctrl+C stops everything it started.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { startFakeApi } from '../fake-api/server';
import { CodeServer, settleRunDir, startCodeServer } from './codeServer';
import { packagedVsix, repoRoot, scratchWorkspace } from './paths';

const DEMO_KEY = 'sk-demo-batch-explorer';
const TICK_INTERVAL_MS = 5_000;

async function main(): Promise<void> {
  const install = spawnSync('bash', [path.join(repoRoot, 'test', 'harness', 'install.sh')], { stdio: 'inherit' });
  if (install.status !== 0) {
    // install.sh has printed the failing command, its output's tail and a "harness install failed" line.
    throw new Error(
      `stopped: the harness install failed (bash test/harness/install.sh, exit ${install.status ?? install.signal}); the demo was not started.`,
    );
  }
  if (!fs.existsSync(packagedVsix)) throw new Error(`${packagedVsix} is missing: run \`npm run package\` first.`);

  const port = Number(process.env.PORT) || 8080;
  const realKey = Boolean(process.env.OPENAI_API_KEY);
  // The fake's clock starts at, and keeps pace with, the real one (like its CLI's `--now real --tick`),
  // so active batches progress while you watch and ages in the tree read true.
  const fake = realKey ? undefined : await startFakeApi({ seed: 'demo', apiKey: DEMO_KEY, now: Math.floor(Date.now() / 1000) });
  let lastTick = Date.now();
  const ticker =
    fake &&
    setInterval(() => {
      const now = Date.now();
      fake.clock.advance((now - lastTick) / 1000);
      lastTick = now;
    }, TICK_INTERVAL_MS);
  const baseUrl = fake?.baseUrl ?? process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  // What the extension reads as the SDKs do (see src/core/environment.ts); OPENAI_BATCHES_DEMO=1
  // makes the view say it shows the demo API.
  const env: Record<string, string> = fake
    ? { OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.baseUrl, OPENAI_BATCHES_DEMO: '1' }
    : Object.fromEntries(
        ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID'].flatMap((name) => {
          const value = process.env[name];
          return value ? [[name, value]] : [];
        }),
      );

  const workspaceFolder = scratchWorkspace();
  let server: CodeServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (ticker) clearInterval(ticker);
      await server?.stop();
      if (server) settleRunDir(server, true);
      await fake?.close();
      fs.rmSync(workspaceFolder, { recursive: true, force: true });
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log('\nStopping the demo…');
      void stop().finally(() => process.exit(0));
    });
  }

  try {
    server = await startCodeServer({
      port,
      vsix: packagedVsix,
      workspaceFolder,
      env,
      // With the fake's clock moving, let the tree show batches progressing on their own.
      settings: fake ? { 'openaiBatches.autoRefreshSeconds': 5 } : {},
    });
  } catch (error) {
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.includes('already in use') ? `${message}: set PORT to use another` : message);
  }

  // The key itself is never printed: it is in code-server's environment.
  console.log(`
OpenAI Batch Explorer demo is running.

  Open:        ${server.workbenchUrl()}
               then click the OpenAI Batches icon in the activity bar: the batches are there, with the Get Started walkthrough beside them
  API:         ${baseUrl}${fake ? ' (fake API, seed "demo", clock advancing)' : ''}
  Key:         ${fake ? 'the demo key, from the environment: nothing to paste' : 'OPENAI_API_KEY from your environment (not stored; "Store It" in the view keeps it)'}

Press Ctrl+C to stop.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
