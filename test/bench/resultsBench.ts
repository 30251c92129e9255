/**
 * The results view at real size (issue "Real sizes"): a 50,000-request embeddings batch whose
 * input is about 200 MB and whose output about 1.5 GB (1,536 dimensions, about 30 KB a line).
 * The files are generated on disk, streamed with backpressure, then opened with the real
 * ResultsIndex (the code the results panel runs, without the webview) while the process RSS is
 * sampled every 50 ms; search and sort are timed over all rows; the files are deleted after.
 *
 * `runResultsBench()` is exported for bench.ts and for the unit test, which runs it at a tiny
 * size. Standalone: `node --expose-gc out/test/bench/resultsBench.js [requests]`.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { indexProgressively } from '../../src/core/results/progressiveIndex';
import { RowFinder, type RowQuery, SORT_KEYS, type SortKey } from '../../src/core/results/resultsQuery';
import { ROWS_PER_PAGE } from '../../src/webview/results/protocol';

const MiB = 1024 * 1024;

export interface ResultsBenchOptions {
  /** Requests in the batch. Default 50,000 (BENCH_RESULTS_REQUESTS). */
  requests?: number;
  /** Dimensions of each embedding. Default 1,536. */
  dimensions?: number;
  /** Bytes of each input line. Default 4,000, so 50,000 requests make a 200 MB input file. */
  inputLineBytes?: number;
  /** Where the files are written (a fresh directory inside it, deleted afterwards). Default os.tmpdir(). */
  tmpDir?: string;
  /**
   * Keep the generated files in this folder and reuse them in the next run (1.7 GB take a minute
   * to write). Default: none, a fresh folder deleted afterwards.
   */
  cacheDir?: string;
  /** Timed runs of each search and sort; the median is reported. Default 3. */
  runs?: number;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
  /**
   * The index's worker script. bench.ts passes the one the extension ships (`dist/resultsWorker.js`,
   * just built); default the compiled one beside the index (`out/`), which loads module by module.
   */
  workerScript?: string;
}

export interface ResultsBenchFigures {
  /** Opening the results: reading and joining all three files, all rows ready (ms); the same as results_index_ms. */
  results_open_1_5gb_ms: number;
  /** From opening to a first page of rows with their results, as the panel shows it while indexing goes on (ms). */
  results_first_rows_ms: number;
  /** The whole index, in its worker thread, to the last row on this thread (ms). */
  results_index_ms: number;
  /** A plain read of the same three files that only counts newlines: the floor (ms). */
  results_scan_ms: number;
  results_index_ratio_vs_scan: number;
  /** The 99th percentile of this thread's event-loop delay while the index was built (ms). */
  results_event_loop_lag_p99_ms: number;
  /** Diagnostics: the longest event-loop delay while the index was built (ms). */
  results_event_loop_lag_max_ms: number;
  /** Peak growth of the process RSS over its level before opening, while opening, searching, sorting and exporting (MiB). */
  results_rss_delta_mib: number;
  /** A search over all rows (custom_id and answer), median over several texts (ms). */
  results_search_ms: number;
  /** Sorting all rows by the slowest column, never sorted before (ms). */
  results_sort_ms: number;
  /** Diagnostics: the first sort by each column (ms). */
  results_sort_by_key_ms: Record<SortKey, number>;
  /** Keeping only the failed rows (ms). */
  results_filter_ms: number;
  /** Expanding one row: its request and result read back by offset (ms). */
  results_detail_ms: number;
  /** A streamed CSV export of all rows (ms). */
  results_export_csv_ms: number;
  results_rows: number;
  results_input_mib: number;
  results_output_mib: number;
  /** Writing the files, not part of any figure (s). */
  results_generate_s: number;
  notes: string[];
}

/** Budgets for bench.ts to judge the figures by: what "usable" means at this size. */
export const RESULTS_BENCH_BUDGETS = {
  results_open_1_5gb_ms: 15_000,
  results_first_rows_ms: 1000,
  results_index_ratio_vs_scan: 2,
  results_event_loop_lag_p99_ms: 50,
  results_rss_delta_mib: 150,
  results_search_ms: 100,
  results_sort_ms: 150,
} as const;

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function timed(body: () => unknown): { ms: number } {
  const started = performance.now();
  body();
  return { ms: performance.now() - started };
}

const customId = (i: number): string => `request-${String(i).padStart(6, '0')}`;

/** Every 50th request fails (error file), every 500th has no result. */
const fails = (i: number): boolean => i % 50 === 7;
const missing = (i: number): boolean => i % 500 === 3;

