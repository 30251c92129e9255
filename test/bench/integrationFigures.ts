import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Freshness, RequestsPerInteraction, round } from './benchCommon';

// Figures an integration run writes

export function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A figure an integration run wrote to `test-results/<name>`, with its {@link Freshness}, and a
 * note that says where it came from (or why it is null). `integrationStartedAt` is when this
 * bench started the integration suite (undefined without `--with-integration`): only a file
 * written since counts as fresh.
 */
export function readIntegrationFigure<T>(
  root: string,
  name: string,
  parse: (raw: unknown) => T | null,
  integrationStartedAt: number | undefined,
  now = Date.now(),
): { value: T | null; freshness: Freshness; note: string } {
  const file = path.join('test-results', name);
  const value = parse(readJson(path.join(root, file)));
  if (value === null)
    return {
      value,
      freshness: { status: 'missing', file, written_at: null, age_s: null },
      note: `missing: no integration run wrote ${file}`,
    };
  const written = fs.statSync(path.join(root, file)).mtimeMs;
  const age = Math.max(0, Math.round((now - written) / 1000));
  const fresh = integrationStartedAt !== undefined && written >= integrationStartedAt;
  const freshness: Freshness = { status: fresh ? 'fresh' : 'stale', file, written_at: new Date(written).toISOString(), age_s: age };
  const note = fresh
    ? `fresh: written by this run's integration suite (${file})`
    : `STALE: ${file} was written ${formatAge(age)} ago, not by this run`;
  return { value, freshness, note };
}

/** e.g. `42 s`, `17 min`, `3.2 h`, `5.0 days`. */
export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

export function parseActivation(raw: unknown): number | null {
  const data = raw as { activation_ms?: unknown } | undefined;
  return data && typeof data.activation_ms === 'number' && Number.isFinite(data.activation_ms) ? round(data.activation_ms, 2) : null;
}

export const INTERACTIONS: (keyof RequestsPerInteraction)[] = ['open_view', 'expand', 'load_more', 'double_click', 'refresh'];
export const INTERACTION_BUDGET: RequestsPerInteraction = { open_view: 1, expand: 0, load_more: 1, double_click: 1, refresh: 1 };

export function parseRequests(raw: unknown): RequestsPerInteraction | null {
  const outer = raw as Record<string, unknown> | undefined;
  const data = (outer && typeof outer.requests_per_interaction === 'object' ? outer.requests_per_interaction : outer) as
    Record<string, unknown> | undefined;
  if (!data || !INTERACTIONS.every((key) => typeof data[key] === 'number')) return null;
  return Object.fromEntries(INTERACTIONS.map((key) => [key, data[key] as number])) as unknown as RequestsPerInteraction;
}

/** Runs the integration suite; returns when it started, so the files it writes can be told from older ones. */
export function runIntegration(root: string, notes: string[], log: (line: string) => void): number {
  log('Running npm run test:integration for activation and request figures…');
  const started = Date.now();
  // The suite needs the harness (a real VS Code); on a fresh machine nothing else has installed it.
  const install = spawnSync('bash', ['test/harness/install.sh'], { cwd: root, stdio: 'inherit' });
  const result = install.status === 0 ? spawnSync('npm', ['run', 'test:integration'], { cwd: root, stdio: 'inherit' }) : install;
  if (install.status !== 0)
    notes.push('--with-integration: the harness install failed (see its output); no integration figures were refreshed.');
  else if (result.status !== 0)
    notes.push(
      `--with-integration: npm run test:integration exited ${result.status ?? result.signal}; figures it did not write are stale or missing (see below).`,
    );
  return started;
}

/**
 * The short run of the real extension host every bench makes: only the measurements suite
 * (activation time, requests per interaction), in code-server, from the bundle this bench just
 * built. Returns when it started (so its files count as fresh) and how long it took.
 */
export function runMeasurements(root: string, notes: string[], log: (line: string) => void): { startedAt: number; seconds: number } {
  log('Measuring activation in a real extension host (the measurements suite only)…');
  const startedAt = Date.now();
  const result = spawnSync(process.execPath, [path.join('out', 'test', 'integration', 'runTest.js')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, OPENAI_BATCHES_TEST_FILES: 'measurements.test' },
  });
  const seconds = Math.round((Date.now() - startedAt) / 100) / 10;
  if (result.status !== 0)
    notes.push(
      `activation: the measurements run exited ${result.status ?? result.signal} after ${seconds} s (is the harness installed? npm run harness:install); its figures are stale or missing.`,
    );
  return { startedAt, seconds };
}
