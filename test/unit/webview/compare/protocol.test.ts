import * as assert from 'node:assert/strict';
import { isComparePageMessage } from '../../../../src/webview/compare/protocol';

describe('compare view: messages from the page', () => {
  it('accepts exactly the shapes of the protocol', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'retry' },
      { type: 'query', seq: 3, page: 0, filter: 'different', search: 'pos' },
      { type: 'detail', index: 12 },
      { type: 'export', format: 'jsonl', filter: 'all' },
      { type: 'export', format: 'csv', filter: 'onlyB' },
    ]) {
      assert.ok(isComparePageMessage(message), JSON.stringify(message));
    }
  });

  it('refuses extra fields, unknown filters and formats, bad indexes and overlong searches', () => {
    for (const message of [
      null,
      'ready',
      { type: 'ready', extra: 1 },
      { type: 'query', seq: 3, page: 0, filter: 'everything', search: '' },
      { type: 'query', seq: -1, page: 0, filter: 'all', search: '' },
      { type: 'query', seq: 1, page: 0.5, filter: 'all', search: '' },
      { type: 'query', seq: 1, page: 0, filter: 'all', search: 'x'.repeat(1001) },
      { type: 'detail', index: '1' },
      { type: 'export', format: 'xlsx', filter: 'all' },
      { type: 'export', format: 'csv', filter: 'all', path: '/etc/passwd' },
      { type: 'compare' },
    ]) {
      assert.ok(!isComparePageMessage(message), JSON.stringify(message));
    }
  });
});
