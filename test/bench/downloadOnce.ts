/**
 * Our download in a process of its own, as curl runs in its own. (Inside the bench process, whose
 * old generation is small once the openai SDK has grown its young one to the maximum, V8 starts
 * an incremental mark-compact for every ~15 MB of socket buffers: about 1 CPU s per GiB that a
 * process with a realistic heap does not pay.)
 *
 * Usage: node downloadOnce.js <baseUrl> <warmUpFileId> <fileId> <destination>, with the key in
 * BENCH_API_KEY. Downloads the warm-up file first, as a running extension host has done work
 * before (its heap is sized, its code compiled), then the file. Prints one JSON line for the file
 * alone: { bytes, seconds, cpuSeconds, peakRssDeltaMiB }, where cpuSeconds is the whole
 * process's user + system time meanwhile (all its threads, as curl's is all of curl's).
 */
import * as fs from 'node:fs';
import { BatchApiClient } from '../../src/core/api/client';
import { downloadFile } from '../../src/core/files/download';
import { userDownloadLimit } from '../../src/core/api/sizeLimit';

async function main(): Promise<void> {
  const [baseUrl, warmUpId, fileId, destination] = process.argv.slice(2);
  const apiKey = process.env.BENCH_API_KEY;
  if (!baseUrl || !warmUpId || !fileId || !destination || !apiKey) {
    throw new Error('usage: BENCH_API_KEY=… node downloadOnce.js <baseUrl> <warmUpFileId> <fileId> <destination>');
  }
  const client = new BatchApiClient({ baseUrl, apiKey, retry: { maxRetries: 0 } });
  await downloadFile(client, warmUpId, destination, userDownloadLimit());
  fs.rmSync(destination);

  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 20);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    const { bytes } = await downloadFile(client, fileId, destination, userDownloadLimit());
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    sample();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    process.stdout.write(`${JSON.stringify({ bytes, seconds, cpuSeconds, peakRssDeltaMiB: (peak - baseline) / (1024 * 1024) })}\n`);
  } finally {
    clearInterval(timer);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
