import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BatchCache } from '../../../../src/core/batches/batchCache';
import { BatchStore } from '../../../../src/core/batches/batchStore';
import { BatchApiClient } from '../../../../src/core/api/client';
import { batchLabel } from '../../../../src/core/batches/batchDisplay';
import { MAX_JSON_DEPTH, sameJson, TOO_DEEP } from '../../../../src/core/util/jsonDepth';
import { toJsonl } from '../../../../src/core/results/resultsJoin';
import type { Batch } from '../../../../src/core/api/types';
import { generateBatches } from '../../../fake-api/data';
import { FakeApi, startFakeApi } from '../../../fake-api/server';

const DEPTH = 20_000;

/** `{"a":{"a":…leaf…}}` nested `depth` deep, as text: JSON.stringify itself cannot write it. */
function deepLiteral(leaf: string, depth = DEPTH): string {
  return `${'{"a":'.repeat(depth)}${JSON.stringify(leaf)}${'}'.repeat(depth)}`;
}

/** A list page whose first batch carries `metadata.nested` nested 20,000 deep, as a hostile server would send it. */
function listPageWithDeepMetadata(batches: Batch[], leaf: string): string {
  const data = batches.map((b, i) => (i === 0 ? { ...b, metadata: { description: 'deep one', nested: '__DEEP__' } } : b));
  const page = JSON.stringify({ object: 'list', data, first_id: data[0].id, last_id: data.at(-1)!.id, has_more: false });
  return page.replace('"__DEEP__"', deepLiteral(leaf));
}

/** How deep the chain of `a` keys under `value` goes, and what it ends in (walked iteratively). */
function chainEnd(value: unknown): { depth: number; leaf: unknown } {
  let depth = 0;
  let current = value;
  while (typeof current === 'object' && current !== null && 'a' in current) {
    current = current.a;
    depth++;
  }
  return { depth, leaf: current };
}

describe('JSON nested 20,000 deep', () => {
  let api: FakeApi;
  let store: BatchStore;
  let dir: string | undefined;
  const batches = generateBatches(3, { seed: 7 }).map((b) => ({ ...b, status: 'completed' }));

  afterEach(async () => {
    store?.dispose();
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** A function, so the type checker does not narrow it across the refreshes below. */
  const refreshError = (): string | undefined => store.refreshError?.message;

  async function connect(): Promise<void> {
    api = await startFakeApi({ seed: batches });
    store = new BatchStore(() => 20);
    store.setConnection({
      kind: 'ready',
      client: new BatchApiClient({ baseUrl: api.baseUrl, apiKey: api.apiKey, retry: { maxRetries: 0 } }),
    });
  }

  it('keeps incremental refreshes working, and still notices when the deep part changes', async () => {
    await connect();
    api.addFault({ method: 'GET', path: '/v1/batches', status: 200, body: listPageWithDeepMetadata(batches, 'first') });
    await store.refresh();
    assert.equal(refreshError(), undefined);
    assert.equal(batchLabel(store.batches[0]), 'deep one');

    await store.refresh();
    assert.equal(refreshError(), undefined, 'the second (incremental) refresh compares the deep batch without overflowing');
    assert.equal(store.lastUpdateStats?.changed, 0, 'the same deep value is not a change');

    api.clearFaults();
    api.addFault({ method: 'GET', path: '/v1/batches', status: 200, body: listPageWithDeepMetadata(batches, 'second') });
    await store.refresh();
    assert.equal(refreshError(), undefined);
    assert.equal(store.lastUpdateStats?.changed, 1, 'a different leaf 20,000 levels down is a change');
    const end = chainEnd(store.batches[0].metadata?.nested);
    assert.deepEqual(end, { depth: DEPTH, leaf: 'second' }, 'the store holds the new value, whole');
    assert.equal(store.batches.length, 3);
  });

  it('saves the cache with the too-deep part cut (and a warning), and paints it back', async () => {
    await connect();
    api.addFault({ method: 'GET', path: '/v1/batches', status: 200, body: listPageWithDeepMetadata(batches, 'leaf') });
    await store.refresh();
    dir = await mkdtemp(path.join(tmpdir(), 'obe-deep-'));
    const warnings: string[] = [];
    const cache = new BatchCache(dir, (line) => warnings.push(line));
    await cache.save('account', store.snapshot(), 100);

    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`${store.batches[0].id}.*nested deeper than ${MAX_JSON_DEPTH} levels`));
    const loaded = await cache.load('account');
    assert.deepEqual(
      loaded?.snapshot.items.map((b) => b.id),
      store.batches.map((b) => b.id),
      'every batch is kept, in order',
    );
    const restored = loaded.snapshot.items[0];
    assert.equal(batchLabel(restored), 'deep one');
    const end = chainEnd(restored.metadata?.nested);
    // The batch is level 1 and metadata level 2, so the chain keeps the levels from 3 to the limit.
    assert.deepEqual(end, { depth: MAX_JSON_DEPTH - 2, leaf: TOO_DEEP });
    assert.deepEqual(loaded.snapshot.items.slice(1), store.batches.slice(1), 'other batches are stored whole');
    assert.ok((await readFile(cache.fileFor('account'), 'utf8')).length < 100_000);

    // The cut copy is only what was saved: the store still holds the batch whole.
    assert.equal(chainEnd(store.batches[0].metadata?.nested).depth, DEPTH);
  });

  it('exports result rows nested 20,000 deep as JSON Lines, cut at the limit', () => {
    const request: unknown = JSON.parse(deepLiteral('deep request'));
    const text = toJsonl([{ customId: 'r1', line: 1, request, outcome: 'missing' }]);
    const row = JSON.parse(text) as { custom_id: string; request: unknown };
    assert.equal(row.custom_id, 'r1');
    // The row is level 1, so the request keeps the levels from 2 to the limit.
    assert.deepEqual(chainEnd(row.request), { depth: MAX_JSON_DEPTH - 1, leaf: TOO_DEEP });
  });

  it('compares JSON values structurally, without recursion', () => {
    assert.equal(sameJson(JSON.parse(deepLiteral('x')), JSON.parse(deepLiteral('x'))), true);
    assert.equal(sameJson(JSON.parse(deepLiteral('x')), JSON.parse(deepLiteral('y'))), false);
    assert.equal(sameJson({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }), true, 'key order does not matter');
    assert.equal(sameJson({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(sameJson({ a: 1, b: 2 }, { a: 1, c: 2 }), false);
    assert.equal(sameJson([1, 2], [2, 1]), false, 'array order does');
    assert.equal(sameJson([1], { 0: 1 }), false);
    assert.equal(sameJson(null, {}), false);
    assert.equal(sameJson('1', 1), false);
  });
});
