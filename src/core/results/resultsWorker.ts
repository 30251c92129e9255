/**
 * The results index's worker thread (bundled as `dist/resultsWorker.js`): reads a batch's files
 * with `indexFiles` and posts the rows as they are joined, so the extension host's thread only
 * takes them in. Started by `progressiveIndex.ts`; stopped by `terminate()` when cancelled.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { indexFiles, type IndexWorkerMessage, type IndexWorkerRequest, isIndexWorkerRequest } from './indexFiles';

function post(message: IndexWorkerMessage): void {
  // The placements' numbers are handed over, not copied.
  const placed = message.type === 'rows' ? message.update.placed : undefined;
  parentPort?.postMessage(message, placed ? [placed.buffer as ArrayBuffer] : []);
}

async function run(request: IndexWorkerRequest): Promise<void> {
  try {
    const { rows, ...totals } = await indexFiles(request.paths, {
      endpoint: request.endpoint,
      maxRows: request.maxRows,
      updateMs: request.updateMs,
      firstRows: request.firstRows,
      syncReads: true,
      slimAfterUpdate: true,
      onRows: (update) => post({ type: 'rows', update }),
      onProgress: (progress) => post({ type: 'progress', progress }),
    });
    post({ type: 'done', totals, rows: rows.length });
  } catch (error) {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

const request: unknown = workerData;
if (parentPort && isIndexWorkerRequest(request)) void run(request);
