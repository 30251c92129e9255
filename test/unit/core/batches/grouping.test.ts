import * as assert from 'node:assert/strict';
import { groupByStatus } from '../../../../src/core/batches/grouping';
import { bareBatch as b } from '../../helpers';

describe('groupByStatus', () => {
  it('orders active statuses first, then finished ones, then unknown statuses; drops empty groups', () => {
    const groups = groupByStatus([
      b('1', 'completed'),
      b('2', 'queued_for_gpu'),
      b('3', 'in_progress'),
      b('4', 'cancelled'),
      b('5', 'validating'),
      b('6', 'failed'),
      b('7', 'expired'),
      b('8', 'cancelling'),
      b('9', 'finalizing'),
      b('10', 'archived'),
      b('11', 'completed'),
    ]);
    assert.deepEqual(
      groups.map((g) => g.status),
      [
        'validating',
        'in_progress',
        'finalizing',
        'cancelling',
        'completed',
        'failed',
        'expired',
        'cancelled',
        'archived',
        'queued_for_gpu',
      ],
    );
    assert.deepEqual(
      groups.find((g) => g.status === 'completed')?.batches.map((x) => x.id),
      ['1', '11'],
      'keeps newest-first order',
    );
  });

  it('puts a missing or empty status in an "unknown" group instead of dropping it', () => {
    const groups = groupByStatus([b('1', null), b('2', undefined), b('3', '')]);
    assert.deepEqual(
      groups.map((g) => [g.status, g.batches.length]),
      [['unknown', 3]],
    );
  });
});
