import * as assert from 'assert';
import {
  applyBatch,
  BACKOFF,
  emptyQueue,
  enqueuedTokens,
  learnFromLimit,
  limitFor,
  markCreated,
  metTokenLimit,
  partNamedBy,
  planQueue,
  type QueuedGroup,
  type QueuedPart,
  type QueueFile,
} from '../../../../src/core/queue/queueModel';
import type { Batch } from '../../../../src/core/api/types';

const MODEL = 'gpt-4o-mini';

function part(index: number, tokens = 1000, model = MODEL): QueuedPart {
  return { index, path: `/tmp/p${index}.jsonl`, requests: 10, bytes: 100, tokens, model, attempts: 0 };
}

function group(id: string, parts: QueuedPart[], createdAt = 1): QueuedGroup {
  return {
    group: id,
    name: 'job.jsonl',
    source: 'split',
    endpoint: '/v1/chat/completions',
    description: 'job',
    createdAt,
    paused: false,
    parts,
    count: parts.length,
  };
}

function queueOf(...groups: QueuedGroup[]): QueueFile {
  return { ...emptyQueue('acct'), groups };
}

const kinds = (queue: QueueFile, limits: Record<string, number>, now = 0): string[] => {
  const states = planQueue(queue, limits, now);
  return queue.groups.flatMap((g) =>
    g.parts.map((p) => {
      const state = states.get(p);
      return state?.kind === 'waiting' ? `waiting:${state.reason.kind}` : (state?.kind ?? '?');
    }),
  );
};

