import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chainLinks,
  chainNeighbours,
  chainPrefix,
  findChain,
  fitMetadata,
  METADATA_LIMITS,
  parsePart,
  partMetadata,
  resubmitMetadata,
  unknownLinks,
} from '../../../../src/core/batches/batchChains';
import { combineAttempts } from '../../../../src/core/results/combinedResults';
import { BatchApiClient } from '../../../../src/core/api/client';
import { canResubmit, ResubmitScan } from '../../../../src/core/input/resubmit';
import { recoveryView } from '../../../../src/webview/detail/chainView';
import { isPageMessage } from '../../../../src/webview/detail/protocol';
import { isResultsPageMessage } from '../../../../src/webview/results/protocol';
import { ResultsIndex } from '../../../../src/core/results/resultsIndex';
import { DEFAULT_SPLIT_LIMITS, planParts, scanForSplit, writeParts } from '../../../../src/core/input/splitInput';
import { newGroupId, planKey, runSplitPlan, type SplitPlan, SplitPlanStore, SplitRunError } from '../../../../src/core/input/splitPlan';
import { FakeApi, startFakeApi } from '../../../fake-api/server';
import { batch, FAST_RETRY } from '../../helpers';

function chatLine(id: string, model: string | undefined = 'gpt-4o-mini'): string {
  return JSON.stringify({
    custom_id: id,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { ...(model ? { model } : {}), messages: [{ role: 'user', content: `Question ${id}` }] },
  });
}

function outputLine(id: string, status = 200): string {
  return JSON.stringify({
    id: `req_${id}`,
    custom_id: id,
    response: {
      status_code: status,
      body: status === 200 ? { choices: [{ message: { content: `answer ${id}` } }] } : { error: { message: 'bad' } },
    },
    error: null,
  });
}

function errorLine(id: string, code = 'server_error'): string {
  return JSON.stringify({ id: `req_${id}`, custom_id: id, response: null, error: { code, message: `failed ${id}` } });
}

let dir: string;
/**
 * A fresh temporary folder in `dir` for each test of the describe block that calls it. (These
 * hooks used to sit at the root of the file, where mocha runs them around every test of the
 * whole unit suite.)
 */
function withTempDir(): void {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recover-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
}

async function file(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, lines.length ? `${lines.join('\n')}\n` : '');
  return path;
}

describe('ResubmitScan', () => {
  withTempDir();
  it('counts and writes failed, missing and not-run requests, keeping the input lines as they are', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const input = await file('input.jsonl', [...ids.map((id) => chatLine(id)), '', 'not json']);
    // a succeeded; b got a 500 in the output; c is in the error file; d expired (not run); e, f, g have no result.
    const output = await file('output.jsonl', [outputLine('a'), outputLine('b', 500)]);
    const error = await file('error.jsonl', [errorLine('c'), errorLine('d', 'batch_expired')]);
    const scan = await ResubmitScan.open({ input, output, error });
    assert.deepEqual(scan.counts, { requests: 8, succeeded: 1, failed: 2, missing: 4, notRun: 1, skipped: 1 });
    assert.equal(scan.count('failed'), 2);
    assert.equal(scan.count('missing'), 4);
    assert.equal(scan.count('both'), 6);

    const failedPath = join(dir, 'failed.jsonl');
    const failed = await scan.write('failed', failedPath);
    assert.deepEqual(failed, { written: 2, preview: ['b', 'c'] });
    assert.equal(await readFile(failedPath, 'utf8'), `${chatLine('b')}\n${chatLine('c')}\n`);

    const missing = await scan.write('missing', join(dir, 'missing.jsonl'), { previewSize: 2 });
    assert.deepEqual(missing, { written: 4, preview: ['d', 'e'] });
    const both = await scan.write('both', join(dir, 'both.jsonl'));
    assert.equal(both.written, 6);
    const lines = (await readFile(join(dir, 'both.jsonl'), 'utf8')).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { custom_id: string }).custom_id),
      ['b', 'c', 'd', 'e', 'f', 'g'],
    );
    // Nothing but the chosen files (no temporaries) is left.
    assert.deepEqual((await readdir(dir)).sort(), [
      'both.jsonl',
      'error.jsonl',
      'failed.jsonl',
      'input.jsonl',
      'missing.jsonl',
      'output.jsonl',
    ]);
  });

  it('treats a success as final even when an error line names the same id, and refuses without an input file', async () => {
    const input = await file('input.jsonl', [chatLine('a'), chatLine('b')]);
    const output = await file('output.jsonl', [outputLine('a')]);
    const error = await file('error.jsonl', [errorLine('a'), errorLine('b')]);
    const scan = await ResubmitScan.open({ input, output, error });
    assert.equal(scan.counts.succeeded, 1);
    assert.equal(scan.counts.failed, 1);
    await assert.rejects(ResubmitScan.open({ output, error }), /input file is needed/);
  });

  it('stops when its signal aborts', async () => {
    const input = await file('input.jsonl', [chatLine('a')]);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(ResubmitScan.open({ input }, { signal: controller.signal }), /cancelled/);
  });
});

