import * as assert from 'node:assert/strict';
import { KNOWN_STATUSES } from '../../../../src/core/batches/batchFacts';
import { BatchStore } from '../../../../src/core/batches/batchStore';
import { BatchApiClient } from '../../../../src/core/api/client';
import {
  batchDescription,
  batchLabel,
  batchPresentation,
  batchTooltipMarkdown,
  compareNewestFirst,
  failureVerdict,
  humanizeStatus,
} from '../../../../src/core/batches/batchDisplay';
import { fileStem } from '../../../../src/core/util/fileNames';
import { formatTimestamp, unixSeconds } from '../../../../src/core/util/time';
import { shortId } from '../../../../src/core/util/text';
import { canonicalStatus, groupByStatus, isActive, statusOf } from '../../../../src/core/batches/grouping';
import { apiVersionFor, isAzureV1 } from '../../../../src/core/api/providers';
import type { Batch } from '../../../../src/core/api/types';
import { detailView, fileInfoOf } from '../../../../src/webview/detail/detailView';
import { type FakeApi, parseQuirks, QUIRKS, startFakeApi } from '../../../fake-api/server';

/** What must never reach the screen from a timestamp. */
const BROKEN_TIME = /1970|NaN|Invalid|undefined|Infinity/;

describe('providers as they really answer: statuses in any case', () => {
  it('reads every documented status in other cases and spellings as the API writes it', () => {
    const cases: [string, string][] = [
      ['Completed', 'completed'],
      ['COMPLETED', 'completed'],
      ['IN_PROGRESS', 'in_progress'],
      ['In Progress', 'in_progress'],
      ['in-progress', 'in_progress'],
      ['Validating', 'validating'],
      [' finalizing ', 'finalizing'],
      ['canceled', 'cancelled'],
      ['Canceling', 'cancelling'],
    ];
    for (const [sent, canonical] of cases) assert.equal(canonicalStatus(sent), canonical, sent);
    for (const status of KNOWN_STATUSES) assert.equal(canonicalStatus(status), status);
  });

  it('keeps unknown statuses exactly as sent, never merged into another group', () => {
    for (const status of ['paused_for_review', 'Paused', 'QUEUED', 'constructor', '__proto__', 'in progress later']) {
      assert.equal(canonicalStatus(status), status);
    }
    assert.equal(humanizeStatus(statusOf({ id: 'x', status: 'QUEUED' })), 'QUEUED');
  });

  it('groups case variants with their canonical status, with the right counts and order', () => {
    const batches: Batch[] = [
      { id: 'a', status: 'Completed' },
      { id: 'b', status: 'completed' },
      { id: 'c', status: 'COMPLETED' },
      { id: 'd', status: 'IN_PROGRESS' },
      { id: 'e', status: 'Validating' },
      { id: 'f', status: 'Queued' },
    ];
    const groups = groupByStatus(batches).map((group) => [group.status, group.batches.map((b) => b.id)]);
    assert.deepEqual(groups, [
      ['validating', ['e']],
      ['in_progress', ['d']],
      ['completed', ['a', 'b', 'c']],
      ['Queued', ['f']],
    ]);
    assert.ok(isActive({ id: 'd', status: 'IN_PROGRESS' }), 'an upper-case active status is polled');
    assert.equal(batchPresentation({ id: 'a', status: 'Completed' }).icon, 'pass');
  });
});

