import * as assert from 'node:assert/strict';
import { BenchResults, formatTable, runBench } from '../bench/bench';

/** Runs the whole bench at tiny sizes, so `npm run bench` cannot rot unnoticed. */
describe('bench (tiny sizes)', function () {
  this.timeout(60_000);

  const BATCHES = 300;
  let results: BenchResults;

  before(async () => {
    results = await runBench({ batches: BATCHES, rounds: 2, warmups: 1, downloadMiB: 4, downloadRounds: 2, treeRuns: 3 });
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
    assert.ok(results.requests_per_interaction === null || typeof results.requests_per_interaction === 'object', 'requests_per_interaction');
    assert.ok(results.machine.cores > 0 && results.machine.node.startsWith('v'));
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
    for (const key of ['list_all_ratio_vs_openai_sdk', 'download_ratio_vs_curl', 'download_peak_rss_delta_mib', 'tree_build_10k_ms', 'bundle_kib', 'activation_ms', 'requests_per_interaction.open_view', 'requests_per_interaction.expand', 'requests_per_interaction.load_more', 'requests_per_interaction.double_click', 'requests_per_interaction.refresh', 'first_paint_requests', 'refresh_requests_1000_loaded']) {
      const budget = results.budgets[key];
      assert.ok(budget, key);
      assert.ok(budget.pass === null || typeof budget.pass === 'boolean', key);
    }
    const table = formatTable(results);
    assert.match(table, /list all: ratio ours \/ openai/);
    assert.match(table, /PASS|MISS/);
  });
});