describe('batch chains', () => {
  const original = batch('batch_1', 'completed', { metadata: { description: 'Nightly' }, created_at: 1 });
  const retry = batch('batch_2', 'completed', { metadata: { description: 'Nightly', resubmit_of: 'batch_1' }, created_at: 2 });
  const retry2 = batch('batch_3', 'in_progress', { metadata: { resubmit_of: 'batch_2' }, created_at: 3 });
  const unrelated = batch('batch_9', 'completed', { metadata: { description: 'Other' } });

  it('reads links defensively', () => {
    assert.deepEqual(chainLinks(retry), { resubmitOf: 'batch_1' });
    assert.deepEqual(chainLinks(batch('x', 'completed', { metadata: { group: 'g1', part: '2/3' } })), {
      group: 'g1',
      part: { index: 2, count: 3 },
    });
    assert.deepEqual(chainLinks(batch('x', 'completed', { metadata: null })), {});
    assert.deepEqual(chainLinks(batch('x', 'completed', { metadata: { resubmit_of: 'x', part: '4/3' } })), {});
    assert.equal(parsePart('0/2'), undefined);
    assert.equal(parsePart('a/b'), undefined);
  });

  it('finds every linked batch with its attempt, from any member', () => {
    for (const start of [original, retry, retry2]) {
      const chain = findChain(start, [unrelated, retry2, original, retry]);
      assert.deepEqual(
        chain.map((m) => [m.batch.id, m.attempt]),
        [
          ['batch_1', 1],
          ['batch_2', 2],
          ['batch_3', 3],
        ],
      );
    }
    const partial = findChain(retry2, [retry2, retry]);
    assert.deepEqual(unknownLinks(partial), ['batch_1']);
    assert.deepEqual(chainNeighbours(retry, [original, retry, retry2]), { resubmissionOf: 'batch_1', resubmittedAs: ['batch_3'] });
  });

  it('puts the parts of a group together, in part order, with a resubmitted part as a later attempt', () => {
    const part = (id: string, i: number): ReturnType<typeof batch> =>
      batch(id, 'completed', { metadata: { group: 'g', part: `${i}/3` }, created_at: 10 - i });
    const parts = [part('p3', 3), part('p1', 1), part('p2', 2)];
    const redo = batch('p2b', 'completed', { metadata: { resubmit_of: 'p2' } });
    const chain = findChain(parts[0], [...parts, redo, unrelated]);
    assert.deepEqual(
      chain.map((m) => `${m.batch.id}@${m.attempt}`),
      ['p1@1', 'p2@1', 'p3@1', 'p2b@2'],
    );
    assert.equal(chainPrefix(parts[2]), 'part 2/3 · group g · ');
    assert.equal(chainPrefix(original), '');
  });

  it('combines outcomes: the latest attempt wins, counting the attempts', () => {
    const combined = combineAttempts([
      {
        attempt: 2,
        rows: [
          { customId: 'b', outcome: 'succeeded' as const },
          { customId: 'c', outcome: 'failed' as const },
        ],
      },
      {
        attempt: 1,
        rows: [
          { customId: 'a', outcome: 'succeeded' as const },
          { customId: 'b', outcome: 'failed' as const },
          { customId: 'c', outcome: 'missing' as const },
        ],
      },
      { attempt: 3, rows: [{ customId: 'c', outcome: 'succeeded' as const }] },
    ]);
    assert.deepEqual(
      combined.map((r) => [r.row.customId, r.row.outcome, r.attempt, r.attempts, r.source]),
      [
        ['a', 'succeeded', 1, 1, 1],
        ['b', 'succeeded', 2, 2, 0],
        ['c', 'succeeded', 3, 3, 2],
      ],
    );
  });

  it('keeps metadata within the API limits', () => {
    const long = 'x'.repeat(600);
    const meta = resubmitMetadata(batch('batch_1', 'completed', { metadata: { description: long } }));
    assert.equal(meta.resubmit_of, 'batch_1');
    assert.equal(meta.description.length, METADATA_LIMITS.valueChars);
    assert.throws(() => resubmitMetadata(batch('b'.repeat(513), 'completed')), /too long/);
    const many: Record<string, string> = {};
    for (let i = 0; i < 20; i++) many[`k${i}`] = 'v';
    many['y'.repeat(65)] = 'dropped';
    const fitted = fitMetadata({ ...many, resubmit_of: 'batch_1' }, ['resubmit_of']);
    assert.equal(Object.keys(fitted).length, 16);
    assert.equal(fitted.resubmit_of, 'batch_1');
    assert.ok(!('y'.repeat(65) in fitted));
    assert.deepEqual(partMetadata('split_ab', 2, 3, ' Nightly '), { group: 'split_ab', part: '2/3', description: 'Nightly' });
  });
});

