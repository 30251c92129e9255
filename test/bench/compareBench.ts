/**
 * Compare two 50,000-request chat runs at real size: memory and time to the first rows.
 * `npm run compile-tests && node --expose-gc out/test/bench/compareBench.js` (BENCH_COMPARE_REQUESTS
 * to change the size). Writes the two runs' files (input shared, ~1.2 KB answers, 1 in 10 rows
 * different, most answers longer than the preview so the background check reads them back), then
 * measures, as the compare view opens them (both indexed at once, taking turns in one worker thread): the
 * first page of the rows both runs have so far, each index, the join, the background check of
 * long answers, a JSONL export; the event-loop delay while indexing; and the process RSS growth
 * over its level before the first index (peak, sampled).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { Comparison } from '../../src/core/compare/comparison';
import { indexProgressively } from '../../src/core/results/progressiveIndex';

const MiB = 1024 * 1024;
const requests = Number(process.env.BENCH_COMPARE_REQUESTS ?? 50_000);

async function write(path: string, lines: (i: number) => string): Promise<number> {
  const out = createWriteStream(path);
  for (let i = 0; i < requests; i++) {
    if (!out.write(`${lines(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return (await stat(path)).size;
}

const paragraph =
  'The review praises the food and the friendly staff, but it criticises the long wait for a table and the noise in the dining room. ';

function answer(i: number, run: 'a' | 'b'): string {
  // ~1.2 KB; 1 in 10 rows differs at the end (beyond the 300-character preview), 1 in 50 at the start.
  const start = run === 'b' && i % 50 === 0 ? 'Mostly negative. ' : 'Mostly positive. ';
  const end = run === 'b' && i % 10 === 0 ? 'Overall: 3 of 5.' : 'Overall: 4 of 5.';
  return `${start}${paragraph.repeat(9)}${end}`;
}

function result(i: number, run: 'a' | 'b'): string {
  const id = `req-${i}`;
  return JSON.stringify({
    id: `batch_req_${run}_${i}`,
    custom_id: id,
    response: {
      status_code: 200,
      request_id: `req_${run}_${i}`,
      body: {
        id: `chatcmpl-${run}${i}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: run === 'a' ? 'gpt-4o-mini-2024-07-18' : 'gpt-4.1-mini-2025-04-14',
        choices: [{ index: 0, message: { role: 'assistant', content: answer(i, run), refusal: null }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 180, completion_tokens: 260, total_tokens: 440, prompt_tokens_details: { cached_tokens: 0 } },
      },
    },
    error: null,
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'compare-bench-'));
  try {
    const input = join(dir, 'input.jsonl');
    const outputA = join(dir, 'a.jsonl');
    const outputB = join(dir, 'b.jsonl');
    const sizes = {
      input: await write(input, (i) =>
        JSON.stringify({
          custom_id: `req-${i}`,
          method: 'POST',
          url: '/v1/chat/completions',
          body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Summarise review ${i}: ${paragraph}` }] },
        }),
      ),
      a: await write(outputA, (i) => result(i, 'a')),
      b: await write(outputB, (i) => result(i, 'b')),
    };
    // B's output in another order, as the API writes it, is not needed: the join does not depend on it.
    global.gc?.();
    const base = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const t0 = performance.now();
    const endpoint = '/v1/chat/completions';
    // As the compare view opens them: both at once, taking turns in one shared worker, results first.
    const openA = indexProgressively({ input, output: outputA }, { endpoint, expected: requests });
    const openB = indexProgressively({ input, output: outputB }, { endpoint, expected: requests });
    let tA = 0;
    let tB = 0;
    void openA.done.then(() => (tA = performance.now()));
    void openB.done.then(() => (tB = performance.now()));
    // What the view shows while indexing: the rows both runs have so far, looked for every 150 ms.
    let partialFirstMs: number | undefined;
    let partialRows = 0;
    while (!(openA.index.complete && openB.index.complete)) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (partialFirstMs !== undefined) continue;
      const rowsA = openA.index.inInputOrder();
      const rowsB = openB.index.inInputOrder();
      const idsA = new Set(rowsA.map((row) => row.customId));
      const idsB = new Set(rowsB.map((row) => row.customId));
      const partial = new Comparison(
        { rows: rowsA.filter((row) => idsB.has(row.customId)), sources: [{ input, output: outputA }], endpoint },
        { rows: rowsB.filter((row) => idsA.has(row.customId)), sources: [{ input, output: outputB }], endpoint },
      );
      partialRows = partial.page('all', '', 0, 200).rows.length;
      if (partialRows >= Math.min(200, requests)) partialFirstMs = performance.now() - t0;
    }
    const [a, b] = await Promise.all([openA.done, openB.done]);
    const tIndexed = performance.now();
    // The peak of each phase: opening (both indexed and joined), the background read-back, the export.
    const peakOpening = (): number => Math.max(peak, process.memoryUsage().rss);
    let peakOpen = 0;
    let peakSettle = 0;
    lag.disable();
    const comparison = new Comparison(
      { rows: a.inInputOrder(), sources: [{ input, output: outputA }], endpoint },
      { rows: b.inInputOrder(), sources: [{ input, output: outputB }], endpoint },
    );
    const counts = comparison.counts();
    const matrix = comparison.agreement();
    const first = comparison.page('all', '', 0, 200);
    const tFirst = performance.now();
    peakOpen = peakOpening();
    peak = process.memoryUsage().rss;
    await comparison.settlePending(new AbortController().signal, () => undefined);
    const tSettled = performance.now();
    peakSettle = Math.max(peak, process.memoryUsage().rss);
    peak = process.memoryUsage().rss;
    const settled = comparison.counts();
    await comparison.exportRows(comparison.find('all', ''), 'jsonl', join(dir, 'export.jsonl'), { cost: () => null });
    const tExport = performance.now();
    const peakExport = Math.max(peak, process.memoryUsage().rss);
    peak = Math.max(peakOpen, peakSettle, peakExport);
    clearInterval(sampler);
    global.gc?.();
    const retained = process.memoryUsage().rss - base;
    const figures = {
      requests,
      input_mib: +(sizes.input / MiB).toFixed(1),
      output_a_mib: +(sizes.a / MiB).toFixed(1),
      output_b_mib: +(sizes.b / MiB).toFixed(1),
      index_a_ms: Math.round(tA - t0),
      index_b_ms: Math.round(tB - t0),
      join_and_first_page_ms: Math.round(tFirst - tIndexed),
      time_to_all_rows_ms: Math.round(tFirst - t0),
      time_to_first_rows_ms: partialFirstMs === undefined ? null : Math.round(partialFirstMs),
      event_loop_lag_p99_while_indexing_ms: +(lag.percentile(99) / 1e6).toFixed(1),
      loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
      first_page_rows: first.rows.length,
      pending_at_first_rows: counts.pending,
      background_check_ms: Math.round(tSettled - tFirst),
      export_jsonl_ms: Math.round(tExport - tSettled),
      same: settled.same,
      different: settled.different,
      matrix: matrix ? 'built' : 'none (answers are not labels)',
      rss_peak_growth_mib: +((peak - base) / MiB).toFixed(1),
      rss_peak_growth_by_phase_mib: {
        open: +((peakOpen - base) / MiB).toFixed(1),
        background_check: +((peakSettle - base) / MiB).toFixed(1),
        export: +((peakExport - base) / MiB).toFixed(1),
      },
      rss_retained_mib_after_gc: +(retained / MiB).toFixed(1),
      heap_used_after_gc_mib: +(process.memoryUsage().heapUsed / MiB).toFixed(1),
      heap_used_before_mib: +(heapBefore / MiB).toFixed(1),
    };
    console.log(JSON.stringify(figures, null, 2));
    // Kept reachable until measured.
    if (a.rows.length + b.rows.length === 0) console.log('no rows');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