describe('queue model', function () {
  it('with no limit set, every part is ready at once (as Split did before the queue)', function () {
    const queue = queueOf(group('g', [part(1), part(2), part(3), part(4), part(5)]));
    assert.deepStrictEqual(kinds(queue, {}), ['ready', 'ready', 'ready', 'ready', 'ready']);
  });

  it('under a limit that fits two parts, two are ready and the rest wait, in order, naming the numbers', function () {
    const queue = queueOf(group('g', [part(1), part(2), part(3), part(4), part(5)]));
    assert.deepStrictEqual(kinds(queue, { [MODEL]: 2500 }), [
      'ready',
      'ready',
      'waiting:limit',
      'waiting:earlierPart',
      'waiting:earlierPart',
    ]);
    const third = planQueue(queue, { [MODEL]: 2500 }, 0).get(queue.groups[0].parts[2]);
    assert.deepStrictEqual(third, {
      kind: 'waiting',
      reason: { kind: 'limit', model: MODEL, enqueued: 2000, limit: 2500, learned: false },
    });
  });

  it('created parts count as enqueued until they finish; a finished one makes room', function () {
    const queue = queueOf(group('g', [part(1), part(2), part(3)]));
    markCreated(queue, queue.groups[0].parts[0], 'batch_1');
    markCreated(queue, queue.groups[0].parts[1], 'batch_2');
    assert.strictEqual(enqueuedTokens(queue, MODEL), 2000);
    assert.deepStrictEqual(kinds(queue, { [MODEL]: 2500 }), ['submitted', 'submitted', 'waiting:limit']);
    assert.ok(applyBatch(queue, queue.groups[0].parts[0], { id: 'batch_1', status: 'completed' }, 0));
    assert.deepStrictEqual(kinds(queue, { [MODEL]: 2500 }), ['finished', 'submitted', 'ready']);
  });

  it('a later, smaller part never overtakes a waiting one of its model; other models go on', function () {
    const queue = queueOf(group('g', [part(1, 2000), part(2, 5000), part(3, 100), part(4, 100, 'text-embedding-3-small')]));
    markCreated(queue, queue.groups[0].parts[0], 'batch_1');
    assert.deepStrictEqual(kinds(queue, { [MODEL]: 2500 }), ['submitted', 'waiting:limit', 'waiting:earlierPart', 'ready']);
  });

  it('a part over the limit on its own goes when nothing of its model is enqueued', function () {
    const queue = queueOf(group('g', [part(1, 9000), part(2, 9000)]));
    assert.deepStrictEqual(kinds(queue, { [MODEL]: 5000 }), ['ready', 'waiting:limit']);
  });

  it('a paused group waits and does not hold back other groups', function () {
    const paused = group('a', [part(1)], 1);
    paused.paused = true;
    const queue = queueOf(paused, group('b', [part(1)], 2));
    assert.deepStrictEqual(kinds(queue, { [MODEL]: 1500 }), ['waiting:paused', 'ready']);
  });

  it('learns from token_limit_exceeded: records the ceiling, waits for an active batch to finish and a backoff', function () {
    const queue = queueOf(group('g', [part(1), part(2), part(3)]));
    const [p1, p2, p3] = queue.groups[0].parts;
    markCreated(queue, p1, 'batch_1');
    markCreated(queue, p2, 'batch_2');
    markCreated(queue, p3, 'batch_3');
    const failed: Batch = {
      id: 'batch_3',
      status: 'failed',
      errors: {
        object: 'list',
        data: [{ code: 'token_limit_exceeded', message: 'Enqueued token limit reached', param: null, line: null }],
      },
    };
    assert.ok(metTokenLimit(failed));
    assert.ok(applyBatch(queue, p3, failed, 1_000));
    assert.strictEqual(p3.batchId, undefined);
    assert.deepStrictEqual(p3.rejected, ['batch_3']);
    assert.strictEqual(p3.attempts, 1);
    assert.strictEqual(p3.notBefore, 1_000 + BACKOFF.firstMs);
    assert.deepStrictEqual(p3.waitFor, ['batch_1', 'batch_2']);
    assert.deepStrictEqual(queue.ceilings[MODEL], { tokens: 3000, at: 1_000 });
    assert.deepStrictEqual(limitFor(queue, {}, MODEL), { limit: 2999, learned: true });
    // Before the backoff: waits; after it, still waits while both batches it met are active.
    assert.deepStrictEqual(kinds(queue, {}, 2_000), ['submitted', 'submitted', 'waiting:backoff']);
    assert.deepStrictEqual(kinds(queue, {}, 1_000 + BACKOFF.firstMs), ['submitted', 'submitted', 'waiting:afterFinish']);
    applyBatch(queue, p1, { id: 'batch_1', status: 'completed' }, 40_000);
    assert.deepStrictEqual(kinds(queue, {}, 1_000 + BACKOFF.firstMs), ['finished', 'submitted', 'ready']);
  });

  it('backs off with a ceiling, never a tight loop', function () {
    const queue = queueOf(group('g', [part(1)]));
    const p = queue.groups[0].parts[0];
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      learnFromLimit(queue, p, 0, 0);
      waits.push(p.notBefore ?? 0);
    }
    assert.deepStrictEqual(waits.slice(0, 4), [30_000, 60_000, 120_000, 240_000]);
    assert.strictEqual(Math.max(...waits), BACKOFF.maxMs);
  });

  it('the setting wins over a learned ceiling that is higher, and a lower ceiling wins over the setting', function () {
    const queue = queueOf();
    queue.ceilings[MODEL] = { tokens: 10_000, at: 0 };
    assert.deepStrictEqual(limitFor(queue, { [MODEL]: 5000 }, MODEL), { limit: 5000, learned: false });
    assert.deepStrictEqual(limitFor(queue, { [MODEL]: 50_000 }, MODEL), { limit: 9999, learned: true });
  });

  it('finds a part by its batch metadata (group and i/N), and nothing else', function () {
    const g = group('split_ab', [part(1), part(2)]);
    assert.strictEqual(partNamedBy(g, { id: 'b', metadata: { group: 'split_ab', part: '2/2' } }), g.parts[1]);
    assert.strictEqual(partNamedBy(g, { id: 'b', metadata: { group: 'split_ab', part: '2/3' } }), undefined);
    assert.strictEqual(partNamedBy(g, { id: 'b', metadata: { group: 'split_xx', part: '2/2' } }), undefined);
    assert.strictEqual(partNamedBy(g, { id: 'b', metadata: null }), undefined);
  });

  it("reads Azure's errors.data as one object too", function () {
    const azure = {
      id: 'b',
      status: 'failed',
      errors: { data: { code: 'token_limit_exceeded', message: 'x', line: '1' } },
    } as unknown as Batch;
    assert.ok(metTokenLimit(azure));
    assert.ok(!metTokenLimit({ id: 'c', status: 'failed', errors: { object: 'list', data: [{ code: 'invalid_request' }] } }));
  });
});
