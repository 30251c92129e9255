import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { isCancellation } from '../../../../src/core/api/errors';
import { ResubmitScan } from '../../../../src/core/input/resubmit';
import {
  scanForResubmit,
  scanForSplitInWorker,
  summarizeErrorFiles,
  summarizeResultsInWorker,
  writePartsInWorker,
  writeResubmission,
} from '../../../../src/core/input/scans';
import { summarizeResultFiles } from '../../../../src/core/results/resultsSummary';
import { embeddingResult } from '../../helpers';
import { DEFAULT_SPLIT_LIMITS, scanForSplit, writeParts } from '../../../../src/core/input/splitInput';
import { readLines } from '../../../../src/core/util/lineReader';
import { summarizeErrors } from '../../../../src/core/results/errorSummary';
import { runTask } from '../../../../src/core/util/workerTask';

const request = (id: string): string =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [] } });
const ok = (id: string): string => JSON.stringify({ custom_id: id, response: { status_code: 200, body: { choices: [] } }, error: null });
const failed = (id: string, code: string): string =>
  JSON.stringify({ custom_id: id, response: null, error: { code, message: `The request failed: ${code}.` } });

/** The scans over big files, run in a real worker thread (out/src/core/input/scanWorker.js), give what the pure functions give. */
describe('scans in a worker thread', function () {
  this.timeout(20_000);
  let dir: string;
  let paths: { input: string; output: string; error: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obe-scans-'));
    paths = { input: join(dir, 'input.jsonl'), output: join(dir, 'output.jsonl'), error: join(dir, 'error.jsonl') };
    const ids = Array.from({ length: 300 }, (_, i) => `r${i}`);
    await writeFile(paths.input, `${ids.map(request).join('\n')}\n`);
    // r0..r199 succeed, r200..r249 fail (two kinds), r250..r299 have no result.
    await writeFile(paths.output, `${ids.slice(0, 200).map(ok).join('\n')}\n`);
    await writeFile(
      paths.error,
      `${ids
        .slice(200, 250)
        .map((id, i) => failed(id, i % 5 === 0 ? 'server_error' : 'rate_limit_exceeded'))
        .join('\n')}\n`,
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('groups the failures of the error file as summarizeErrors does on this thread', async () => {
    const inWorker = await summarizeErrorFiles({ errors: null }, [paths.error, paths.output]);
    const here = await summarizeErrors({ errors: null }, [readLines(paths.error), readLines(paths.output)]);
    assert.deepEqual(inWorker, here);
    assert.deepEqual(
      inWorker.groups.map((group) => [group.code, group.count]),
      [
        ['rate_limit_exceeded', 40],
        ['server_error', 10],
      ],
    );
  });

  it('sums up the results in a worker, read as bytes, as summarizeResultFiles does on this thread from text', async () => {
    // Embeddings lines (their numbers cut out unread), a blank line, a line that is not JSON and one without a custom_id.
    const output = join(dir, 'embeddings.jsonl');
    const lines = [embeddingResult('e1', [0.6, -0.8], 3), '', embeddingResult('e2', [0.6, -0.8], 4), 'not json', '{"no":"id"}', ok('c1')];
    await writeFile(output, `${lines.join('\n')}\n`);
    const here = await summarizeResultFiles({ output: readLines(output), error: readLines(paths.error) }, '/v1/embeddings');
    const inWorker = await summarizeResultsInWorker({ output, error: paths.error }, '/v1/embeddings');
    assert.deepEqual(inWorker, here);
    assert.deepEqual([inWorker.succeeded, inWorker.failed, inWorker.skipped, inWorker.usage.total], [3, 50, 2, 7]);
    assert.deepEqual([...inWorker.statusCodes], [[200, 3]]);
    // A limit on the lines read crosses to the worker too.
    assert.equal((await summarizeResultsInWorker({ output, error: paths.error }, null, { maxLines: 4 })).stoppedAtLines, 4);
  });

  it('classifies the requests to resubmit and writes the chosen input lines', async () => {
    const scan = await scanForResubmit(paths);
    assert.deepEqual(scan.counts, (await ResubmitScan.open(paths)).counts);
    assert.deepEqual(scan.counts, { requests: 300, succeeded: 200, failed: 50, missing: 50, notRun: 0, skipped: 0 });
    const destination = join(dir, 'resubmit.jsonl');
    const written = await writeResubmission(scan, 'failed', destination, { previewSize: 2 });
    assert.deepEqual(written, { written: 50, preview: ['r200', 'r201'] });
    const lines = (await readFile(destination, 'utf8')).trimEnd().split('\n');
    assert.deepEqual(
      lines,
      Array.from({ length: 50 }, (_, i) => request(`r${200 + i}`)),
    );
  });

  it('reads a file to split into parts as scanForSplit does on this thread', async () => {
    const limits = { ...DEFAULT_SPLIT_LIMITS, maxRequests: 120 };
    const inWorker = await scanForSplitInWorker(paths.input, limits);
    assert.deepEqual(inWorker, await scanForSplit(paths.input, limits));
    assert.deepEqual(
      inWorker.parts.map((part) => part.requests),
      [100, 100, 100],
    );
  });

  it('writes the parts of a split in a worker as writeParts does on this thread, with progress', async () => {
    const { parts } = await scanForSplit(paths.input, { ...DEFAULT_SPLIT_LIMITS, maxRequests: 120 });
    let read = 0;
    const written = await writePartsInWorker(paths.input, parts, join(dir, 'parts-worker'), { onProgress: (bytes) => (read = bytes) });
    const here = await writeParts(paths.input, parts, join(dir, 'parts-here'));
    assert.equal(written.length, 3);
    for (let i = 0; i < 3; i++) assert.equal(await readFile(written[i], 'utf8'), await readFile(here[i], 'utf8'));
    assert.deepEqual(
      (await readFile(written[2], 'utf8')).trimEnd().split('\n'),
      Array.from({ length: 100 }, (_, j) => request(`r${200 + j}`)),
    );
    assert.ok(read > 0, 'progress was reported');
  });

  it('stops the worker when the signal aborts, with a cancellation', async () => {
    const abort = new AbortController();
    const scanning = scanForResubmit(paths, { signal: abort.signal });
    abort.abort();
    await assert.rejects(scanning, (error: unknown) => isCancellation(error));
  });

  it('runs the task on another thread, and says why it failed', async () => {
    await assert.rejects(scanForResubmit({ input: join(dir, 'nowhere.jsonl') }), /ENOENT/);
    assert.equal(threadId, 0);
    await assert.rejects(
      runTask(join(dir, 'missing-script.js'), {}, { cancelled: () => new Error('cancelled') }),
      /Cannot find module|missing-script/,
    );
  });
});