/** Writes lines to a file with backpressure: at most one write buffer is ever held. */
async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(file, { highWaterMark: MiB });
  try {
    for (const line of lines) if (!out.write(line)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
  } finally {
    out.destroy();
  }
  return (await stat(file)).size;
}

function* inputLines(requests: number, lineBytes: number): Generator<string> {
  const words = 'the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing matches'.split(' ');
  let text = '';
  for (let i = 0; text.length < lineBytes; i++) text += `${words[i % words.length]} `;
  for (let i = 0; i < requests; i++) {
    const head = `{"custom_id":"${customId(i)}","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":"`;
    const tail = '"}}\n';
    yield `${head}${text.slice(0, Math.max(1, lineBytes - head.length - tail.length))}${tail}`;
  }
}

/** A few unit vectors, written as JSON numbers at full precision (about 20 characters each, as the API writes them). */
function vectorTexts(dimensions: number, count: number): string[] {
  const texts: string[] = [];
  for (let v = 0; v < count; v++) {
    const values = Array.from({ length: dimensions }, () => Math.random() * 2 - 1);
    const norm = Math.sqrt(values.reduce((sum, x) => sum + x * x, 0));
    texts.push(JSON.stringify(values.map((x) => (x / norm) * (0.999 + v / 10_000))));
  }
  return texts;
}

/** Results in an order unlike the input's (a stride through it), as the API returns them. */
function resultOrder(requests: number): number[] {
  const stride = 7919;
  const order = Array.from({ length: requests }, (_, i) => (requests % stride === 0 ? requests - 1 - i : (i * stride) % requests));
  return order.filter((i) => !missing(i));
}

function* outputLines(order: readonly number[], vectors: readonly string[]): Generator<string> {
  for (const i of order) {
    if (fails(i)) continue;
    const id = customId(i);
    const body = `{"object":"list","data":[{"object":"embedding","index":0,"embedding":${vectors[i % vectors.length]}}],"model":"text-embedding-3-small","usage":{"prompt_tokens":${800 + (i % 97)},"total_tokens":${800 + (i % 97)}}}`;
    yield `{"id":"batch_req_${id}","custom_id":"${id}","response":{"status_code":200,"request_id":"req_${id}","body":${body}},"error":null}\n`;
  }
}

function* errorLines(order: readonly number[]): Generator<string> {
  for (const i of order) {
    if (!fails(i)) continue;
    const id = customId(i);
    yield `{"id":"batch_req_${id}","custom_id":"${id}","response":{"status_code":400,"request_id":"req_${id}","body":{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}},"error":null}\n`;
  }
}

/** A plain read of a file that only counts its newlines: what reading the bytes costs, with nothing done with them. */
async function countNewlines(file: string): Promise<number> {
  const handle = await open(file, 'r');
  const buffer = Buffer.allocUnsafe(MiB);
  let lines = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return lines;
      for (let at = buffer.indexOf(10); at >= 0 && at < bytesRead; at = buffer.indexOf(10, at + 1)) lines++;
    }
  } finally {
    await handle.close();
  }
}

/** The batch's files in `cacheDir`, written the first time and reused after; or in a fresh folder. */
async function batchFiles(
  options: ResultsBenchOptions,
  requests: number,
): Promise<{ dir: string; keep: boolean; paths: EmbeddingsBatchFiles; inputBytes: number; outputBytes: number; generateS: number }> {
  const keep = options.cacheDir !== undefined;
  const dir = options.cacheDir ?? (await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'obe-results-bench-')));
  await mkdir(dir, { recursive: true });
  const paths = { input: path.join(dir, 'input.jsonl'), output: path.join(dir, 'output.jsonl'), error: path.join(dir, 'error.jsonl') };
  const marker = path.join(dir, 'written.json');
  const wanted = { requests, dimensions: options.dimensions ?? 1536, inputLineBytes: options.inputLineBytes ?? 4000 };
  if (keep) {
    try {
      const written = JSON.parse(await readFile(marker, 'utf8')) as typeof wanted & { inputBytes: number; outputBytes: number };
      if (
        written.requests === wanted.requests &&
        written.dimensions === wanted.dimensions &&
        written.inputLineBytes === wanted.inputLineBytes
      )
        return { dir, keep, paths, inputBytes: written.inputBytes, outputBytes: written.outputBytes, generateS: 0 };
    } catch {
      // Not written yet, or by another version: write them.
    }
  }
  const generating = performance.now();
  const { inputBytes, outputBytes } = await writeEmbeddingsBatch(paths, wanted);
  if (keep) await writeFile(marker, JSON.stringify({ ...wanted, inputBytes, outputBytes }));
  return { dir, keep, paths, inputBytes, outputBytes, generateS: (performance.now() - generating) / 1000 };
}

