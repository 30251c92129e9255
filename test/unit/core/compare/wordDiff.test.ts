import * as assert from 'node:assert/strict';
import { type DiffPart, MAX_DIFF_CELLS, wordDiff } from '../../../../src/core/compare/wordDiff';

/** The text each side spells from the parts. */
function sides(parts: DiffPart[]): { before: string; after: string } {
  return {
    before: parts
      .filter((p) => p.kind !== 'added')
      .map((p) => p.text)
      .join(''),
    after: parts
      .filter((p) => p.kind !== 'removed')
      .map((p) => p.text)
      .join(''),
  };
}

describe('compare: word diff', () => {
  it('marks the words changed between two answers', () => {
    const parts = wordDiff('The cat sat on the mat.', 'The dog sat on the red mat.');
    assert.deepEqual(parts, [
      { kind: 'same', text: 'The ' },
      { kind: 'removed', text: 'cat' },
      { kind: 'added', text: 'dog' },
      { kind: 'same', text: ' sat on the' },
      { kind: 'added', text: ' red' },
      { kind: 'same', text: ' mat.' },
    ]);
  });

  it('gives one same part for equal texts, and only additions from nothing', () => {
    assert.deepEqual(wordDiff('a b', 'a b'), [{ kind: 'same', text: 'a b' }]);
    assert.deepEqual(wordDiff('', 'new words'), [{ kind: 'added', text: 'new words' }]);
    assert.deepEqual(wordDiff('old', ''), [{ kind: 'removed', text: 'old' }]);
    assert.deepEqual(wordDiff('', ''), []);
  });

  it('keeps the common words of reordered sentences and spells both texts back', () => {
    const before = 'positive: the review praises the food\nbut not the service';
    const after = 'negative: the review criticises the service\nbut praises the food';
    const parts = wordDiff(before, after);
    assert.deepEqual(sides(parts), { before, after });
    const same = parts
      .filter((p) => p.kind === 'same')
      .map((p) => p.text)
      .join('');
    assert.ok(same.includes('the review'), same);
  });

  it('falls back to removed-then-added beyond the table limit, still spelling both texts', () => {
    const words = Math.ceil(Math.sqrt(MAX_DIFF_CELLS));
    const before = Array.from({ length: words }, (_, i) => `a${i}`).join(' ');
    const after = Array.from({ length: words }, (_, i) => `b${i}`).join(' ');
    const parts = wordDiff(`start ${before} end`, `start ${after} end`);
    assert.deepEqual(
      parts.map((p) => p.kind),
      ['same', 'removed', 'added', 'same'],
    );
    assert.deepEqual(sides(parts), { before: `start ${before} end`, after: `start ${after} end` });
  });
});
