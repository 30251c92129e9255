/**
 * The worker thread of the scans over a batch's big files (bundled as `dist/scanWorker.js`; the
 * host starts it through `scans.ts`): grouping the failures, classifying the requests to
 * resubmit and writing them, reading a file to split and writing its parts, and summing up a
 * batch's results. Each task is the same pure function the unit tests call directly.
 */
import { serveTask } from '../util/workerTask';
import { readLines } from '../util/lineReader';
import { summarizeErrors } from '../results/errorSummary';
import { summarizeResultPaths } from '../results/resultsSummary';
import { ResubmitScan } from './resubmit';
import { scanForSplit, writeParts } from './splitInput';
import type { ScanRequest } from './scans';

async function run(request: ScanRequest, progress: (value: unknown) => void): Promise<unknown> {
  switch (request.kind) {
    case 'errorSummary':
      return summarizeErrors(
        request.batch,
        request.paths.map((path) => readLines(path)),
      );
    case 'resubmitScan':
      return (await ResubmitScan.open(request.paths)).toData();
    case 'resubmitWrite':
      return ResubmitScan.fromData(request.scan).write(request.choice, request.destination, { previewSize: request.previewSize });
    case 'splitScan':
      return scanForSplit(request.path, request.limits, { onProgress: progress });
    case 'splitWrite':
      return writeParts(request.source, request.parts, request.folder, { onProgress: progress });
    case 'resultsSummary':
      return summarizeResultPaths(request.paths, request.endpoint, undefined, request.maxLines);
  }
}

serveTask((request, progress) => run(request as ScanRequest, progress));