/** Samples the process RSS every `intervalMs` and keeps the highest. */
class RssSampler {
  readonly baseline: number;
  private peak: number;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.baseline = process.memoryUsage.rss();
    this.peak = this.baseline;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return (this.peak - this.baseline) / MiB;
  }
}

export interface EmbeddingsBatchFiles {
  input: string;
  output: string;
  error: string;
}

/**
 * Writes an embeddings batch's three files, streamed: `requests` input lines of about
 * `inputLineBytes`, results in another order (every 50th failed, every 500th missing).
 */
export async function writeEmbeddingsBatch(
  paths: EmbeddingsBatchFiles,
  options: Pick<ResultsBenchOptions, 'requests' | 'dimensions' | 'inputLineBytes'> = {},
): Promise<{ inputBytes: number; outputBytes: number; succeeded: number; failed: number }> {
  const requests = options.requests ?? 50_000;
  const order = resultOrder(requests);
  const inputBytes = await writeLines(paths.input, inputLines(requests, options.inputLineBytes ?? 4000));
  const outputBytes = await writeLines(paths.output, outputLines(order, vectorTexts(options.dimensions ?? 1536, 61)));
  await writeLines(paths.error, errorLines(order));
  const failed = order.filter(fails).length;
  return { inputBytes, outputBytes, succeeded: order.length - failed, failed };
}

