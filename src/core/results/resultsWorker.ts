/**
 * The results index's worker thread (bundled as `dist/resultsWorker.js`): builds every index
 * the extension host asks for while it runs, each with `indexFiles`, and posts their rows as they
 * are joined, so the host's thread only takes them in. Indexes asked for together (the two runs of
 * a comparison) take turns on this one thread rather than each starting a thread of its own (a
 * worker thread costs about 40 MiB). Started, and stopped when idle, by `progressiveIndex.ts`.
 */
import { parentPort } from 'node:worker_threads';
import { packedBuffers, packRows } from './rowPacking';
import { indexFiles, type IndexWorkerCommand, type IndexWorkerMessage, type IndexWorkerPost, type IndexWorkerRequest } from './indexFiles';

/** The jobs running, by number: cancelling one aborts its loop. */
const running = new Map<number, AbortController>();

function post(job: number, message: IndexWorkerMessage): void {
  if (message.type !== 'rows') {
    parentPort?.postMessage({ job, message } satisfies IndexWorkerPost);
    return;
  }
  // Rows cross in columns, and the columns' and placements' numbers are handed over, not copied.
  const { rows, placed, ...rest } = message.update;
  const packed = packRows(rows);
  const update = { ...rest, rows: [], packed, placed };
  const transfer = packedBuffers(packed);
  if (placed) transfer.push(placed.buffer as ArrayBuffer);
  parentPort?.postMessage({ job, message: { type: 'rows', update } } satisfies IndexWorkerPost, transfer);
}

async function run(job: number, request: IndexWorkerRequest): Promise<void> {
  const abort = new AbortController();
  running.set(job, abort);
  try {
    const { rows, ...totals } = await indexFiles(request.paths, {
      endpoint: request.endpoint,
      maxRows: request.maxRows,
      updateMs: request.updateMs,
      firstRows: request.firstRows,
      signal: abort.signal,
      syncReads: true,
      slimAfterUpdate: true,
      onRows: (update) => post(job, { type: 'rows', update }),
      onProgress: (progress) => post(job, { type: 'progress', progress }),
    });
    post(job, { type: 'done', totals, rows: rows.length });
  } catch (error) {
    post(job, { type: 'failed', message: error instanceof Error ? error.message : String(error) });
  } finally {
    running.delete(job);
  }
}

parentPort?.on('message', (command: IndexWorkerCommand) => {
  if (command.type === 'start') void run(command.job, command.request);
  else running.get(command.job)?.abort();
});
