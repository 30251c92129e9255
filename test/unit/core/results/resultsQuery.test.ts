import * as assert from 'node:assert/strict';
import type { JoinedResult } from '../../../../src/core/results/resultsJoin';
import { RowFinder, type RowQuery, SORT_KEYS } from '../../../../src/core/results/resultsQuery';
import { isResultsPageMessage } from '../../../../src/webview/results/protocol';

const row = (customId: string, line: number, fields: Partial<JoinedResult> = {}): JoinedResult => ({
  customId,
  line,
  outcome: 'succeeded',
  ...fields,
});

const ALL: RowQuery = { outcome: 'all', search: '', sortKey: 'line', descending: false };

describe('results search, filter and sort (RowFinder)', () => {
  const rows: JoinedResult[] = [
    row('item-10', 1, { statusCode: 200, answer: 'Paris', usage: { input_tokens: 5, total_tokens: 9 } }),
    row('item-9', 2, { statusCode: 400, outcome: 'failed', answer: 'Bad (invalid_value)', usage: { input_tokens: 5 } }),
    row('Item-2', 3, { outcome: 'missing' }),
    row('item-1', 4, { statusCode: 200, answer: 'a.b literal', usage: { input_tokens: 7, total_tokens: 12 } }),
    row('stranger', -1, { statusCode: 200, answer: 'paris again' }),
  ];
  const ids = (indexes: ArrayLike<number>): string[] => Array.from(indexes, (i) => rows[i].customId);

  it('sorts text as people count (item-2 before item-10), empty cells and rows not in the input last, in either direction', () => {
    const finder = new RowFinder(rows);
    assert.deepEqual(ids(finder.find({ ...ALL, sortKey: 'customId' })), ['item-1', 'Item-2', 'item-9', 'item-10', 'stranger']);
    assert.deepEqual(ids(finder.find({ ...ALL, sortKey: 'customId', descending: true })), [
      'stranger',
      'item-10',
      'item-9',
      'Item-2',
      'item-1',
    ]);
    assert.deepEqual(ids(finder.find({ ...ALL, sortKey: 'line', descending: true })), [
      'item-1',
      'Item-2',
      'item-9',
      'item-10',
      'stranger',
    ]);
    assert.deepEqual(ids(finder.find({ ...ALL, sortKey: 'answer' })), ['item-1', 'item-9', 'item-10', 'stranger', 'Item-2']);
    assert.deepEqual(ids(finder.find({ ...ALL, sortKey: 'totalTokens', descending: true })), [
      'item-1',
      'item-10',
      'item-9',
      'Item-2',
      'stranger',
    ]);
    // Ties keep input order in both directions.
    assert.deepEqual(ids(finder.find({ ...ALL, sortKey: 'inputTokens', descending: true })), [
      'item-1',
      'item-10',
      'item-9',
      'Item-2',
      'stranger',
    ]);
    assert.deepEqual(ids(finder.find({ ...ALL, sortKey: 'statusCode' })), ['item-10', 'item-1', 'stranger', 'item-9', 'Item-2']);
  });

  it('sorts in exactly the collator order, however the ids are numbered', () => {
    const collator = new Intl.Collator(undefined, { numeric: true });
    const many = Array.from({ length: 3000 }, (_, i) =>
      row(['req-', 'Req_', 'req-00', 'ä-', 'x'][i % 5] + String((i * 7919) % 3000), i + 1),
    );
    for (const descending of [false, true]) {
      const sorted = Array.from(new RowFinder(many).find({ ...ALL, sortKey: 'customId', descending }), (i) => many[i].customId);
      const expected = many
        .map((r, i) => [r.customId, i] as const)
        .sort(([x, i], [y, j]) => (collator.compare(x, y) || i - j) * (descending && collator.compare(x, y) ? -1 : 1))
        .map(([id]) => id);
      assert.deepEqual(sorted, expected);
    }
  });

  it('sorts numbers exactly as one comparison would: ties in input order, empty cells last, odd values too', () => {
    // Whole numbers take the typed-array path; a fraction, a negative or a huge value in a column takes the comparison.
    const columns: ((i: number) => number | undefined)[] = [
      (i) => (i % 7 === 3 ? undefined : (i * 7919) % 997),
      (i) => (i % 5 === 0 ? undefined : i % 3),
      (i) => (i === 500 ? 0.5 : (i * 31) % 101),
      (i) => (i === 42 ? -3 : i % 11),
      (i) => (i === 7 ? 2 ** 40 : i % 13),
      (i) => (i === 9 ? 0x7fffffff : 0x7fffffff - (i % 4)),
    ];
    for (const column of columns) {
      const many = Array.from({ length: 1200 }, (_, i) => row(`r${i}`, i % 9 === 4 ? -1 : i + 1, { usage: { total_tokens: column(i) } }));
      for (const descending of [false, true]) {
        const sorted = Array.from(new RowFinder(many).find({ ...ALL, sortKey: 'totalTokens', descending }));
        const value = (i: number): number | undefined => many[i].usage?.total_tokens;
        const present = many.map((_, i) => i).filter((i) => value(i) !== undefined);
        const expected = present
          .sort((a, b) => (value(a)! - value(b)!) * (descending ? -1 : 1) || a - b)
          .concat(many.map((_, i) => i).filter((i) => value(i) === undefined));
        assert.deepEqual(sorted, expected);
      }
      const byLine = Array.from(new RowFinder(many).find({ ...ALL, sortKey: 'line', descending: true }), (i) => many[i].line);
      assert.deepEqual(byLine.slice(0, 3), [1200, 1199, 1198]);
      assert.equal(byLine[byLine.length - 1], -1);
    }
  });

  it('searches custom_id and answer without regard to case, as plain text, within the outcome filter', () => {
    const finder = new RowFinder(rows);
    assert.deepEqual(ids(finder.find({ ...ALL, search: 'PARIS' })), ['item-10', 'stranger']);
    assert.deepEqual(ids(finder.find({ ...ALL, search: '  item-1 ' })), ['item-10', 'item-1']);
    assert.deepEqual(ids(finder.find({ ...ALL, search: 'a.b' })), ['item-1']);
    assert.deepEqual(ids(finder.find({ ...ALL, search: '.*' })), []);
    assert.deepEqual(ids(finder.find({ ...ALL, outcome: 'failed' })), ['item-9']);
    assert.deepEqual(ids(finder.find({ ...ALL, outcome: 'succeeded', search: 'item', sortKey: 'customId', descending: true })), [
      'item-10',
      'item-1',
    ]);
    assert.deepEqual(ids(finder.find({ ...ALL, outcome: 'missing' })), ['Item-2']);
  });

  it('answers the same query again without recomputing it', () => {
    const finder = new RowFinder(rows);
    const first = finder.find({ ...ALL, search: 'paris', sortKey: 'answer' });
    assert.equal(finder.find({ ...ALL, search: 'Paris ', sortKey: 'answer' }), first);
    assert.notEqual(finder.find({ ...ALL, search: 'paris', sortKey: 'answer', descending: true }), first);
  });

  it('the page may ask only for a query of known shape', () => {
    const query = { type: 'query', seq: 3, page: 0, outcome: 'failed', search: 'x', sortKey: 'totalTokens', descending: true };
    assert.equal(isResultsPageMessage(query), true);
    for (const key of SORT_KEYS) assert.equal(isResultsPageMessage({ ...query, sortKey: key }), true, key);
    for (const bad of [
      { ...query, sortKey: 'request' },
      { ...query, sortKey: '__proto__' },
      { ...query, outcome: 'everything' },
      { ...query, page: -1 },
      { ...query, page: 1.5 },
      { ...query, seq: '3' },
      { ...query, search: 'x'.repeat(1001) },
      { ...query, descending: 'yes' },
      { ...query, extra: 1 },
      { type: 'query' },
      { type: 'rows' },
      { type: 'detail', index: -1 },
      { type: 'export', format: 'xlsx', outcome: 'all' },
    ]) {
      assert.equal(isResultsPageMessage(bad), false, JSON.stringify(bad).slice(0, 120));
    }
  });
});
