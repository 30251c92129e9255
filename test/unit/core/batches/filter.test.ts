import * as assert from 'node:assert/strict';
import { describeFilter, isFilterActive, matchesFilter } from '../../../../src/core/batches/filter';
import { batch } from '../../helpers';

describe('filter', () => {
  const batches = [
    batch('batch_1', 'completed', { metadata: { description: 'Nightly eval' }, output_file_id: 'file-out1' }),
    batch('batch_2', 'failed', { endpoint: '/v1/embeddings' }),
    batch('batch_3', 'in_progress', { model: 'gpt-4o-mini' }),
  ];
  const ids = (filter: Parameters<typeof matchesFilter>[1]): string[] => batches.filter((b) => matchesFilter(b, filter)).map((b) => b.id);

  it('matches status, endpoint and case-insensitive text in ids, metadata, file ids and model', () => {
    assert.deepEqual(ids({ statuses: ['completed', 'failed'] }), ['batch_1', 'batch_2']);
    assert.deepEqual(ids({ endpoints: ['/v1/embeddings'] }), ['batch_2']);
    assert.deepEqual(ids({ text: 'NIGHTLY' }), ['batch_1']);
    assert.deepEqual(ids({ text: 'file-out1' }), ['batch_1']);
    assert.deepEqual(ids({ text: '4o-mini' }), ['batch_3']);
    assert.deepEqual(ids({ statuses: ['completed'], text: 'embeddings' }), []);
    assert.equal(isFilterActive({ text: '  ', statuses: [] }), false);
    assert.equal(
      describeFilter({ statuses: ['failed'], endpoints: ['/v1/embeddings'], text: ' eval ' }),
      'status: failed · endpoint: /v1/embeddings · "eval"',
    );
  });
});
