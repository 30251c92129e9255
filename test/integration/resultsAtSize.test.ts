// The results view at size, inside a real extension host: an embeddings batch of 10,000 requests
// (about 300 MB of output) opens with the host's memory growing far less than the files, and the
// page gets one page of compact rows at a time. The page is driven through its host's message
// handler, as the page itself would; the files are put in the account's cache, as a download would.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as vscode from 'vscode';
import type { Batch } from '../../src/core/api/types';
import type { TestApi } from '../../src/extension';
import type { HostToPage, PageToHost } from '../../src/webview/results/protocol';
import { WRITE_FLAG } from '../bench/resultsBench';
import { fixtureBatches } from '../fake-api/data';
import { fakeApiSuite, rootItems, waitFor } from './helpers';

/** What the test reaches of a results panel's host (its webview and message handler). */
interface ResultsPanelHost {
  panel: vscode.WebviewPanel;
  onMessage(message: PageToHost): Promise<void>;
}

/** 10,000 by default; OPENAI_BATCHES_RESULTS_REQUESTS=50000 runs the full size of the bench (1.5 GB of output). */
const REQUESTS = Number(process.env.OPENAI_BATCHES_RESULTS_REQUESTS ?? 10_000);
const MiB = 1024 * 1024;

describe('Results at size (in the extension host)', function () {
  this.timeout(240_000);
  let api: TestApi | undefined;
  let spare: string | undefined;
  /** The generated files: up to 1.7 GB, removed even when the test fails (the harness keeps a failed run's folder). */
  let written: string[] = [];

  const connect = fakeApiSuite();
  afterEach(() => {
    for (const file of written) fs.rmSync(file, { force: true });
    if (spare) fs.rmSync(spare, { recursive: true, force: true });
    api = spare = undefined;
    written = [];
  });

  it('opens 10,000 embeddings of 1,536 dimensions, sending pages of compact rows, within 150 MB of host memory', async () => {
    // The fixture's batches, its completed ones made embeddings batches: answers are read per endpoint.
    const seed = fixtureBatches().map((b) => (b.status === 'completed' ? { ...b, endpoint: '/v1/embeddings' } : b));
    ({ api } = await connect({ seed }));
    const services = api.services;
    // The store loads when the tree first asks for its rows.
    await rootItems(api);
    const batch = await waitFor('a completed batch with input and output files', () =>
      services.store.batches.find(
        (b): b is Batch & { input_file_id: string; output_file_id: string } =>
          b.status === 'completed' && !!b.output_file_id && !!b.input_file_id,
      ),
    );
    const account = services.store.account ?? '';
    spare = fs.mkdtempSync(path.join(os.tmpdir(), 'obe-results-size-'));
    const paths = {
      input: await services.files.pathFor(account, batch.input_file_id),
      output: await services.files.pathFor(account, batch.output_file_id),
      // Without an error file in the batch, its failures are simply missing.
      error: batch.error_file_id ? await services.files.pathFor(account, batch.error_file_id) : path.join(spare, 'errors.jsonl'),
    };
    written = Object.values(paths);
    // Written by another process, so that its garbage does not inflate this host's memory before the baseline.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [require.resolve('../bench/resultsBench'), WRITE_FLAG, paths.input, paths.output, paths.error, String(REQUESTS)],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
    );
    const batchFiles = JSON.parse(stdout) as { outputBytes: number; succeeded: number };
    assert.ok(batchFiles.outputBytes > REQUESTS * 25_000, `${batchFiles.outputBytes} bytes of output`);

    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
    try {
      await vscode.commands.executeCommand('openaiBatches.openResults', batch.id);
      const host = await waitFor('the results panel', () =>
        (services.results as unknown as { panels: Map<string, ResultsPanelHost> }).panels.get(batch.id),
      );
      const posted: HostToPage[] = [];
      const query = { type: 'query', seq: 1_000, page: 0, outcome: 'all', search: '', sortKey: 'line', descending: false } as const;
      // Progressive: the page gets rows while the worker is still reading, and only rows with their result.
      // The query is asked the moment the host says rows are in but indexing goes on (a `begin` or
      // `progress` that is not done): the host answers it before the worker's next rows can arrive.
      let partialAnswer: Promise<Extract<HostToPage, { type: 'page' }>> | undefined;
      let seq = 2_000;
      const webview = host.panel.webview;
      const postMessage = webview.postMessage.bind(webview);
      webview.postMessage = (message: HostToPage) => {
        posted.push(message);
        const underWay =
          (message.type === 'begin' && message.indexing && message.indexing.indexed > 0) ||
          (message.type === 'progress' && !message.done && message.indexed > 0);
        if (underWay && !partialAnswer) partialAnswer = answer({ ...query, seq: seq++ }, 'page');
        return postMessage(message);
      };
      const answer = async <T extends HostToPage['type']>(message: PageToHost, type: T): Promise<Extract<HostToPage, { type: T }>> => {
        const from = posted.length;
        await host.onMessage(message);
        const reply = posted.slice(from).find((m): m is Extract<HostToPage, { type: T }> => m.type === type);
        assert.ok(reply, `a ${type} answering ${JSON.stringify(message)}`);
        return reply;
      };

      const started = await waitFor(
        'the panel showing the rows as they are indexed',
        async () => {
          await host.onMessage({ type: 'ready' });
          return posted.find((m): m is Extract<HostToPage, { type: 'begin' }> => m.type === 'begin');
        },
        180_000,
      );
      const ended = await waitFor(
        'indexing to end',
        () => posted.filter((m): m is Extract<HostToPage, { type: 'progress' }> => m.type === 'progress').find((m) => m.done),
        180_000,
      );
      const partial = await partialAnswer;
      const underWay = posted.filter((m) => m.type === 'progress' && !m.done).length;
      console.log(`      results at size: ${underWay} progress messages while indexing`);
      // The page was shown while the worker was still reading: it must have been offered rows then.
      if (started.indexing) assert.ok(partialAnswer, 'no page of rows came before indexing ended');
      if (partialAnswer)
        assert.ok(partial && partial.rows.length > 0 && partial.matched < REQUESTS, 'a page of some of the rows while indexing');
      if (partial) {
        assert.ok(
          partial.rows.every((row) => row.outcome !== 'missing'),
          'a pending row was shown as missing',
        );
        console.log(`      results at size: a page of ${partial.rows.length} rows (${partial.matched} matched) before indexing ended`);
      }
      const begin = ended;
      assert.equal(begin.total, REQUESTS);
      assert.equal(begin.counts.succeeded, batchFiles.succeeded);
      assert.equal(begin.counts.failed + begin.counts.missing, REQUESTS - batchFiles.succeeded);

      const first = await answer(query, 'page');
      assert.equal(first.matched, REQUESTS);
      assert.equal(first.rows.length, first.pageSize);
      assert.ok(first.pageSize <= 200, `page size ${first.pageSize}`);
      assert.deepEqual(
        first.rows.slice(0, 3).map((row) => [row.customId, row.line]),
        [
          ['request-000000', 1],
          ['request-000001', 2],
          ['request-000002', 3],
        ],
      );
      // The numbers are not read while indexing: the expanded row says the dimensions and norm.
      assert.equal(first.rows[0].answer, '1 embedding · expand for dimensions and norm');
      // Only the compact fields cross to the page: about 200 bytes a row, nothing of the 30 KB lines.
      assert.ok(JSON.stringify(first).length < 100_000, `${JSON.stringify(first).length} characters in a page`);

      const search = await answer({ ...query, seq: 1_001, search: 'REQUEST-00999' }, 'page');
      assert.deepEqual(
        search.rows.map((row) => row.customId),
        Array.from({ length: 10 }, (_, i) => `request-00999${i}`),
      );
      const sorted = await answer({ ...query, seq: 1_002, sortKey: 'customId', descending: true, page: 1 }, 'page');
      assert.equal(sorted.page, 1);
      assert.equal(sorted.rows[0].customId, `request-${String(REQUESTS - 1 - first.pageSize).padStart(6, '0')}`);
      const failed = await answer({ ...query, seq: 1_003, outcome: 'failed' }, 'page');
      assert.ok(failed.rows.every((row) => row.outcome === 'failed'));
      assert.equal(failed.matched, begin.counts.failed);

      const detail = await answer({ type: 'detail', index: 0 }, 'detail');
      assert.match(detail.request ?? '', /"custom_id": "request-000000"/);
      assert.match(detail.answer ?? '', /^1536 dimensions · norm [01]\.\d{3}$/);
      assert.match(detail.response ?? '', /"embedding": "\[1536 dimensions · norm [01]\.\d{3}\]"/);
      assert.doesNotMatch(detail.response ?? '', /\d\.\d{8}/, 'no number of the vector is shown');
    } finally {
      clearInterval(sampler);
    }
    const growth = (peak - baseline) / MiB;
    console.log(
      `      results at size: ${(batchFiles.outputBytes / MiB).toFixed(0)} MiB of output, extension host RSS +${growth.toFixed(0)} MiB at peak`,
    );
    assert.ok(growth <= 150, `the extension host grew by ${growth.toFixed(0)} MiB`);
  });
});
