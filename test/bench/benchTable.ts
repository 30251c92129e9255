import { BenchResults, Budget, Freshness, Spread } from './benchCommon';
import { INTERACTIONS, formatAge } from './integrationFigures';

// Printing

export function formatTable(r: BenchResults): string {
  const status = (budget: Budget | undefined): string => {
    if (!budget) return '';
    const verdict = budget.pass === null ? 'n/a' : budget.pass ? 'PASS' : 'MISS';
    return budget.freshness && budget.freshness !== 'fresh' ? `${verdict} (${budget.freshness})` : verdict;
  };
  const show = (value: number | null | undefined, unit = ''): string =>
    value === null || value === undefined ? 'null' : `${value}${unit}`;
  /** A figure from an integration run, with its age unless this run wrote it. */
  const integration = (value: number | null | undefined, freshness: Freshness, unit = ''): string =>
    freshness.status === 'stale'
      ? `${show(value, unit)} (stale, ${formatAge(freshness.age_s ?? 0)} old)`
      : freshness.status === 'missing'
        ? 'null (missing)'
        : show(value, unit);
  const spreadOf = (s: Spread): string => `${s.min} / ${s.median} / ${s.max}`;
  const rows: [string, string, string, string][] = [
    ['list all: ours (Pager + BatchApiClient)', show(r.list_all_ms, ' ms'), '', ''],
    ['list all: openai SDK auto-pagination', show(r.list_all_openai_sdk_ms, ' ms'), '', ''],
    ['list all: plain node:http (floor)', show(r.list_all_node_http_ms, ' ms'), '', ''],
    ['list all: plain fetch', show(r.list_all_fetch_ms, ' ms'), '', ''],
    ['list all: ratio of medians', show(r.list_all_ratio_of_medians), '', ''],
    [
      'list all: ratio ours / openai (paired)',
      show(r.list_all_ratio_vs_openai_sdk),
      r.budgets.list_all_ratio_vs_openai_sdk.budget,
      status(r.budgets.list_all_ratio_vs_openai_sdk),
    ],
    [`list all: paired ratios min / median / max (${r.list_all_ratio_runs.length})`, spreadOf(r.list_all_ratio_spread), '', ''],
    [
      'list all: CPU ms ours / openai / node:http',
      `${r.list_all_cpu_ms.ours} / ${r.list_all_cpu_ms.openai_sdk} / ${r.list_all_cpu_ms.node_http}`,
      '',
      '',
    ],
    ['list all: requests ours', show(r.list_all_requests), r.budgets.list_all_requests.budget, status(r.budgets.list_all_requests)],
    [
      'list all: requests openai',
      show(r.list_all_openai_sdk_requests),
      r.budgets.list_all_openai_sdk_requests.budget,
      status(r.budgets.list_all_openai_sdk_requests),
    ],
    [`download ${r.sizes.download_mib} MiB: ours`, show(r.download_mib_s, ' MiB/s'), '', ''],
    [`download ${r.sizes.download_mib} MiB: curl`, show(r.download_curl_mib_s, ' MiB/s'), '', ''],
    ['download: server generation ceiling', show(r.download_server_ceiling_mib_s, ' MiB/s'), '', ''],
    ['download: CPU s per GiB, ours', show(r.download_cpu_s_per_gib), '', ''],
    ['download: CPU s per GiB, curl', show(r.download_curl_cpu_s_per_gib), '', ''],
    [
      'download: CPU per GiB, ours / curl (paired)',
      show(r.download_cpu_ratio_vs_curl),
      r.budgets.download_cpu_ratio_vs_curl.budget,
      status(r.budgets.download_cpu_ratio_vs_curl),
    ],
    [
      'download: server CPU s per GiB, serving ours / curl',
      `${show(r.download_server_cpu_s_per_gib.ours)} / ${show(r.download_server_cpu_s_per_gib.curl)}`,
      '',
      '',
    ],
    [`results: plain scan of the same files (ms)`, show(r.results_scan_ms), '', ''],
    [`results: index (ms)`, show(r.results_index_ms), '', ''],
    ...(
      [
        'results_first_rows_ms',
        'results_index_ratio_vs_scan',
        'results_event_loop_lag_p99_ms',
        'results_open_1_5gb_ms',
        'results_rss_delta_mib',
        'results_search_ms',
        'results_sort_ms',
      ] as const
    ).map((key): [string, string, string, string] => [
      `results ${r.results_rows} rows (${r.results_output_mib} MiB output): ${key.replace('results_', '')}`,
      show(r[key]),
      r.budgets[key].budget,
      status(r.budgets[key]),
    ]),
    ['download: ratio of medians', show(r.download_ratio_of_medians), '', ''],
    [
      'download: ratio ours / curl (paired)',
      show(r.download_ratio_vs_curl),
      r.budgets.download_ratio_vs_curl.budget,
      status(r.budgets.download_ratio_vs_curl),
    ],
    [
      'download: peak RSS growth (MiB)',
      show(r.download_peak_rss_delta_mib),
      r.budgets.download_peak_rss_delta_mib.budget,
      status(r.budgets.download_peak_rss_delta_mib),
    ],
    [
      `tree build ${r.tree_build_batches} batches (ms)`,
      show(r.tree_build_10k_ms),
      r.budgets.tree_build_10k_ms.budget,
      status(r.budgets.tree_build_10k_ms),
    ],
    ['bundle dist/extension.js (KiB)', show(r.bundle_kib), r.budgets.bundle_kib.budget, status(r.budgets.bundle_kib)],
    [
      'activation (ms)',
      integration(r.activation_ms, r.activation_freshness),
      r.budgets.activation_ms.budget,
      status(r.budgets.activation_ms),
    ],
    [
      'first paint from warm cache: requests',
      show(r.first_paint_requests),
      r.budgets.first_paint_requests.budget,
      status(r.budgets.first_paint_requests),
    ],
    [
      `refresh, 1000 loaded (${r.refresh_active_beyond_first_page} active past page 1): requests`,
      show(r.refresh_requests_1000_loaded),
      r.budgets.refresh_requests_1000_loaded.budget,
      status(r.budgets.refresh_requests_1000_loaded),
    ],
    [`cache load, 5000 batches (${r.cache_file_5000_kib} KiB) (ms)`, show(r.cache_load_5000_ms), '', ''],
  ];
  for (const key of INTERACTIONS) {
    const budget = r.budgets[`requests_per_interaction.${key}`];
    rows.push([
      `requests: ${key.replace('_', ' ')}`,
      integration(r.requests_per_interaction?.[key], r.requests_per_interaction_freshness),
      budget.budget,
      status(budget),
    ]);
  }
  const header: [string, string, string, string] = ['metric', 'value', 'budget', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => (i === 1 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [
    `OpenAI Batch Explorer bench: ${r.machine.cores} cores, ${r.machine.cpu}, Node ${r.machine.node}, ${r.machine.platform} ${r.machine.arch}, ${r.machine.memory_gib} GiB, load ${r.machine.load_avg_1m_start} -> ${r.machine.load_avg_1m_end} (max ${r.machine.load_avg_1m_max})`,
    `sizes: ${r.sizes.batches} batches at limit=${r.sizes.page_size}, ${r.sizes.warmups} warm-up + ${r.sizes.rounds} rounds; download ${r.sizes.download_mib} MiB x ${r.sizes.download_rounds}; tree ${r.sizes.tree_runs} runs (medians throughout)`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `tree build per function (ms): ${Object.entries(r.tree_build_breakdown_ms)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `bundle (${r.bundle_source}) largest inputs (KiB): ${Object.entries(r.bundle_top_inputs_kib)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `list all: JSON.parse of all pages ${r.list_all_json_parse_ms} ms, Pager bookkeeping ${r.list_all_pager_ms} ms`,
  ];
  if (r.notes.length) out.push('', 'notes:', ...r.notes.map((note) => `- ${note}`));
  out.push('', `finished in ${r.duration_s} s`);
  return out.join('\n');
}
