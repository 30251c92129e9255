import * as assert from 'node:assert/strict';
import { settleWithConcurrency } from '../../../../src/core/util/pool';

describe('pool: bounded concurrency', () => {
  it('never runs more than the limit at once, keeps order, and settles failures without stopping', async () => {
    let running = 0;
    let most = 0;
    const outcomes = await settleWithConcurrency([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5 + (n % 3)));
      running--;
      if (n === 3) throw new Error('three');
      return n * 10;
    });
    assert.equal(most, 4);
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.status)),
      [10, 20, 'rejected', 40, 50, 60, 70, 80, 90, 100],
    );
  });

  it('starts nothing more once its signal aborts', async () => {
    const abort = new AbortController();
    const started: number[] = [];
    const outcomes = await settleWithConcurrency(
      [1, 2, 3, 4, 5],
      2,
      async (n) => {
        started.push(n);
        if (n === 2) abort.abort();
        await Promise.resolve();
        return n;
      },
      abort.signal,
    );
    assert.deepEqual(started, [1, 2]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled', 'skipped', 'skipped', 'skipped'],
    );
  });

  it('handles an empty list', async () => {
    assert.deepEqual(await settleWithConcurrency([], 4, () => Promise.resolve(1)), []);
  });
});
