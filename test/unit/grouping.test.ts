import * as assert from 'node:assert/strict';
import { batchDescription, batchLabel, batchPresentation, batchTooltipMarkdown, countsOf, humanizeStatus, relativeTime } from '../../src/core/format';
import { groupByStatus } from '../../src/core/grouping';
import type { Batch } from '../../src/core/types';

const b = (id: string, status: string | null | undefined, extra: Partial<Batch> = {}): Batch => ({ id, status, ...extra });

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
      ['validating', 'in_progress', 'finalizing', 'cancelling', 'completed', 'failed', 'expired', 'cancelled', 'archived', 'queued_for_gpu'],
    );
    assert.deepEqual(groups.find((g) => g.status === 'completed')?.batches.map((x) => x.id), ['1', '11'], 'keeps newest-first order');
  });

  it('puts a missing or empty status in an "unknown" group instead of dropping it', () => {
    const groups = groupByStatus([b('1', null), b('2', undefined), b('3', '')]);
    assert.deepEqual(groups.map((g) => [g.status, g.batches.length]), [['unknown', 3]]);
  });
});

describe('format', () => {
  it('labels a batch by metadata description, then name, then id', () => {
    assert.equal(batchLabel(b('batch_1', 'completed', { metadata: { description: 'Nightly eval' } })), 'Nightly eval');
    assert.equal(batchLabel(b('batch_1', 'completed', { metadata: { name: 'n' } })), 'n');
    assert.equal(batchLabel(b('batch_1', 'completed', { metadata: null })), 'batch_1');
    assert.equal(batchLabel(b('batch_1', 'completed', { metadata: { description: '  \u202e\n ' } })), 'batch_1');
  });

  it('humanises known and unknown statuses', () => {
    assert.equal(humanizeStatus('in_progress'), 'In progress');
    assert.equal(humanizeStatus('queued-for_gpu'), 'Queued for gpu');
    assert.equal(humanizeStatus('\u202Egnp.exe\u200B'), 'Gnp.exe', 'bidi overrides and zero-width characters are removed');
  });

  it('describes endpoint, age, progress and failures; tolerates missing request_counts', () => {
    const now = 1_700_000_000_000;
    const text = batchDescription(b('x', 'in_progress', { endpoint: '/v1/chat/completions', created_at: now / 1000 - 7200, request_counts: { total: 10, completed: 7, failed: 2 } }), now);
    assert.equal(text, '/v1/chat/completions · 2 hours ago · 7/10 · 2 failed');
    assert.equal(batchDescription(b('x', 'weird', { request_counts: null, created_at: null }), now), '');
    assert.deepEqual(countsOf(b('x', 'failed', { request_counts: { total: 'a', completed: -1 } as never })), { total: 0, completed: 0, failed: 0 });
  });

  it('relative times read naturally in both directions', () => {
    const now = 1_700_000_000_000;
    assert.equal(relativeTime(now / 1000 - 10, now), 'just now');
    assert.equal(relativeTime(now / 1000 - 3 * 86400, now), '3 days ago');
    assert.equal(relativeTime(now / 1000 + 3600, now), 'in 1 hour');
  });

  it('shows a completed batch with only an error file as a warning, not a success', () => {
    assert.equal(batchPresentation(b('x', 'completed', { output_file_id: 'file-1', request_counts: { total: 1, completed: 1, failed: 0 } })).icon, 'pass');
    assert.equal(batchPresentation(b('x', 'completed', { output_file_id: null, error_file_id: 'file-2' })).icon, 'warning');
    assert.equal(batchPresentation(b('x', 'brand_new_status')).icon, 'question');
  });

  it('escapes API strings in the Markdown tooltip', () => {
    const md = batchTooltipMarkdown(b('batch_1', 'completed', { metadata: { description: '<img src=x onerror=alert(1)> [link](javascript:alert(1))' }, endpoint: '**bold**' }));
    assert.ok(!md.includes('<img'), md);
    assert.ok(md.includes('&lt;img'), md);
    assert.ok(!md.includes('[link](javascript'), md);
    assert.ok(md.includes('\\*\\*bold\\*\\*'), md);
  });
});
