/**
 * Runs the fake Batch API from the command line, for manual testing, demos and benchmarks:
 *
 *   node out/test/fake-api/cli.js --port 8787 [--host 127.0.0.1] [--key K]
 *        [--seed demo|fixture|empty|generated:N] [--tick S] [--now real|UNIX_SECONDS]
 *        [--auth-header bearer|api-key] [--api-version V] [--base-path /v1|/openai/v1|/openai]
 *        [--quirks all|statusCase,isoTimestamps,…] [--verbose]
 *
 * --tick S advances the fake clock by S seconds every S real seconds, so active batches progress.
 * --now real starts the clock at the current time, so ages read "a few seconds ago" in the UI.
 * --quirks answers as other providers do (see QUIRKS in types.ts): `all`, or names separated by commas.
 * --base-path serves the API where Azure does: `/openai/v1` (its v1 API) or `/openai` (with --api-version).
 */
import { parseArgs } from 'node:util';
import { parseQuirks, startFakeApi, type FakeApiOptions, type Quirks } from './server';

function fail(message: string): never {
  process.stderr.write(`fake-api: ${message}\n`);
  process.exit(2);
}

function parseSeed(value: string): FakeApiOptions['seed'] {
  if (value === 'demo' || value === 'fixture' || value === 'empty') return value;
  const generated = /^generated:(\d+)$/.exec(value);
  if (generated) return { generated: Number(generated[1]) };
  return fail(`unknown --seed '${value}' (expected demo, fixture, empty or generated:N)`);
}

function parsePositive(name: string, value: string, allowZero: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    fail(`--${name} needs a ${allowZero ? 'non-negative' : 'positive'} number, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      key: { type: 'string', default: 'sk-fake-test-key' },
      seed: { type: 'string', default: 'demo' },
      tick: { type: 'string' },
      now: { type: 'string' },
      'auth-header': { type: 'string', default: 'bearer' },
      'api-version': { type: 'string' },
      'base-path': { type: 'string' },
      quirks: { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  });

  const authHeader = values['auth-header'];
  if (authHeader !== 'bearer' && authHeader !== 'api-key') fail(`--auth-header must be bearer or api-key, got '${authHeader}'`);
  let now: number | undefined;
  if (values.now === 'real') now = Math.floor(Date.now() / 1000);
  else if (values.now !== undefined) now = parsePositive('now', values.now, false);

  let quirks: Quirks | undefined;
  try {
    quirks = values.quirks === undefined ? undefined : parseQuirks(values.quirks);
  } catch (error) {
    fail(`--quirks: ${error instanceof Error ? error.message : String(error)}`);
  }
  const basePath = values['base-path'];
  if (basePath !== undefined && !/^\/[\w/-]*$/.test(basePath)) fail(`--base-path must be a path such as /openai/v1, got '${basePath}'`);

  const api = await startFakeApi({
    port: values.port === undefined ? 0 : parsePositive('port', values.port, true),
    host: values.host,
    apiKey: values.key,
    seed: parseSeed(values.seed),
    authHeader,
    requireApiVersion: values['api-version'],
    basePath,
    quirks,
    now,
  });
  process.stdout.write(`Fake OpenAI Batch API on ${api.baseUrl} (key: ${api.apiKey})\n`);
  process.stderr.write(`fake-api: ${api.store.list().length} batches, clock at ${new Date(api.clock.now() * 1000).toISOString()}\n`);
  const on = Object.entries(quirks ?? {}).filter(([, enabled]) => enabled);
  if (on.length > 0) process.stderr.write(`fake-api: quirks ${on.map(([name]) => name).join(', ')}\n`);

  let ticker: NodeJS.Timeout | undefined;
  if (values.tick !== undefined) {
    const seconds = parsePositive('tick', values.tick, false);
    ticker = setInterval(() => api.clock.advance(seconds), seconds * 1000);
  }

  let logged = 0;
  const logger = values.verbose
    ? setInterval(() => {
        for (; logged < api.requests.length; logged++) {
          const r = api.requests[logged];
          const query = new URLSearchParams(r.query).toString();
          process.stderr.write(`${new Date(r.at).toISOString()} ${r.method} ${r.path}${query ? `?${query}` : ''} -> ${r.status || '…'}\n`);
        }
      }, 250)
    : undefined;

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(ticker);
    clearInterval(logger);
    process.stderr.write(`fake-api: ${signal}, shutting down\n`);
    api.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`fake-api: close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
