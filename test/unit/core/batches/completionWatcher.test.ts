import * as assert from 'node:assert/strict';
import { CompletionWatcher } from '../../../../src/core/batches/completionWatcher';
import { batch } from '../../helpers';

describe('completion notifications', () => {
  it('reports a batch seen active once it finishes, once; never one first seen finished', () => {
    const watcher = new CompletionWatcher();
    assert.deepEqual(watcher.observe([batch('a', 'in_progress'), batch('b', 'completed'), batch('c', 'cancelling')]), []);
    assert.equal(watcher.activeCount, 2);
    const finished = watcher.observe([batch('a', 'completed'), batch('b', 'completed'), batch('c', 'cancelling')]);
    assert.deepEqual(
      finished.map((b) => b.id),
      ['a'],
    );
    assert.deepEqual(
      watcher.observe([batch('a', 'completed'), batch('c', 'cancelled')]).map((b) => b.id),
      ['c'],
    );
    assert.deepEqual(watcher.observe([batch('a', 'completed'), batch('c', 'cancelled')]), [], 'once');
    watcher.observe([batch('d', 'validating')]);
    watcher.reset();
    assert.deepEqual(watcher.observe([batch('d', 'failed')]), [], 'forgotten after a reset (account switch)');
  });
});
