import * as assert from 'node:assert/strict';
import { summarizeErrors } from '../../../../src/core/results/errorSummary';
import { joinResults } from '../../../../src/core/results/resultsJoiner';
import { RowFinder } from '../../../../src/core/results/resultsQuery';

const input = (id: string): string =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
const ok = (id: string): string =>
  JSON.stringify({
    custom_id: id,
    response: {
      status_code: 200,
      body: {
        choices: [{ message: { content: 'hi' } }],
        usage: { prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 4 } },
      },
    },
    error: null,
  });
const failed = (id: string, code: string, message: string): string =>
  JSON.stringify({ custom_id: id, response: { status_code: 429, body: { error: { code, message, type: 'requests' } } }, error: null });

describe('results filtered to an error group', () => {
  it('gives failed rows the key of their group in the summary, and the finder keeps only that group', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const errors = [
      failed('b', 'rate_limit_exceeded', 'Slow down'),
      failed('d', 'rate_limit_exceeded', 'Slow down'),
      failed('e', 'server_error', 'Oops'),
    ];
    const report = await joinResults(ids.map(input), [ok('a'), ok('c')], errors);
    const summary = await summarizeErrors({}, [errors]);
    const rate = summary.groups.find((g) => g.code === 'rate_limit_exceeded')!;
    assert.equal(rate.count, 2);
    const finder = new RowFinder(report.rows);
    const kept = finder.find({ outcome: 'failed', search: '', sortKey: 'line', descending: false, errorKey: rate.key });
    assert.deepEqual(
      Array.from(kept, (i) => report.rows[i].customId),
      ['b', 'd'],
    );
    const all = finder.find({ outcome: 'all', search: '', sortKey: 'line', descending: false, errorKey: '' });
    assert.equal(all.length, 5, 'an empty key filters nothing');
    assert.equal(report.rows[0].errorKey, undefined, 'succeeded rows have no error key');
    assert.equal(report.rows[0].usage?.cached_tokens, 4, 'cached tokens are kept for cost');
  });
});