/** Generates the batch's files, opens, searches and sorts them, and deletes them. */
export async function runResultsBench(options: ResultsBenchOptions = {}): Promise<ResultsBenchFigures> {
  const requests = options.requests ?? 50_000;
  const runs = options.runs ?? 3;
  const log = options.log ?? (() => undefined);
  const notes: string[] = [];
  const files = await batchFiles(options, requests);
  const { dir, paths, inputBytes, outputBytes, generateS } = files;
  try {
    log(
      files.generateS > 0
        ? `results: wrote ${(inputBytes / MiB).toFixed(0)} MiB of input and ${(outputBytes / MiB).toFixed(0)} MiB of output in ${generateS.toFixed(1)} s`
        : `results: reusing ${(inputBytes / MiB).toFixed(0)} MiB of input and ${(outputBytes / MiB).toFixed(0)} MiB of output in ${dir}`,
    );

    // The floor: the same bytes read, counting newlines only. Read once untimed first, so the scan and
    // the index both find the files in the page cache (a cold first read took 3.0 s against 0.5 s warm,
    // which made the ratio flatter the index).
    for (const file of [paths.input, paths.output, paths.error]) await countNewlines(file);
    let scanned = 0;
    const scanning = performance.now();
    for (const file of [paths.input, paths.output, paths.error]) scanned += await countNewlines(file);
    const scanMs = performance.now() - scanning;
    log(`results: plain scan of ${scanned} lines in ${scanMs.toFixed(0)} ms`);

    gc();
    const rss = new RssSampler(50);
    const byLine: RowQuery = { outcome: 'all', search: '', sortKey: 'line', descending: false };
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const opening = performance.now();
    let firstRowsMs: number | undefined;
    const progressive = indexProgressively(paths, {
      endpoint: '/v1/embeddings',
      expected: requests,
      workerScript: options.workerScript,
      onRows: () => {
        // What the panel does when told more rows are in: ask for the first page again.
        if (
          firstRowsMs === undefined &&
          progressive.index.page(byLine, 0, ROWS_PER_PAGE).rows.length >= Math.min(ROWS_PER_PAGE, requests - 1)
        )
          firstRowsMs = performance.now() - opening;
      },
    });
    const index = await progressive.done;
    const firstPage = index.page(byLine, 0, ROWS_PER_PAGE);
    const openMs = performance.now() - opening;
    lag.disable();
    firstRowsMs ??= openMs;
    log(
      `results: ${index.rows.length} rows, first page in ${firstRowsMs.toFixed(0)} ms, all in ${openMs.toFixed(0)} ms; event loop p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms`,
    );
    if (index.rows.length !== requests) notes.push(`results: expected ${requests} rows, got ${index.rows.length}.`);
    const embedding = firstPage.rows.find(({ row }) => row.outcome === 'succeeded')?.row.answer ?? '';
    if (!/^1 embedding · /.test(embedding)) notes.push(`results: an embedding row reads "${embedding.slice(0, 80)}".`);

    // Texts that match many rows, a few, and none, in input order (sorted once, when opened).
    const needles = ['request-01', 'REQUEST-04999', 'embedding', 'context length', 'no such text'];
    const searchMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      for (const search of needles) {
        searchMs.push(timed(() => index.page({ ...byLine, search }, 0, ROWS_PER_PAGE)).ms);
        // Back to all rows, so the same search next run is computed again, not answered from the last query.
        index.page(byLine, 0, ROWS_PER_PAGE);
      }
    }
    const filterMs = median(
      Array.from({ length: runs }, () => timed(() => new RowFinder(index.rows).find({ ...byLine, outcome: 'failed' })).ms),
    );

    const sortByKey = {} as Record<SortKey, number>;
    for (const key of SORT_KEYS) {
      // A new finder each run: its sort orders are cached, and the first sort is the one that costs.
      sortByKey[key] = round(
        median(
          Array.from({ length: runs }, () => timed(() => new RowFinder(index.rows).find({ ...byLine, sortKey: key, descending: true })).ms),
        ),
      );
    }

    const detailStarted = performance.now();
    const detail = await index.detail(firstPage.rows[0].index);
    const detailMs = performance.now() - detailStarted;
    if (detail?.response && /(-?\d\.\d{6,}, *){8}/.test(detail.response))
      notes.push('results: the expanded row shows the embedding numbers.');
    if (!/^\d+ dimensions · norm \d/.test(detail?.answer ?? ''))
      notes.push(`results: an expanded embedding row reads "${detail?.answer ?? ''}".`);

    const exportStarted = performance.now();
    await index.exportRows(index.find(byLine), 'csv', path.join(dir, 'export.csv'));
    const exportMs = performance.now() - exportStarted;

    const rssDelta = rss.stop();
    const slowest = SORT_KEYS.reduce((a, b) => (sortByKey[a] >= sortByKey[b] ? a : b));
    log(
      `results: RSS +${rssDelta.toFixed(0)} MiB, search ${median(searchMs).toFixed(1)} ms, slowest sort (${slowest}) ${sortByKey[slowest]} ms`,
    );
    if (requests !== 50_000)
      notes.push(
        `results_open_1_5gb_ms was measured with ${requests} requests (${(outputBytes / MiB).toFixed(0)} MiB of output), not 50,000.`,
      );
    return {
      results_open_1_5gb_ms: round(openMs, 0),
      results_first_rows_ms: round(firstRowsMs, 0),
      results_index_ms: round(openMs, 0),
      results_scan_ms: round(scanMs, 0),
      results_index_ratio_vs_scan: round(openMs / scanMs, 2),
      results_event_loop_lag_p99_ms: round(lag.percentile(99) / 1e6),
      results_event_loop_lag_max_ms: round(lag.max / 1e6),
      results_rss_delta_mib: round(rssDelta),
      results_search_ms: round(median(searchMs)),
      results_sort_ms: sortByKey[slowest],
      results_sort_by_key_ms: sortByKey,
      results_filter_ms: round(filterMs),
      results_detail_ms: round(detailMs),
      results_export_csv_ms: round(exportMs, 0),
      results_rows: index.rows.length,
      results_input_mib: round(inputBytes / MiB),
      results_output_mib: round(outputBytes / MiB),
      results_generate_s: round(generateS),
      notes,
    };
  } finally {
    if (files.keep) await rm(path.join(dir, 'export.csv'), { force: true });
    else await rm(dir, { recursive: true, force: true });
  }
}

/** The flag that makes this file write an embeddings batch and exit: `--write-embeddings-batch <input> <output> <error> <requests>`. */
export const WRITE_FLAG = '--write-embeddings-batch';

if (require.main === module && process.argv[2] === WRITE_FLAG) {
  const [input, output, error, requests] = process.argv.slice(3);
  writeEmbeddingsBatch({ input, output, error }, { requests: Number(requests) }).then(
    (written) => console.log(JSON.stringify(written)),
    (failure: unknown) => {
      console.error(failure);
      process.exitCode = 1;
    },
  );
} else if (require.main === module) {
  const requests = Number(process.argv[2] ?? process.env.BENCH_RESULTS_REQUESTS ?? 50_000);
  const cacheDir = path.join(os.tmpdir(), `obe-results-bench-cache-${requests}`);
  runResultsBench({ requests, cacheDir, log: (line) => console.error(line) }).then(
    (figures) => console.log(JSON.stringify(figures, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