describe('providers as they really answer: timestamps', () => {
  const at = Date.UTC(2025, 5, 1, 12, 0, 0) / 1000;

  it('reads unix seconds, milliseconds, numeric strings and ISO-8601 as the same instant', () => {
    for (const value of [
      at,
      at * 1000,
      String(at),
      '2025-06-01T12:00:00Z',
      '2025-06-01T12:00:00.000Z',
      '2025-06-01T12:00:00+00:00',
      '2025-06-01T14:00:00+02:00',
      '2025-06-01T14:00:00+0200',
      '2025-06-01 12:00:00',
      '2025-06-01T12:00:00',
    ]) {
      assert.equal(unixSeconds(value), at, String(value));
    }
    assert.equal(unixSeconds('2025-06-01'), Date.UTC(2025, 5, 1) / 1000);
  });

  it('reads nothing, rather than 1970 or NaN, from what is not a time', () => {
    for (const value of [
      null,
      undefined,
      0,
      -5,
      1,
      42,
      '0',
      '',
      'yesterday',
      'NaN',
      NaN,
      Infinity,
      1e20,
      Number.MAX_VALUE,
      {},
      [],
      true,
      '2025-13-45T99:99:99Z',
    ]) {
      assert.equal(unixSeconds(value), undefined, `${typeof value} ${JSON.stringify(value)}`);
      assert.equal(formatTimestamp(value), undefined, `${typeof value} ${JSON.stringify(value)}`);
    }
  });

  it('renders ISO-8601 batch times in the tree description, the tooltip and the detail timeline', () => {
    const now = (at + 7200) * 1000;
    const batch: Batch = {
      id: 'batch_iso',
      status: 'Completed',
      endpoint: '/v1/chat/completions',
      created_at: '2025-06-01T12:00:00Z' as unknown as number,
      in_progress_at: '2025-06-01T12:00:05.000Z' as unknown as number,
      completed_at: '2025-06-01T13:00:00+00:00' as unknown as number,
      request_counts: { total: 2, completed: 2, failed: 0 },
    };
    assert.equal(batchDescription(batch, now), '/v1/chat/completions · 2 hours ago · 2/2');
    const tooltip = batchTooltipMarkdown(batch, now);
    assert.match(tooltip, /Created: 2025-06-01 12:00:00 UTC \(2 hours ago\)/);
    assert.doesNotMatch(tooltip, BROKEN_TIME);
    const view = detailView(batch, now, new Map());
    assert.deepEqual(
      view.timeline.map((step) => [step.label, step.at.text]),
      [
        ['Created', '2025-06-01 12:00:00 UTC'],
        ['In progress', '2025-06-01 12:00:05 UTC'],
        ['Completed', '2025-06-01 13:00:00 UTC'],
      ],
    );
    assert.equal(view.status, 'Completed');
  });

  it('orders batches newest first whether their times are numbers or strings', () => {
    const batches: Batch[] = [
      { id: 'old', created_at: at - 60 },
      { id: 'none' },
      { id: 'new', created_at: '2025-06-01T12:00:00Z' as unknown as number },
    ];
    assert.deepEqual(
      [...batches].sort(compareNewestFirst).map((b) => b.id),
      ['new', 'old', 'none'],
    );
  });
});

describe('providers as they really answer: long ids', () => {
  const longId = `bGl0ZWxsbV9wcm94eTttb2RlbF9pZDo${'QUJD+/='.repeat(30)}end_9f3a`;

  it('shortens long ids in labels to a little of their start and mostly their distinguishing end', () => {
    assert.ok(longId.length > 200);
    const label = batchLabel({ id: longId });
    assert.equal(label.length, 40, label);
    assert.equal(label, `bGl0ZWxs…${longId.slice(-31)}`);
    assert.ok(label.endsWith('end_9f3a'), label);
    assert.equal(shortId('batch_short'), 'batch_short');
    assert.equal(shortId('x'.repeat(40)), 'x'.repeat(40));
    assert.equal(shortId('abcdefghij', 5), 'ab…ij');
  });

  it('shows the whole id in the hover', () => {
    const tooltip = batchTooltipMarkdown({ id: longId, status: 'completed' });
    assert.ok(tooltip.includes(`\`${longId}\``), tooltip);
  });

  it('names files by short ids as they are, and long or odd ids by a short stem with a hash that keeps them apart', () => {
    assert.equal(fileStem('file-abc123'), 'file-abc123');
    assert.equal(fileStem('batch_68f0c0de'), 'batch_68f0c0de');
    const plus = fileStem(`${'A'.repeat(150)}+B`);
    const slash = fileStem(`${'A'.repeat(150)}/B`);
    assert.notEqual(plus, slash, 'ids differing only in + and / get different names');
    for (const id of [longId, '../../etc/passwd', '.', '..', '.hidden', 'a/b', 'con:x', ' ']) {
      const stem = fileStem(id);
      assert.match(stem, /^[\w-][\w.-]*$/, `${JSON.stringify(id)} → ${stem}`);
      assert.ok(stem.length <= 100, stem);
    }
  });
});