describe('splitting an input file', () => {
  withTempDir();
  const lines = (n: number, prefix = 'task'): string[] => Array.from({ length: n }, (_, i) => chatLine(`${prefix}-${i}`));

  it('plans the fewest parts, spread evenly, and writes them with every request once, in order', async () => {
    const source = await file('big.jsonl', ['', ...lines(25)]);
    const scan = await scanForSplit(source, { ...DEFAULT_SPLIT_LIMITS, maxRequests: 10 });
    assert.equal(scan.problemCount, 0);
    assert.equal(scan.requests, 25);
    assert.equal(scan.endpoint, '/v1/chat/completions');
    assert.match(scan.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      scan.parts.map((p) => p.requests),
      [9, 9, 7],
    );
    const paths = await writeParts(source, scan.parts, join(dir, 'parts'));
    const written = await Promise.all(paths.map((p) => readFile(p, 'utf8')));
    assert.equal(written.join(''), `${lines(25).join('\n')}\n`);
    written.forEach((text, i) => assert.equal(Buffer.byteLength(text), scan.parts[i].bytes));
  });

  it('splits by size when bytes decide, and fits a file within the limits in one part', async () => {
    const source = await file('big.jsonl', lines(40));
    const whole = await scanForSplit(source);
    assert.equal(whole.parts.length, 1);
    const perLine = Math.ceil(whole.bytes / 40);
    const bySize = await scanForSplit(source, { ...DEFAULT_SPLIT_LIMITS, maxBytes: perLine * 15 });
    assert.equal(bySize.parts.length, 3);
    for (const part of bySize.parts) assert.ok(part.bytes <= perLine * 15);
    assert.equal(
      bySize.parts.reduce((n, p) => n + p.requests, 0),
      40,
    );
  });

  it('counts embedding inputs (each item of an array) against their own limit', async () => {
    const embedding = (i: number, inputs: number): string =>
      JSON.stringify({
        custom_id: `e-${i}`,
        method: 'POST',
        url: '/v1/embeddings',
        body: { model: 'text-embedding-3-small', input: Array.from({ length: inputs }, (_, k) => `text ${k}`) },
      });
    const source = await file(
      'emb.jsonl',
      Array.from({ length: 12 }, (_, i) => embedding(i, 5)),
    );
    const scan = await scanForSplit(source, { ...DEFAULT_SPLIT_LIMITS, maxEmbeddingInputs: 20 });
    assert.equal(scan.embeddingInputs, 60);
    assert.deepEqual(
      scan.parts.map((p) => p.embeddingInputs),
      [20, 20, 20],
    );
  });

  it('catches duplicate custom_ids across the whole file, and other broken lines, before planning', async () => {
    const source = await file('dup.jsonl', [...lines(30), chatLine('task-3'), '{"custom_id": 5}', '[1]', '{nope']);
    const scan = await scanForSplit(source, { ...DEFAULT_SPLIT_LIMITS, maxRequests: 10 });
    assert.deepEqual(scan.parts, []);
    assert.deepEqual(
      scan.problems.map((p) => [p.line, p.code]),
      [
        [31, 'duplicateCustomId'],
        [32, 'missingCustomId'],
        [33, 'notAnObject'],
        [34, 'invalidJson'],
      ],
    );
    assert.match(scan.problems[0].message, /first used on line 4/);
  });

  it('plans ordered parts from sizes alone', () => {
    const sizes = { length: 7, bytes: () => 10, inputs: () => 0 };
    assert.deepEqual(
      planParts(sizes, { maxRequests: 3, maxBytes: 1000, maxEmbeddingInputs: 10 }).map((p) => [p.start, p.end]),
      [
        [0, 3],
        [3, 6],
        [6, 7],
      ],
    );
    assert.throws(() =>
      planParts({ length: 1, bytes: () => 2000, inputs: () => 0 }, { maxRequests: 3, maxBytes: 1000, maxEmbeddingInputs: 10 }),
    );
  });
});

