import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ResultsBenchFigures } from './resultsBench';

export const CHILD_FLAG = '--bench-fake-api-child';
export const MiB = 1024 * 1024;
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface BenchOptions {
  /** Batches on the fake server for list-all and tree build. Default 10,000 (BENCH_BATCHES). */
  batches?: number;
  /** Measured list-all rounds per client, after the warm-ups. Default 7 (BENCH_ROUNDS). */
  rounds?: number;
  /** Unmeasured list-all runs per client first. Default 1. */
  warmups?: number;
  /** Page size for list-all. Default 100. */
  pageSize?: number;
  /** Size of the downloaded file. Default 1024 (BENCH_DOWNLOAD_MIB). */
  downloadMiB?: number;
  /**
   * Downloads per client (alternating). Default 5 (BENCH_DOWNLOAD_ROUNDS): on a shared machine one
   * pair in three can differ by 20% either way, so three pairs let one unlucky pair set the median.
   */
  downloadRounds?: number;
  /** Where downloads are written (a fresh directory inside it, deleted afterwards). Default os.tmpdir() (BENCH_TMPDIR). */
  tmpDir?: string;
  /** Measured tree builds. Default 15. */
  treeRuns?: number;
  /** Repository root (bundle, test-results/). Default: derived from this file's location. */
  root?: string;
  /** Measure activation in a short run of the real extension host (`npm run bench` does; default true). */
  measureActivation?: boolean;
  /** Run the whole `npm run test:integration` first (activation and request figures are measured in every run anyway). */
  withIntegration?: boolean;
  /** Requests in the results-view batch (1,536-dimension embeddings). Default 50,000, a 1.5 GB output (BENCH_RESULTS_REQUESTS). */
  resultsRequests?: number;
  /** The results index's worker script (see `ResultsBenchOptions.workerScript`). */
  resultsWorker?: string;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
}

export interface Budget {
  /** e.g. `<= 0.9` */
  budget: string;
  value: number | null;
  /** null when there is no figure to judge. */
  pass: boolean | null;
  /** For figures from an integration run: whether this run produced them. */
  freshness?: Freshness['status'];
}

export interface RequestsPerInteraction {
  open_view: number;
  expand: number;
  load_more: number;
  double_click: number;
  refresh: number;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

/**
 * Where a figure from an integration run stands: `fresh` when this bench ran the integration
 * suite (`--with-integration`) and the file was written since; `stale` when it is older (or
 * another run wrote it), with its age; `missing` when no run wrote it.
 */
export interface Freshness {
  status: 'fresh' | 'stale' | 'missing';
  file: string;
  written_at: string | null;
  age_s: number | null;
}

export interface BenchResults extends Omit<ResultsBenchFigures, 'notes'> {
  /** `load_avg_1m_max`: the highest 1-minute load average sampled every 2 s during the run. */
  machine: {
    cores: number;
    cpu: string;
    node: string;
    platform: string;
    arch: string;
    memory_gib: number;
    load_avg_1m_start: number;
    load_avg_1m_end: number;
    load_avg_1m_max: number;
  };
  sizes: {
    batches: number;
    page_size: number;
    rounds: number;
    warmups: number;
    download_mib: number;
    download_rounds: number;
    tree_runs: number;
  };
  list_all_ms: number;
  list_all_openai_sdk_ms: number;
  list_all_ratio_vs_openai_sdk: number;
  list_all_requests: number;
  list_all_openai_sdk_requests: number;
  /** median(ours) / median(openai); the budgeted ratio is the median of per-round paired ratios. */
  list_all_ratio_of_medians: number;
  /** Diagnostics: plain node:http keep-alive + JSON.parse, the floor any client pays on this server. */
  list_all_node_http_ms: number;
  /** Diagnostics: Node's built-in fetch + JSON.parse (what a client without axios would pay). */
  list_all_fetch_ms: number;
  /** Diagnostics: JSON.parse of every page of one full listing, and our Pager fed parsed pages. */
  list_all_json_parse_ms: number;
  list_all_pager_ms: number;
  list_all_runs_ms: { ours: number[]; openai_sdk: number[]; node_http: number[]; fetch: number[] };
  /** The per-round paired ratios ours / openai, in round order, and their spread. */
  list_all_ratio_runs: number[];
  list_all_ratio_spread: Spread;
  /** Diagnostics: CPU time of this process per listing (medians, ms): the client's own cost per request, without the server's. */
  list_all_cpu_ms: { ours: number; openai_sdk: number; node_http: number; fetch: number };
  download_mib_s: number;
  download_curl_mib_s: number | null;
  download_ratio_vs_curl: number | null;
  download_peak_rss_delta_mib: number;
  /** median(ours) / median(curl); the budgeted ratio is the median of per-round paired ratios. */
  download_ratio_of_medians: number | null;
  /** Diagnostics: how fast the fake server can generate the file content, without any network. */
  download_server_ceiling_mib_s: number;
  /** CPU seconds (user + system, all threads) per GiB: curl's whole process (null without /proc), ours while downloading (a running extension host's case). */
  download_cpu_s_per_gib: number | null;
  download_curl_cpu_s_per_gib: number | null;
  /** Median of the per-round ratios of CPU per GiB, ours / curl's (budget: at most 2). */
  download_cpu_ratio_vs_curl: number | null;
  download_cpu_runs_s_per_gib: { ours: number[]; curl: number[] };
  /** Diagnostics: the fake server's CPU per GiB while it served each client (the same file, so about the same). */
  download_server_cpu_s_per_gib: { ours: number | null; curl: number | null };
  download_runs_mib_s: { ours: number[]; curl: number[] };
  tree_build_10k_ms: number;
  tree_build_batches: number;
  /** Diagnostics: per-function share of one tree build (medians, ms). */
  tree_build_breakdown_ms: Record<string, number>;
  bundle_kib: number;
  bundle_source: string;
  /** Diagnostics: largest inputs of the production bundle, KiB. */
  bundle_top_inputs_kib: Record<string, number>;
  activation_ms: number | null;
  /** What measuring activation added to the bench: the short extension-host run (s); null with --with-integration. */
  activation_run_s: number | null;
  activation_freshness: Freshness;
  requests_per_interaction: RequestsPerInteraction | null;
  requests_per_interaction_freshness: Freshness;
  /** Requests sent before the tree is painted from a warm cache (restore + node models). */
  first_paint_requests: number;
  /** Requests one refresh costs with 1,000 batches loaded and a few new ones on the server. */
  refresh_requests_1000_loaded: number;
  /** Known active batches beyond the first page: each costs one GET in that refresh. */
  refresh_active_beyond_first_page: number;
  /** Reading and validating a cache file of 5,000 batches (median, ms). */
  cache_load_5000_ms: number;
  cache_file_5000_kib: number;
  budgets: Record<string, Budget>;
  notes: string[];
  duration_s: number;
}

// Small helpers

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function spread(values: readonly number[], digits = 3): Spread {
  return { min: round(Math.min(...values), digits), median: round(median(values), digits), max: round(Math.max(...values), digits) };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
  return Math.floor(value);
}

export function hasCurl(): boolean {
  const which = spawnSync('which', ['curl'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim() !== '') return true;
  // `which` itself may be missing; ask curl directly.
  return spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;
}
