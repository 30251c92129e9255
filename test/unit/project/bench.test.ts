import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBench } from '../../bench/bench';
import type { BenchResults } from '../../bench/benchCommon';
import { formatTable } from '../../bench/benchTable';
import { readIntegrationFigure } from '../../bench/integrationFigures';

/** Runs the whole bench at tiny sizes, so `npm run bench` cannot rot unnoticed. */
describe('bench (tiny sizes)', function () {
  this.timeout(60_000);

  const BATCHES = 300;
  let results: BenchResults;

  before(async () => {
    results = await runBench({
      // No extension host here: activation is measured by npm run bench.
      measureActivation: false,
      batches: BATCHES,
      rounds: 2,
      warmups: 1,
      downloadMiB: 4,
      downloadRounds: 2,
      treeRuns: 3,
      resultsRequests: 200,
    });
  });

  it('reports every figure as a number, and the two integration-fed ones as a number or null', () => {
    const numeric = [
      'list_all_ms',
      'list_all_openai_sdk_ms',
      'list_all_ratio_vs_openai_sdk',
      'list_all_requests',
      'list_all_openai_sdk_requests',
      'download_mib_s',
      'download_peak_rss_delta_mib',
      'tree_build_10k_ms',
      'bundle_kib',
      'cache_load_5000_ms',
    ] as const;
    for (const key of numeric) {
      assert.equal(typeof results[key], 'number', key);
      assert.ok(Number.isFinite(results[key]), `${key} = ${results[key]}`);
      assert.ok(results[key] >= 0, `${key} = ${results[key]}`);
    }
    assert.ok(results.list_all_ms > 0 && results.download_mib_s > 0 && results.bundle_kib > 0);
    // curl may be missing on a machine; then the comparison is null with a note, never a crash.
    for (const key of ['download_curl_mib_s', 'download_ratio_vs_curl'] as const) {
      const value = results[key];
      assert.ok(value === null ? results.notes.some((n) => n.includes('curl is not installed')) : Number.isFinite(value), key);
    }
    assert.ok(results.activation_ms === null || Number.isFinite(results.activation_ms), 'activation_ms');
    assert.ok(
      results.requests_per_interaction === null || typeof results.requests_per_interaction === 'object',
      'requests_per_interaction',
    );
    assert.ok(results.machine.cores > 0 && results.machine.node.startsWith('v'));
  });

  it("reports the spread of the paired list ratios and each client's CPU time", () => {
    const { min, median, max } = results.list_all_ratio_spread;
    assert.equal(results.list_all_ratio_runs.length, 2);
    assert.ok(min > 0 && min <= median && median <= max, JSON.stringify(results.list_all_ratio_spread));
    assert.equal(median, results.list_all_ratio_vs_openai_sdk);
    for (const [who, ms] of Object.entries(results.list_all_cpu_ms)) assert.ok(Number.isFinite(ms) && ms > 0, `${who}: ${ms}`);
  });

  it("reports CPU per GiB for our download and curl's, and their ratio (or says why it is null)", () => {
    if (process.platform === 'linux') {
      assert.ok(results.download_cpu_s_per_gib !== null && results.download_cpu_s_per_gib > 0, String(results.download_cpu_s_per_gib));
      assert.equal(results.download_cpu_runs_s_per_gib.ours.length, 2);
    }
    const ratio = results.download_cpu_ratio_vs_curl;
    if (ratio === null)
      assert.ok(
        results.notes.some((n) => /curl is not installed|curl's CPU time was not measurable/.test(n)),
        'a null ratio comes with a note',
      );
    else assert.ok(Number.isFinite(ratio) && ratio > 0, String(ratio));
    const { ours, curl } = results.download_server_cpu_s_per_gib;
    if (process.platform === 'linux') assert.ok(ours !== null && ours > 0 && (curl === null || curl > 0), 'the server did work for both');
  });

  it('says whether the integration figures are fresh, stale or missing, and never shows a stale one bare', () => {
    const table = formatTable(results);
    for (const [figure, freshness] of [
      [results.activation_ms, results.activation_freshness],
      [results.requests_per_interaction, results.requests_per_interaction_freshness],
    ] as const) {
      assert.ok(['fresh', 'stale', 'missing'].includes(freshness.status), freshness.status);
      assert.equal(
        figure === null,
        freshness.status === 'missing',
        `${freshness.file}: ${freshness.status} with ${JSON.stringify(figure)}`,
      );
      assert.ok(
        results.notes.some((n) => n.includes(freshness.file)),
        `a note names ${freshness.file}`,
      );
      // Without --with-integration nothing is fresh.
      assert.notEqual(freshness.status, 'fresh');
    }
    if (results.requests_per_interaction_freshness.status === 'stale') assert.match(table, /requests: open view\s+\S+ \(stale, .+ old\)/);
    else assert.match(table, /requests: open view\s+null \(missing\)/);
  });

  it('tells a figure this run wrote from an older one and from none', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-freshness-'));
    try {
      const parse = (raw: unknown): number | null =>
        typeof (raw as { n?: unknown } | undefined)?.n === 'number' ? (raw as { n: number }).n : null;
      const missing = readIntegrationFigure(root, 'figure.json', parse, undefined);
      assert.deepEqual([missing.value, missing.freshness.status, missing.freshness.age_s], [null, 'missing', null]);

      fs.mkdirSync(path.join(root, 'test-results'));
      const file = path.join(root, 'test-results', 'figure.json');
      fs.writeFileSync(file, '{"n": 3}');
      const hourAgo = new Date(Date.now() - 3_600_000);
      fs.utimesSync(file, hourAgo, hourAgo);
      const stale = readIntegrationFigure(root, 'figure.json', parse, Date.now() - 60_000);
      assert.equal(stale.value, 3);
      assert.equal(stale.freshness.status, 'stale');
      assert.ok(Math.abs((stale.freshness.age_s ?? 0) - 3600) < 60, String(stale.freshness.age_s));
      assert.match(stale.note, /^STALE: test-results[\\/]figure\.json was written 60 min ago, not by this run$/);

      const started = Date.now() - 1000;
      fs.writeFileSync(file, '{"n": 4}');
      const fresh = readIntegrationFigure(root, 'figure.json', parse, started);
      assert.deepEqual([fresh.value, fresh.freshness.status], [4, 'fresh']);
      assert.equal(
        readIntegrationFigure(root, 'figure.json', parse, undefined).freshness.status,
        'stale',
        'not fresh unless this run started the integration suite',
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('lists with exactly ceil(N / 100) requests, for us and for the openai SDK', () => {
    assert.equal(results.list_all_requests, Math.ceil(BATCHES / 100));
    assert.equal(results.list_all_openai_sdk_requests, Math.ceil(BATCHES / 100));
  });

  it('paints from a warm cache with no request, and refreshes 1,000 loaded batches with 1 + active-beyond-page-1 requests', () => {
    assert.equal(results.first_paint_requests, 0);
    assert.equal(results.refresh_requests_1000_loaded, 1 + results.refresh_active_beyond_first_page);
    assert.ok(results.cache_file_5000_kib > 0);
  });

  it('judges every budget and prints a table', () => {
    for (const key of [
      'list_all_ratio_vs_openai_sdk',
      'download_ratio_vs_curl',
      'download_cpu_ratio_vs_curl',
      'download_peak_rss_delta_mib',
      'tree_build_10k_ms',
      'bundle_kib',
      'activation_ms',
      'requests_per_interaction.open_view',
      'requests_per_interaction.expand',
      'requests_per_interaction.load_more',
      'requests_per_interaction.double_click',
      'requests_per_interaction.refresh',
      'first_paint_requests',
      'refresh_requests_1000_loaded',
    ]) {
      const budget = results.budgets[key];
      assert.ok(budget, key);
      assert.ok(budget.pass === null || typeof budget.pass === 'boolean', key);
    }
    const table = formatTable(results);
    assert.match(table, /list all: ratio ours \/ openai/);
    assert.match(table, /PASS|MISS/);
  });
});
