import * as assert from 'node:assert/strict';
import { agreementMatrix } from '../../../../src/core/compare/agreement';
import { type CompareSideRow, joinRuns } from '../../../../src/core/compare/compareJoin';
import { OTHER_LABEL } from '../../../../src/core/compare/compareTypes';

const ok = (customId: string, answer: string): CompareSideRow => ({ customId, outcome: 'succeeded', answer });

function matrixOf(pairs: [string, string][], extraA: CompareSideRow[] = []) {
  const a = [...pairs.map(([label], i) => ok(`r${i}`, label)), ...extraA];
  const b = pairs.map(([, label], i) => ok(`r${i}`, label));
  return agreementMatrix(joinRuns('text', a, b), a, b);
}

describe('compare: agreement matrix', () => {
  it("counts A's labels against B's over the rows both answered", () => {
    const pairs: [string, string][] = [
      ...Array.from({ length: 6 }, (): [string, string] => ['positive', 'positive']),
      ...Array.from({ length: 3 }, (): [string, string] => ['negative', 'negative']),
      ['positive', 'negative'],
      ['positive', 'neutral'],
      ['neutral', 'neutral'],
    ];
    // Rows only one run has, or that failed, are not counted.
    const matrix = matrixOf(pairs, [ok('only-a', 'positive'), { customId: 'f', outcome: 'failed', answer: 'x' }]);
    assert.ok(matrix);
    assert.deepEqual(matrix.labels, ['positive', 'negative', 'neutral']);
    assert.deepEqual(matrix.counts, [
      [6, 1, 1],
      [0, 3, 0],
      [0, 0, 1],
    ]);
    assert.equal(matrix.total, 12);
    assert.equal(matrix.agreeing, 10);
  });

  it('keeps the 10 most frequent labels and gathers the rest under "other"', () => {
    const pairs: [string, string][] = [];
    // Labels L0..L11: L0 most frequent; L10 and L11 least.
    for (let label = 0; label < 12; label++) for (let k = 0; k < 12 - label; k++) pairs.push([`L${label}`, `L${label}`]);
    pairs.push(['L11', 'L0']);
    const matrix = matrixOf(pairs);
    assert.ok(matrix);
    assert.equal(matrix.labels.length, 11);
    assert.equal(matrix.labels[0], 'L0');
    assert.equal(matrix.labels[10], OTHER_LABEL);
    const other = 10;
    // L10 (2 rows) and L11 (1 row) agree inside "other"; L11 → L0 lands in other × L0.
    assert.equal(matrix.counts[other][other], 3);
    assert.equal(matrix.counts[other][0], 1);
    assert.equal(matrix.total, pairs.length);
    const sum = matrix.counts.flat().reduce((x, y) => x + y, 0);
    assert.equal(sum, pairs.length);
  });

  it('is not built for free text: long answers, or labels that hardly repeat', () => {
    assert.equal(
      matrixOf([
        ['a long answer that is certainly more than forty characters long', 'x'],
        ['x', 'x'],
      ]),
      undefined,
    );
    assert.equal(matrixOf(Array.from({ length: 10 }, (_, i): [string, string] => [`answer ${i}`, `answer ${i}`])), undefined);
  });
});
