import * as assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { RESULTS_BENCH_BUDGETS, runResultsBench } from '../../bench/resultsBench';

/** Runs the results bench at a tiny size, so it cannot rot unnoticed. */
describe('results bench (tiny size)', function () {
  this.timeout(60_000);

  it('reports every figure as a finite number and deletes its files', async () => {
    const before = (await readdir(tmpdir())).filter((name) => name.startsWith('obe-results-bench-'));
    const figures = await runResultsBench({ requests: 200, runs: 1 });
    const numeric = [
      'results_open_1_5gb_ms',
      'results_rss_delta_mib',
      'results_search_ms',
      'results_sort_ms',
      'results_filter_ms',
      'results_detail_ms',
      'results_export_csv_ms',
      'results_input_mib',
      'results_output_mib',
      'results_generate_s',
    ] as const;
    for (const key of numeric) assert.ok(Number.isFinite(figures[key]), `${key} = ${figures[key]}`);
    for (const [key, ms] of Object.entries(figures.results_sort_by_key_ms))
      assert.ok(Number.isFinite(ms) && ms >= 0, `sort by ${key} = ${ms}`);
    for (const key of Object.keys(RESULTS_BENCH_BUDGETS)) assert.ok(key in figures, key);
    assert.equal(figures.results_rows, 200);
    assert.ok(figures.results_output_mib > 5, `${figures.results_output_mib} MiB of output for 200 embeddings of 1,536 dimensions`);
    // Only the note that the size was not the full one: the rows read as embeddings and no vector was shown.
    assert.deepEqual(
      figures.notes.map((note) => note.split(' ')[0]),
      ['results_open_1_5gb_ms'],
    );
    const after = (await readdir(tmpdir())).filter((name) => name.startsWith('obe-results-bench-'));
    assert.deepEqual(after, before);
  });
});
