import * as assert from 'node:assert/strict';
import { runFilesBench } from '../../bench/filesBench';

/** Runs the files bench at a tiny size, so it cannot rot unnoticed. */
describe('files bench (tiny size)', function () {
  this.timeout(60_000);

  it('lists every file, paged and whole, and reports each figure as a number', async () => {
    const figures = await runFilesBench({ files: 450, batches: 50, runs: 1 });
    assert.equal(figures.files, 450);
    // 225 of each purpose, 100 a page: 3 requests each.
    assert.equal(figures.files_list_paged_requests, 6);
    for (const key of ['files_list_paged_ms', 'files_list_one_request_ms', 'files_describe_ms'] as const) {
      assert.equal(typeof figures[key], 'number', key);
      assert.ok(Number.isFinite(figures[key]) && figures[key] >= 0, `${key}: ${figures[key]}`);
    }
  });
});