describe("providers as they really answer: Azure's empty error file", () => {
  const completed = (extra: Partial<Batch>): Batch => ({
    id: 'batch_x',
    status: 'completed',
    output_file_id: 'file-out',
    error_file_id: 'file-err',
    ...extra,
  });

  it('takes the request counts as the first signal', () => {
    assert.equal(failureVerdict(completed({ request_counts: { total: 3, completed: 3, failed: 0 } })), 'none');
    assert.equal(failureVerdict(completed({ request_counts: { total: 3, completed: 2, failed: 1 } })), 'some');
    assert.equal(failureVerdict(completed({ output_file_id: null, request_counts: { total: 3, completed: 0, failed: 3 } })), 'all');
    assert.equal(failureVerdict(completed({ error_file_id: null, request_counts: null })), 'none');
  });

  it('without counts, decides by the error file size: unknown until known, 0 bytes is no failure', () => {
    const batch = completed({ request_counts: null });
    assert.equal(failureVerdict(batch), 'unknown');
    assert.equal(failureVerdict(batch, 0), 'none');
    assert.equal(failureVerdict(batch, 1234), 'some');
    assert.equal(batchPresentation(batch).icon, 'pass', 'no warning before the size is known');
    assert.equal(batchPresentation(batch, 0).icon, 'pass');
    assert.equal(batchPresentation(batch, 1234).color, 'list.warningForeground');
    assert.equal(failureVerdict(completed({ status: 'Completed', request_counts: null }), 0), 'none');
  });

  it('says so in the detail view once the error file was looked up', () => {
    const batch = completed({ request_counts: null });
    const empty = new Map([['file-err', fileInfoOf({ id: 'file-err', bytes: 0 })]]);
    assert.equal(detailView(batch, Date.now(), empty).failures, undefined);
    assert.equal(detailView(batch, Date.now(), empty).status, 'Completed');
    const full = new Map([['file-err', fileInfoOf({ id: 'file-err', bytes: 2048 })]]);
    assert.deepEqual(detailView(batch, Date.now(), full).failures, { kind: 'unreported', errorFileSize: '2.0 KB' });
    assert.equal(detailView(batch, Date.now(), full).status, 'Completed with failures');
  });
});

describe('providers as they really answer: Azure v1 and dated APIs', () => {
  it('sends no dated api-version to the v1 API, and keeps it for the dated one', () => {
    assert.ok(isAzureV1('https://my-resource.openai.azure.com/openai/v1'));
    assert.ok(isAzureV1('https://my-resource.cognitiveservices.azure.com/openai/v1/'));
    assert.ok(!isAzureV1('https://my-resource.openai.azure.com/openai'));
    assert.ok(!isAzureV1('https://api.groq.com/openai/v1'), "Groq's path looks alike but is not Azure");
    assert.equal(apiVersionFor('https://my-resource.openai.azure.com/openai/v1', '2024-10-21'), '');
    assert.equal(apiVersionFor('https://my-resource.openai.azure.com/openai/v1', '2025-04-01-preview'), '');
    assert.equal(apiVersionFor('https://my-resource.openai.azure.com/openai/v1', 'preview'), 'preview');
    assert.equal(apiVersionFor('https://my-resource.openai.azure.com/openai', ' 2024-10-21 '), '2024-10-21');
    assert.equal(apiVersionFor('https://api.openai.com/v1', ''), '');
  });

  let fake: FakeApi | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('talks to the v1 shape: /openai/v1, api-key header, no api-version', async () => {
    fake = await startFakeApi({ basePath: '/openai/v1', authHeader: 'api-key', refuseApiVersion: true, seed: { generated: 5 } });
    assert.match(fake.baseUrl, /\/openai\/v1$/);
    const client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, authHeader: 'api-key' });
    const page = await client.listBatches({ limit: 2 });
    assert.equal(page.data.length, 2);
    assert.equal((await client.getBatch(page.data[0].id)).id, page.data[0].id);
    assert.ok(
      fake.requests.every(
        (r) => r.path.startsWith('/openai/v1/') && r.query['api-version'] === undefined && r.headers['api-key'] === fake!.apiKey,
      ),
    );
    const dated = new BatchApiClient({
      baseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      authHeader: 'api-key',
      apiVersion: '2024-10-21',
      retry: { maxRetries: 0 },
    });
    await assert.rejects(dated.listBatches(), /api-version/, 'the fake refuses a dated version there, as the client must not send one');
  });

  it('talks to the dated shape: /openai?api-version=…, api-key header', async () => {
    fake = await startFakeApi({ basePath: '/openai', authHeader: 'api-key', requireApiVersion: '2024-10-21', seed: { generated: 3 } });
    const client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, authHeader: 'api-key', apiVersion: '2024-10-21' });
    const page = await client.listBatches();
    assert.equal(page.data.length, 3);
    const batch = page.data.find((b) => b.input_file_id)!;
    assert.equal((await client.getFile(batch.input_file_id!)).id, batch.input_file_id);
    assert.ok(fake.requests.every((r) => r.path.startsWith('/openai/') && r.query['api-version'] === '2024-10-21'));
  });
});

