import * as assert from 'node:assert/strict';
import { CompareFinder, type CompareSideRow, joinRuns } from '../../../../src/core/compare/compareJoin';
import { judgePreviews, samenessRule, sameSummary } from '../../../../src/core/compare/sameness';

const ok = (customId: string, answer: string, answerCut?: true): CompareSideRow => ({
  customId,
  outcome: 'succeeded',
  answer,
  ...(answerCut && { answerCut }),
});
const failed = (customId: string): CompareSideRow => ({ customId, outcome: 'failed', answer: 'Rate limit (rate_limit_exceeded)' });
const missing = (customId: string): CompareSideRow => ({ customId, outcome: 'missing' });

function verdicts(rowsA: CompareSideRow[], rowsB: CompareSideRow[]): string[] {
  const table = joinRuns('text', rowsA, rowsB);
  return Array.from({ length: table.length }, (_, row) => {
    const id = (table.a[row] >= 0 ? rowsA[table.a[row]] : rowsB[table.b[row]]).customId;
    return `${id}:${table.verdict(row)}`;
  });
}

describe('compare: joining two runs by custom_id', () => {
  it("gives one row per id in either run: A's order, then the ids only B has", () => {
    const a = [ok('q1', 'yes'), ok('q2', 'no'), ok('q3', 'maybe'), failed('q4'), missing('q5'), ok('q6', 'x')];
    const b = [ok('q9', 'extra'), ok('q3', ' maybe\n'), ok('q1', 'yes'), ok('q2', 'No'), failed('q5'), failed('q4'), ok('q8', 'y')];
    assert.deepEqual(verdicts(a, b), [
      'q1:same',
      'q2:different',
      'q3:same', // whitespace at either end is ignored
      'q4:failedBoth',
      'q5:failedBoth',
      'q6:onlyA',
      'q9:onlyB',
      'q8:onlyB',
    ]);
    const table = joinRuns('text', a, b);
    assert.deepEqual(table.counts(), {
      total: 8,
      both: 5,
      onlyA: 1,
      onlyB: 2,
      same: 2,
      different: 1,
      pending: 0,
      failedOne: 0,
      failedBoth: 2,
    });
  });

  it('says failed in one when only one run succeeded, whichever it is', () => {
    assert.deepEqual(verdicts([ok('a', '1'), failed('b'), missing('c')], [failed('a'), ok('b', '2'), ok('c', '3')]), [
      'a:failedOne',
      'b:failedOne',
      'c:failedOne',
    ]);
  });

  it('pairs a repeated custom_id with its occurrences in order; extra ones stand alone', () => {
    assert.deepEqual(verdicts([ok('d', '1'), ok('d', '2'), ok('d', '3')], [ok('d', '1'), ok('d', '9')]), [
      'd:same',
      'd:different',
      'd:onlyA',
    ]);
    assert.deepEqual(verdicts([ok('d', '1')], [ok('d', '1'), ok('d', '1')]), ['d:same', 'd:onlyB']);
  });

  it('leaves long answers whose previews agree pending, and settles them', () => {
    const long = 'x'.repeat(299) + '…';
    const table = joinRuns(
      'text',
      [ok('p', long, true), ok('q', long, true), ok('r', 'short')],
      [ok('p', long, true), ok('q', 'other', undefined), ok('r', long, true)],
    );
    assert.deepEqual(
      [0, 1, 2].map((row) => table.verdict(row)),
      ['pending', 'different', 'different'],
    );
    assert.deepEqual(table.pendingRows(), [0]);
    table.settle(0, 'same');
    assert.equal(table.verdict(0), 'same');
    assert.deepEqual(table.pendingRows(), []);
  });

  it('filters by verdict and searches ids and both answers, case-insensitively', () => {
    const a = [ok('alpha', 'Paris'), ok('beta', 'Rome'), failed('gamma'), ok('delta', 'Oslo')];
    const b = [ok('alpha', 'Paris'), ok('beta', 'Milan'), ok('gamma', 'Bern'), ok('omega', 'Lima')];
    const table = joinRuns('text', a, b);
    const finder = new CompareFinder(table, a, b);
    assert.deepEqual([...finder.find('all', '')], [0, 1, 2, 3, 4]);
    assert.deepEqual([...finder.find('different', '')], [1]);
    assert.deepEqual([...finder.find('same', '')], [0]);
    assert.deepEqual([...finder.find('failedOne', '')], [2]);
    assert.deepEqual([...finder.find('onlyA', '')], [3]);
    assert.deepEqual([...finder.find('onlyB', '')], [4]);
    assert.deepEqual([...finder.find('all', 'MILAN')], [1], "B's answer");
    assert.deepEqual([...finder.find('all', 'oslo')], [3], "A's answer");
    assert.deepEqual([...finder.find('all', 'ga (')], [], 'a literal, not a pattern');
    assert.deepEqual([...finder.find('different', 'alpha')], []);
  });
});

describe('compare: sameness rules', () => {
  it('picks the rule from the endpoints, text when they disagree', () => {
    assert.equal(samenessRule('/v1/chat/completions', '/v1/responses'), 'text');
    assert.equal(samenessRule('/v1/embeddings', null), 'embedding');
    assert.equal(samenessRule('/v1/moderations', '/v1/moderations'), 'moderation');
    assert.equal(samenessRule('/v1/images/generations', '/v1/images/edits'), 'images');
    assert.equal(samenessRule('/v1/embeddings', '/v1/chat/completions'), 'text');
  });

  it('compares moderations by the categories flagged, in any order', () => {
    assert.ok(sameSummary('moderation', 'flagged: violence, harassment', 'flagged: harassment, violence'));
    assert.ok(!sameSummary('moderation', 'flagged: violence', 'flagged: violence, harassment'));
    assert.ok(sameSummary('moderation', 'not flagged', 'not flagged (2 inputs)'));
    assert.ok(!sameSummary('moderation', 'not flagged', 'flagged: hate'));
  });

  it('compares images by how many came back', () => {
    assert.ok(sameSummary('images', '2 images · 1024x1024 · 1.2 MB', '2 images · 512x512 · as URLs'));
    assert.ok(!sameSummary('images', '1 image · 1024x1024', '2 images · 1024x1024'));
  });

  it('cannot judge embeddings from their previews', () => {
    assert.equal(judgePreviews('embedding', { answer: '3 dimensions · norm 1.000' }, { answer: '3 dimensions · norm 1.000' }), 'pending');
  });
});