describe('a split plan against the fake API', () => {
  withTempDir();
  let api: FakeApi;
  let client: BatchApiClient;
  beforeEach(async () => {
    api = await startFakeApi({ seed: 'empty' });
    client = new BatchApiClient({
      baseUrl: api.baseUrl,
      apiKey: api.apiKey,
      retry: { ...FAST_RETRY, maxTotalWaitMs: 0 },
      timeoutMs: 5_000,
    });
  });
  afterEach(() => api.close());

  async function plan(parts: number): Promise<{ plan: SplitPlan; store: SplitPlanStore }> {
    const source = await file(
      'src.jsonl',
      Array.from({ length: parts * 4 }, (_, i) => chatLine(`r-${i}`)),
    );
    const scan = await scanForSplit(source, { ...DEFAULT_SPLIT_LIMITS, maxRequests: 4 });
    const store = new SplitPlanStore(join(dir, 'plans'));
    const key = planKey(scan.sha256, api.baseUrl);
    const paths = await writeParts(source, scan.parts, store.folder(key));
    const split: SplitPlan = {
      version: 1,
      key,
      source: { name: 'src.jsonl', sha256: scan.sha256, bytes: scan.fileBytes },
      account: api.baseUrl,
      endpoint: '/v1/chat/completions',
      description: 'Nightly',
      group: newGroupId(),
      createdAt: Date.now(),
      parts: scan.parts.map((p, i) => ({
        index: i + 1,
        path: paths[i],
        requests: p.requests,
        bytes: p.bytes,
        embeddingInputs: p.embeddingInputs,
      })),
    };
    await store.save(split);
    return { plan: split, store };
  }

  it('creates every part with its group and part metadata, one after another', async () => {
    const { plan: split, store } = await plan(3);
    const batches = await runSplitPlan(client, split, store);
    assert.deepEqual(
      batches.map((b) => b.metadata),
      [1, 2, 3].map((i) => ({ group: split.group, part: `${i}/3`, description: 'Nightly' })),
    );
    assert.equal(api.count('POST', '/v1/files'), 3);
    assert.equal(api.count('POST', '/v1/batches'), 3);
    const saved = await store.load(split.key);
    assert.deepEqual(
      saved?.parts.map((p) => p.batchId),
      batches.map((b) => b.id),
    );
  });

  it('resumes after a failure: parts already created are kept, an uploaded part is not uploaded again', async () => {
    const { plan: split, store } = await plan(3);
    // The second create fails (persistently, with no retries left): part 1 is done, part 2 uploaded.
    const failure = await runSplitPlan(client, split, store, {
      onCreated: (part) => {
        if (part.index === 1) api.addFault({ method: 'POST', path: '/v1/batches', status: 400, times: 1 });
      },
    }).then(
      () => assert.fail('expected a failure'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof SplitRunError);
    assert.equal(failure.part.index, 2);
    const saved = (await store.load(split.key)) as SplitPlan;
    assert.ok(saved.parts[0].batchId);
    assert.ok(saved.parts[1].fileId && !saved.parts[1].batchId);
    api.clearFaults();
    api.clearRequests();
    const rest = await runSplitPlan(client, saved, store);
    assert.equal(rest.length, 2);
    assert.equal(api.count('POST', '/v1/files'), 1, 'only part 3 is uploaded again');
    assert.equal(api.count('POST', '/v1/batches'), 2);
    await store.remove(split.key);
    assert.equal(await store.load(split.key), undefined);
  });
});

describe('combined results of a chain (ResultsIndex.combine)', () => {
  withTempDir();
  it('shows one row per original custom_id with the latest outcome, reading each row back from its own batch', async () => {
    const first = await ResultsIndex.open({
      input: await file('in1.jsonl', [chatLine('a'), chatLine('b'), chatLine('c')]),
      output: await file('out1.jsonl', [outputLine('a')]),
      error: await file('err1.jsonl', [errorLine('b')]),
    });
    const second = await ResultsIndex.open({
      input: await file('in2.jsonl', [chatLine('b'), chatLine('c')]),
      output: await file('out2.jsonl', [outputLine('c'), outputLine('b')]),
    });
    const combined = ResultsIndex.combine([
      { index: first, attempt: 1, batchId: 'batch_1' },
      { index: second, attempt: 2, batchId: 'batch_2' },
    ]);
    assert.deepEqual(
      combined.rows.map((r) => [r.customId, r.outcome, r.attempt, r.attempts, r.batchId]),
      [
        ['a', 'succeeded', 1, 1, 'batch_1'],
        ['b', 'succeeded', 2, 2, 'batch_2'],
        ['c', 'succeeded', 2, 2, 'batch_2'],
      ],
    );
    assert.deepEqual(combined.report.counts, { succeeded: 3, failed: 0, missing: 0, unmatched: 0 });
    const detail = await combined.detail(1);
    assert.match(detail?.response ?? '', /answer b/);
    const exported = join(dir, 'combined.jsonl');
    await combined.exportRows(combined.find({ outcome: 'all', search: '', sortKey: 'line', descending: false }), 'jsonl', exported);
    const records = (await readFile(exported, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { custom_id: string; attempt: number; batch_id: string; request: { custom_id: string } });
    assert.deepEqual(records.map((r) => [r.custom_id, r.attempt, r.batch_id, r.request.custom_id]).sort(), [
      ['a', 1, 'batch_1', 'a'],
      ['b', 2, 'batch_2', 'b'],
      ['c', 2, 'batch_2', 'c'],
    ]);
  });
});

describe('recovery in the webviews', () => {
  it('the detail page may ask to resubmit and to open a chain link by position only', () => {
    assert.equal(isPageMessage({ type: 'resubmit' }), true);
    assert.equal(isPageMessage({ type: 'openLinked', index: 2 }), true);
    assert.equal(isPageMessage({ type: 'openLinked', index: -1 }), false);
    assert.equal(isPageMessage({ type: 'openLinked', index: 1.5 }), false);
    assert.equal(isPageMessage({ type: 'openLinked', index: 0, id: 'batch_x' }), false);
    assert.equal(isPageMessage({ type: 'resubmit', id: 'batch_x' }), false);
    assert.equal(isResultsPageMessage({ type: 'resubmit' }), true);
    assert.equal(isResultsPageMessage({ type: 'resubmit', batchId: 'batch_x' }), false);
  });

  it('the detail view names the original, the resubmissions and the other parts, and whether to offer Resubmit', () => {
    const original = batch('batch_1', 'completed', {
      input_file_id: 'file-in',
      request_counts: { total: 3, completed: 2, failed: 1 },
      metadata: { description: 'Nightly' },
    });
    const retry = batch('batch_2', 'in_progress', {
      input_file_id: 'file-in2',
      metadata: { resubmit_of: 'batch_1', description: 'Nightly' },
    });
    const elsewhere = batch('batch_9', 'completed', { input_file_id: 'file-9', request_counts: { total: 3, completed: 3, failed: 0 } });
    assert.deepEqual(recoveryView(original, [original, retry, elsewhere]), {
      resubmittable: true,
      links: [{ relation: 'resubmitted as', id: 'batch_2', label: 'Nightly' }],
    });
    assert.deepEqual(recoveryView(retry, [retry]), {
      resubmittable: false,
      links: [{ relation: 'resubmission of', id: 'batch_1', label: undefined }],
    });
    assert.deepEqual(recoveryView(elsewhere, [elsewhere]), { resubmittable: false, links: [] });
    const part = (id: string, i: number): ReturnType<typeof batch> =>
      batch(id, 'completed', { metadata: { group: 'split_1', part: `${i}/2` } });
    assert.deepEqual(recoveryView(part('p1', 1), [part('p2', 2), part('p1', 1)]), {
      resubmittable: false,
      links: [{ relation: 'other part', id: 'p2', label: 'p2' }],
      group: 'part 1 of 2 · group split_1',
    });
  });

  it('offers Resubmit only for stopped batches with something that did not succeed and a known input file', () => {
    const counts = (completed: number, failed: number) => ({ total: 4, completed, failed });
    assert.equal(canResubmit(batch('a', 'completed', { input_file_id: 'f', request_counts: counts(4, 0) })), false);
    assert.equal(canResubmit(batch('a', 'completed', { input_file_id: 'f', request_counts: counts(3, 1) })), true);
    assert.equal(canResubmit(batch('a', 'Completed', { input_file_id: 'f', request_counts: counts(3, 0) })), true);
    assert.equal(canResubmit(batch('a', 'expired', { input_file_id: 'f' })), true);
    assert.equal(canResubmit(batch('a', 'cancelled', { input_file_id: 'f' })), true);
    assert.equal(canResubmit(batch('a', 'in_progress', { input_file_id: 'f', request_counts: counts(1, 1) })), false);
    assert.equal(canResubmit(batch('a', 'failed', {})), false);
  });
});
