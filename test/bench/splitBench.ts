/**
 * Splitting an oversized input file (issue 14, "Split oversized inputs"): a chat-completions
 * input of about 200 MiB (100,000 requests of about 2 KiB) is generated in a temporary folder,
 * then scanned (hash, JSON check, duplicate custom_ids, plan) and written out as its parts with
 * the real splitter, while the process RSS is sampled every 50 ms. The files are deleted after.
 *
 * Standalone: `node --expose-gc out/test/bench/splitBench.js [requests] [lineBytes]`.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_SPLIT_LIMITS, scanForSplit, writeParts } from '../../src/core/input/splitInput';

const MiB = 1024 * 1024;

export interface SplitBenchFigures {
  split_input_mib: number;
  split_requests: number;
  split_parts: number[];
  /** Reading, hashing and checking the file, and planning the parts (ms). */
  split_scan_ms: number;
  /** Writing the parts (ms). */
  split_write_ms: number;
  /** Peak growth of the process RSS over its level before the scan, during scan and write (MiB). */
  split_rss_delta_mib: number;
  /** Writing the input, not part of any figure (s). */
  split_generate_s: number;
}

async function generate(file: string, requests: number, lineBytes: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < requests; i++) {
    const head = `{"custom_id":"request-${i}","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"`;
    const tail = '"}]}}\n';
    const line = head + 'x'.repeat(Math.max(1, lineBytes - head.length - tail.length)) + tail;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function runSplitBench(requests = 100_000, lineBytes = 2_097, tmpDir = os.tmpdir()): Promise<SplitBenchFigures> {
  const dir = await mkdtemp(path.join(tmpDir, 'split-bench-'));
  try {
    const source = path.join(dir, 'input.jsonl');
    const generating = performance.now();
    await generate(source, requests, lineBytes);
    const generated = (performance.now() - generating) / 1000;
    (globalThis as { gc?: () => void }).gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
    try {
      const scanning = performance.now();
      const scan = await scanForSplit(source, DEFAULT_SPLIT_LIMITS);
      const scanMs = performance.now() - scanning;
      if (scan.problemCount > 0) throw new Error(`unexpected problems: ${JSON.stringify(scan.problems)}`);
      const writing = performance.now();
      await writeParts(source, scan.parts, path.join(dir, 'parts'));
      const writeMs = performance.now() - writing;
      peak = Math.max(peak, process.memoryUsage.rss());
      return {
        split_input_mib: Math.round(((await stat(source)).size / MiB) * 10) / 10,
        split_requests: scan.requests,
        split_parts: scan.parts.map((part) => part.requests),
        split_scan_ms: Math.round(scanMs),
        split_write_ms: Math.round(writeMs),
        split_rss_delta_mib: Math.round(((peak - baseline) / MiB) * 10) / 10,
        split_generate_s: Math.round(generated * 10) / 10,
      };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [requests, lineBytes] = process.argv.slice(2).map(Number);
  runSplitBench(requests || undefined, lineBytes || undefined).then(
    (figures) => console.log(JSON.stringify(figures, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
