import * as assert from 'assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchApiClient } from '../../../../src/core/api/client';
import { estimateInputTokens } from '../../../../src/core/cost/tokenEstimate';
import { BACKOFF, metTokenLimit, type QueuedGroup } from '../../../../src/core/queue/queueModel';
import { runQueuePass } from '../../../../src/core/queue/queueRunner';
import { QueueStore } from '../../../../src/core/queue/queueStore';
import { cl100k_base, o200k_base } from '../../../../src/tokenizer/encodings';
import { type FakeApi, startFakeApi } from '../../../fake-api/server';
import { FAST_RETRY } from '../../helpers';

const MODEL = 'gpt-4o-mini';
const REQUESTS_PER_PART = 4;

function partText(index: number): string {
  const lines: string[] = [];
  for (let i = 0; i < REQUESTS_PER_PART; i++) {
    const id = `p${index}-r${i}`;
    lines.push(
      JSON.stringify({
        custom_id: id,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: MODEL, messages: [{ role: 'user', content: `Question ${id}` }] },
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

const tokensOf = (text: string): number => estimateInputTokens(text.split('\n'), { o200k_base, cl100k_base }).tokens;

/** Requests by method and route, ids folded. */
function routes(fake: FakeApi): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of fake.requests) {
    const key = `${entry.method} ${entry.path.replace(/\/batch_[\w-]+/, '/{id}').replace(/\/file-[\w-]+/, '/{id}')}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('queue runner against the fake API', function () {
  this.timeout(30_000);
  let fake: FakeApi;
  let folder: string;
  let client: BatchApiClient;
  let store: QueueStore;

  beforeEach(async function () {
    fake = await startFakeApi({ seed: 'empty', now: 1_800_000_000 });
    folder = await mkdtemp(join(tmpdir(), 'queue-test-'));
    client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retry: FAST_RETRY, timeoutMs: 5_000 });
    store = new QueueStore(join(folder, 'queue'), 'acct-1');
  });

  afterEach(async function () {
    await fake.close();
    await rm(folder, { recursive: true, force: true });
  });

  /** Queues a job of `count` parts; returns one part's token estimate (all are equal in tokens). */
  async function queueJob(count: number, group = 'split_test'): Promise<number> {
    const queue = await store.load();
    const parts: QueuedGroup['parts'] = [];
    let tokens = 0;
    for (let i = 1; i <= count; i++) {
      const text = partText(i);
      const path = join(folder, `part-${i}.jsonl`);
      await writeFile(path, text);
      tokens = tokensOf(text);
      parts.push({ index: i, path, requests: REQUESTS_PER_PART, bytes: text.length, tokens, model: MODEL, attempts: 0 });
    }
    queue.groups.push({
      group,
      name: 'job.jsonl',
      source: 'split',
      endpoint: '/v1/chat/completions',
      description: 'Nightly job',
      createdAt: Date.now(),
      paused: false,
      parts,
      count,
    });
    await store.save(queue);
    return tokens;
  }

  /** Completes every active batch on the fake. */
  const finishAll = (): void => fake.clock.advance(24 * 3600);

  it('a 10-part job under a limit that fits 3: 3 at a time, one create per part, and the request count', async function () {
    const tokens = await queueJob(10);
    const limits = { [MODEL]: Math.floor(tokens * 3.5) };
    fake.enqueuedTokenLimits.set(MODEL, limits[MODEL]);
    const createdPerPass: number[] = [];
    let done: QueuedGroup | undefined;
    for (let pass = 0; pass < 10 && !done; pass++) {
      const result = await runQueuePass(client, store, { limits, onGroupDone: (g) => (done = g) });
      createdPerPass.push(result.created);
      const active = fake.store.list().filter((b) => ['validating', 'in_progress', 'finalizing'].includes(b.status ?? ''));
      assert.ok(active.length <= 3, `at most 3 enqueued, saw ${active.length}`);
      assert.strictEqual(result.limited, 0);
      finishAll();
    }
    assert.deepStrictEqual(createdPerPass, [3, 3, 3, 1, 0]);
    assert.ok(done, 'the group was reported done');
    assert.ok(done.parts.every((p) => p.finished === 'completed'));
    // Exactly one create per part, each part's metadata once.
    const parts = fake.store
      .list()
      .map((b) => b.metadata?.part)
      .sort();
    assert.deepStrictEqual(parts, ['1/10', '10/10', '2/10', '3/10', '4/10', '5/10', '6/10', '7/10', '8/10', '9/10']);
    const counts = routes(fake);
    assert.deepStrictEqual(counts, { 'GET /v1/batches': 5, 'POST /v1/files': 10, 'POST /v1/batches': 10 });
    console.log(`      10 parts, limit fits 3: ${fake.requests.length} requests ${JSON.stringify(counts)}`);
    assert.strictEqual((await store.load()).groups.length, 0);
  });

  it('the same job when batches finish one at a time: one pass per finished batch, still one create per part', async function () {
    const tokens = await queueJob(10);
    const limits = { [MODEL]: Math.floor(tokens * 3.5) };
    fake.enqueuedTokenLimits.set(MODEL, limits[MODEL]);
    let done = false;
    let passes = 0;
    while (!done && passes < 30) {
      await runQueuePass(client, store, { limits, onGroupDone: () => (done = true) });
      passes++;
      // The oldest active batch finishes (as the tree's refresh would then show), the others still run.
      const oldest = fake.store
        .list()
        .filter((b) => ['validating', 'in_progress', 'finalizing'].includes(b.status ?? ''))
        .sort((a, b) => String(a.metadata?.part).localeCompare(String(b.metadata?.part), 'en', { numeric: true }))[0];
      if (oldest) fake.store.put({ ...oldest, status: 'completed', completed_at: fake.clock.now() });
    }
    assert.ok(done);
    const counts = routes(fake);
    assert.deepStrictEqual(counts, { 'GET /v1/batches': passes, 'POST /v1/files': 10, 'POST /v1/batches': 10 });
    assert.strictEqual(passes, 11);
    console.log(`      10 parts, limit fits 3, one batch finishing at a time: ${fake.requests.length} requests ${JSON.stringify(counts)}`);
  });

  it('never twice: a part created before a crash (not saved) is adopted from the server, not created again', async function () {
    const tokens = await queueJob(3);
    // Simulates a window that created part 1 and died before saving: the server has it, the queue does not.
    const queue = await store.load();
    const file = await client.uploadFile(new Blob([partText(1)]), 'job.part-1-of-3.jsonl', 'batch');
    const created = await client.createBatch({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { group: 'split_test', part: '1/3' },
    });
    assert.strictEqual(queue.groups[0].parts[0].batchId, undefined);
    fake.clearRequests();
    await runQueuePass(client, store, { limits: { [MODEL]: tokens * 2 } });
    const saved = await store.load();
    assert.strictEqual(saved.groups[0].parts[0].batchId, created.id);
    assert.strictEqual(fake.count('POST', '/v1/batches'), 1, 'only part 2 was created');
    assert.deepStrictEqual(
      fake.store
        .list()
        .map((b) => b.metadata?.part)
        .sort(),
      ['1/3', '2/3'],
    );
  });

  it('learns from token_limit_exceeded at validation: the parts go back, the ceiling is recorded, they go after a batch finishes', async function () {
    const tokens = await queueJob(5);
    fake.enqueuedTokenLimits.set(MODEL, Math.floor(tokens * 2.5));
    const t0 = Date.now();
    // No limit set in the settings: all five are created at once, as before the queue.
    assert.strictEqual((await runQueuePass(client, store, { limits: {}, nowMs: t0 })).created, 5);
    fake.clock.advance(3); // validation ends: two run, three fail with token_limit_exceeded
    const failed = fake.store.list().filter((b) => b.status === 'failed');
    assert.strictEqual(failed.length, 3);
    assert.ok(metTokenLimit(failed[0]), 'failed with token_limit_exceeded');
    const second = await runQueuePass(client, store, { limits: {}, nowMs: t0 + 1000 });
    assert.strictEqual(second.limited, 3);
    assert.strictEqual(second.created, 0);
    const queue = await store.load();
    assert.strictEqual(queue.ceilings[MODEL]?.tokens, tokens * 3);
    assert.deepStrictEqual(
      queue.groups[0].parts.map((p) => !!p.batchId),
      [true, true, false, false, false],
    );
    // Past the backoff but both batches it met still run: nothing is created, no tight loop.
    assert.strictEqual((await runQueuePass(client, store, { limits: {}, nowMs: t0 + 1000 + BACKOFF.maxMs })).created, 0);
    finishAll();
    const after = await runQueuePass(client, store, { limits: {}, nowMs: t0 + 1000 + BACKOFF.maxMs });
    assert.strictEqual(after.created, 2, 'the learned ceiling lets two go');
    assert.strictEqual(after.limited, 0);
    fake.clock.advance(3);
    assert.strictEqual(fake.store.list().filter((b) => b.status === 'failed').length, 3, 'no new limit failure');
  });

  it('the lock lets one window drive; it expires', async function () {
    assert.ok(await store.acquire('window-a', 1000));
    assert.ok(!(await store.acquire('window-b', 2000)));
    assert.ok(await store.acquire('window-a', 2000), 'renewed by its owner');
    assert.ok(await store.acquire('window-b', 2000 + 61_000), 'expired: another window takes it');
    await store.release('window-a');
    assert.strictEqual((await store.readLock())?.owner, 'window-b', 'only its owner releases it');
  });
});
