import * as assert from 'node:assert/strict';
import type { JoinedResult } from '../../../../src/core/results/resultsJoin';
import { packRows, unpackRows } from '../../../../src/core/results/rowPacking';

describe('rows packed in columns to cross threads', () => {
  it('gives back equal rows, with the same properties present, and repeated texts once', () => {
    const rows: JoinedResult[] = [
      // As applyResult leaves them: statusCode and answer are present even when undefined.
      {
        customId: 'a',
        line: -1,
        outcome: 'succeeded',
        statusCode: 200,
        answer: '1 embedding',
        answerCut: true,
        usage: { input_tokens: 8, total_tokens: 8 },
        resultAt: { file: 'output', line: 1, offset: 0, bytes: 31_000 },
      },
      {
        customId: 'b',
        line: 7,
        outcome: 'succeeded',
        statusCode: 200,
        answer: '1 embedding',
        resultAt: { file: 'output', line: 2, offset: 31_001, bytes: 9 },
      },
      {
        customId: 'c',
        line: 3,
        outcome: 'failed',
        statusCode: undefined,
        answer: undefined,
        errorKey: 'invalid_request_error: bad',
        usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3, cached_tokens: 1 },
        resultAt: { file: 'error', line: 1, offset: 0, bytes: 120 },
        inputAt: { offset: 5_000_000_000, bytes: 4_000 },
      },
      { customId: 'd', line: 12, outcome: 'missing', inputAt: { offset: 40, bytes: 4_000 } },
    ];
    const packed = packRows(rows);
    assert.deepEqual(packed.texts, ['1 embedding', 'invalid_request_error: bad']);
    const back = unpackRows(structuredClone(packed));
    assert.deepEqual(back, rows);
    assert.deepEqual(
      back.map((row) => Object.keys(row).sort()),
      rows.map((row) => Object.keys(row).sort()),
    );
  });
});