describe('the fake in quirks mode, read by the client, the store and the formatting', () => {
  let fake: FakeApi;
  let client: BatchApiClient;

  before(async () => {
    fake = await startFakeApi({ quirks: 'all', seed: { generated: 60 } });
    client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, retry: { maxRetries: 0 } });
  });
  after(() => fake.close());

  it('parses the CLI flag: all, a list, and refuses unknown names', () => {
    assert.deepEqual(Object.keys(parseQuirks('all')).sort(), [...QUIRKS].sort());
    assert.deepEqual(parseQuirks('statusCase, longIds'), { statusCase: true, longIds: true });
    assert.throws(() => parseQuirks('statusCase,nope'), /unknown quirk 'nope'/);
  });

  it('answers with every quirk, while its own state keeps the API shapes', async () => {
    const response = await fetch(`${fake.baseUrl}/batches?limit=5`, { headers: { Authorization: `Bearer ${fake.apiKey}` } });
    const body = (await response.json()) as { data: Record<string, unknown>[]; has_more?: boolean };
    assert.equal('has_more' in body, false, 'no has_more');
    assert.equal(body.data.length, 60, 'no paging either: every batch');
    const statuses = body.data.map((b) => String(b.status));
    assert.ok(statuses.some((s) => /^[A-Z_]+$/.test(s)) && statuses.some((s) => /^[A-Z][a-z]/.test(s)), statuses.join(', '));
    for (const batch of body.data) {
      assert.equal(batch.endpoint, null);
      assert.equal(batch.request_counts, null);
      assert.equal(typeof batch.created_at, 'string');
      assert.ok(String(batch.id).length > 200, 'long ids');
    }
    assert.ok(
      body.data.some((b) => /[+/=]/.test(String(b.id))),
      'base64 ids with + / =',
    );
    const stored = fake.store.list();
    assert.ok(stored.every((b) => typeof b.created_at === 'number' && b.request_counts !== null));
  });

  it('groups, counts and renders every batch sensibly: right groups, no 1970, no NaN', async () => {
    const store = new BatchStore(() => 20);
    store.setConnection({ kind: 'ready', client });
    await store.refresh();
    assert.equal(store.refreshError, undefined);
    assert.equal(store.batches.length, 60, 'this page without has_more held everything');
    // A full page without has_more may have more after it: one more page (empty) ends the list, with no note.
    assert.equal(store.hasMore, true);
    await store.loadMore();
    assert.equal(store.batches.length, 60);
    assert.equal(store.hasMore, false);
    assert.equal(store.endNote, undefined);
    assert.equal(store.complete, false, 'the server never said that was all');
    const expected = new Map<string, number>();
    for (const b of fake.store.list()) expected.set(String(b.status), (expected.get(String(b.status)) ?? 0) + 1);
    const groups = groupByStatus(store.batches);
    assert.deepEqual(new Map(groups.map((g) => [g.status, g.batches.length])), expected);
    const now = fake.clock.now() * 1000;
    for (const batch of store.batches) {
      const description = batchDescription(batch, now);
      assert.doesNotMatch(description, BROKEN_TIME, description);
      assert.match(description, /ago|just now/, `age shown: ${description}`);
      assert.doesNotMatch(batchTooltipMarkdown(batch, now), BROKEN_TIME);
      const view = detailView(batch, now, new Map());
      for (const step of view.timeline) assert.doesNotMatch(`${step.at.text} ${step.at.relative}`, BROKEN_TIME);
      assert.ok(view.timeline.length > 0, 'times are read');
      assert.ok(batchLabel(batch).length <= 80);
    }
    store.dispose();
  });

  it('fetches a batch and its files by a long id holding +, / and =', async () => {
    const listed = (await client.listBatches()).data;
    const withSlash = listed.find((b) => b.id.includes('/') && b.output_file_id)!;
    assert.ok(withSlash, 'a batch whose id has a slash');
    assert.equal((await client.getBatch(withSlash.id)).id, withSlash.id);
    const file = await client.getFile(withSlash.output_file_id!);
    assert.equal(file.id, withSlash.output_file_id);
    assert.equal(typeof file.created_at, 'string', 'file times as ISO-8601 too');
    assert.ok(unixSeconds(file.created_at)! > 1_600_000_000);
  });

  it("gives completed batches without failures Azure's empty error file, which reads as no failure", async () => {
    const listed = (await client.listBatches()).data;
    const clean = fake.store.list().filter((b) => b.status === 'completed' && b.output_file_id && !b.request_counts?.failed);
    assert.ok(clean.length > 0);
    for (const stored of clean.slice(0, 3)) {
      const batch = listed.find((b) => b.id === stored.id)!;
      assert.ok(batch.error_file_id, 'an error file although nothing failed');
      assert.equal(failureVerdict(batch), 'unknown', 'no counts: the size decides');
      const errorFile = await client.getFile(batch.error_file_id);
      assert.equal(errorFile.bytes, 0);
      assert.equal(failureVerdict(batch, errorFile.bytes), 'none');
    }
    const partly = fake.store.list().find((b) => b.status === 'completed' && b.output_file_id && (b.request_counts?.failed ?? 0) > 0);
    if (partly) {
      const errorFile = await client.getFile(partly.error_file_id!);
      assert.ok((errorFile.bytes ?? 0) > 0);
      assert.equal(
        failureVerdict(
          listed.find((b) => b.id === partly.id)!,
          errorFile.bytes,
        ),
        'some',
      );
    }
  });
});
