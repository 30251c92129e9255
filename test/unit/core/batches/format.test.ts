import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as assert from 'node:assert/strict';
import {
  batchDescription,
  batchLabel,
  batchPresentation,
  batchTooltipMarkdown,
  countsOf,
  humanizeStatus,
  statusPresentation,
} from '../../../../src/core/batches/batchDisplay';
import { fileStem, isReservedFileName, safeFileName } from '../../../../src/core/util/fileNames';
import { AccountFiles } from '../../../../src/core/files/accountFiles';
import { BatchCache } from '../../../../src/core/batches/batchCache';
import { relativeTime } from '../../../../src/core/util/time';
import { plainText } from '../../../../src/core/util/text';
import { partsKeptSentence, splitStoppedText } from '../../../../src/core/input/splitText';
import { groupByStatus, statusOf } from '../../../../src/core/batches/grouping';
import type { Batch } from '../../../../src/core/api/types';
import { bareBatch as b } from '../../helpers';

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
    const text = batchDescription(
      b('x', 'in_progress', {
        endpoint: '/v1/chat/completions',
        created_at: now / 1000 - 7200,
        request_counts: { total: 10, completed: 7, failed: 2 },
      }),
      now,
    );
    assert.equal(text, '/v1/chat/completions · 2 hours ago · 7/10 · 2 failed');
    assert.equal(batchDescription(b('x', 'weird', { request_counts: null, created_at: null }), now), '');
    assert.deepEqual(countsOf(b('x', 'failed', { request_counts: { total: 'a', completed: -1 } as never })), {
      total: 0,
      completed: 0,
      failed: 0,
    });
  });

  it('relative times read naturally in both directions', () => {
    const now = 1_700_000_000_000;
    assert.equal(relativeTime(now / 1000 - 10, now), 'just now');
    assert.equal(relativeTime(now / 1000 - 3 * 86400, now), '3 days ago');
    assert.equal(relativeTime(now / 1000 + 3600, now), 'in 1 hour');
  });

  it('shows a completed batch with only an error file as a warning, not a success', () => {
    assert.equal(
      batchPresentation(b('x', 'completed', { output_file_id: 'file-1', request_counts: { total: 1, completed: 1, failed: 0 } })).icon,
      'pass',
    );
    assert.equal(batchPresentation(b('x', 'completed', { output_file_id: null, error_file_id: 'file-2' })).icon, 'warning');
    assert.equal(batchPresentation(b('x', 'brand_new_status')).icon, 'question');
  });

  it('escapes API strings in the Markdown tooltip', () => {
    const md = batchTooltipMarkdown(
      b('batch_1', 'completed', {
        metadata: { description: '<img src=x onerror=alert(1)> [link](javascript:alert(1))' },
        endpoint: '**bold**',
      }),
    );
    assert.ok(!md.includes('<img'), md);
    assert.ok(md.includes('&lt;img'), md);
    assert.ok(!md.includes('[link](javascript'), md);
    assert.ok(md.includes('\\*\\*bold\\*\\*'), md);
  });
});

describe('odd batches through grouping and formatting', () => {
  const now = Date.UTC(2025, 5, 1) / 1000;
  const longMetadata = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`key_${i}_${'k'.repeat(50)}`, `${i}`.repeat(512)]));
  const base: Batch = { id: 'batch_base', status: 'completed', created_at: now - 60 };
  const variants: [string, Partial<Batch> | Record<string, unknown>][] = [
    ['only an id', { status: undefined, created_at: undefined }],
    ['unknown status', { status: 'paused_for_review' }],
    ['empty status', { status: '' }],
    ['null status', { status: null }],
    ['numeric status', { status: 42 }],
    ['object status', { status: { nested: true } }],
    ['status named like an Object property (constructor)', { status: 'constructor' }],
    ['status named like an Object property (__proto__)', { status: '__proto__' }],
    ['status named like an Object property (toString)', { status: 'toString' }],
    ['status with markup', { status: '<img src=x onerror=alert(1)>' }],
    ['null request_counts', { request_counts: null }],
    ['empty request_counts', { request_counts: {} }],
    ['string and negative counts', { request_counts: { total: '5', completed: -1, failed: null } }],
    ['null errors', { errors: null }],
    ['errors without data', { errors: { object: 'list', data: null } }],
    ['errors with null items', { errors: { object: 'list', data: [null, { code: null, message: null, line: null }] } }],
    ['null metadata', { metadata: null }],
    ['metadata that is a string', { metadata: 'oops' }],
    ['metadata description that is a number', { metadata: { description: 12 } }],
    ['16 metadata keys of 512 chars', { metadata: { ...longMetadata, description: 'd'.repeat(512) } }],
    ['null usage', { usage: null }],
    ['empty usage', { usage: {} }],
    [
      'all timestamps null',
      {
        created_at: null,
        in_progress_at: null,
        completed_at: null,
        failed_at: null,
        expired_at: null,
        cancelled_at: null,
        expires_at: null,
      },
    ],
    ['timestamps as strings', { created_at: '1700000000', completed_at: 'yesterday' }],
    ['negative and huge timestamps', { created_at: -5, completed_at: 1e20, expires_at: Number.MAX_VALUE }],
    ['endpoint and model of the wrong type', { endpoint: 7, model: { name: 'x' } }],
    ['file ids of the wrong type', { input_file_id: 5, output_file_id: {}, error_file_id: [] }],
    [
      'completed with only an error file',
      { output_file_id: null, error_file_id: 'file-err', request_counts: { total: 2, completed: 0, failed: 2 } },
    ],
  ];
  const oddIds = [
    'batch_`tick`',
    '<script>alert(1)</script>',
    'a'.repeat(10_000),
    'batch with\nnewline\tand tab',
    '\u202Egnp.exe',
    '../../etc/passwd',
    '__proto__',
    ' ',
  ];

  const cases: Batch[] = [
    ...variants.map(([, patch], i): Batch => ({ ...base, id: `batch_variant_${i}`, ...patch })),
    ...oddIds.map((id) => ({ ...base, id })),
  ];

  it(`renders ${variants.length} odd shapes and ${oddIds.length} odd ids without throwing`, () => {
    for (const batch of cases) {
      const what = `${JSON.stringify(batch).slice(0, 120)}`;
      const label = batchLabel(batch);
      assert.equal(typeof label, 'string', what);
      assert.ok(label.length > 0 && label.length <= Math.max(80, batch.id.length), `label of ${what}`);
      const description = batchDescription(batch, now * 1000);
      assert.equal(typeof description, 'string', what);
      assert.ok(!/NaN|undefined|Infinity|\[object/.test(description), `description "${description}" of ${what}`);
      const presentation = batchPresentation(batch);
      assert.equal(typeof presentation.icon, 'string', `icon of ${what}`);
      assert.ok(presentation.color === undefined || typeof presentation.color === 'string', what);
      const tooltip = batchTooltipMarkdown(batch, now * 1000);
      assert.equal(typeof tooltip, 'string', what);
      assert.ok(!/NaN|undefined|\[object/.test(tooltip), `tooltip of ${what}`);
      const outsideCode = tooltip.replace(/`[^`\n]*`/g, '');
      assert.ok(!/<(script|img)/i.test(outsideCode), `raw markup in the tooltip of ${what}`);
    }
  });

  it('groups every odd status into a humanised, never-empty group with an icon', () => {
    const groups = groupByStatus(cases);
    assert.equal(
      groups.reduce((sum, group) => sum + group.batches.length, 0),
      cases.length,
      'no batch dropped',
    );
    for (const group of groups) {
      const label = humanizeStatus(group.status);
      assert.ok(label.length > 0, group.status);
      assert.equal(label.charAt(0), label.charAt(0).toUpperCase(), label);
      assert.equal(typeof statusPresentation(group.status).icon, 'string', `icon of status ${group.status}`);
    }
    assert.ok(
      groups.some((g) => g.status === 'unknown'),
      'missing and non-string statuses group as unknown',
    );
    assert.equal(humanizeStatus('paused_for_review'), 'Paused for review');
    assert.equal(statusOf({ id: 'x', status: 42 } as unknown as Batch), 'unknown');
  });

  it('reads a completed batch with only an error file as a warning', () => {
    const batch = cases[variants.findIndex(([name]) => name === 'completed with only an error file')];
    assert.equal(batchPresentation(batch).icon, 'warning');
    assert.match(batchTooltipMarkdown(batch, now * 1000), /with failures/);
  });

  it('keeps labels to one line and 80 characters, whatever the metadata', () => {
    const withLongDescription = cases.find((b) => b.metadata && typeof b.metadata === 'object' && Object.keys(b.metadata).length > 16)!;
    assert.ok(batchLabel(withLongDescription).length <= 80);
    assert.equal(batchLabel({ id: 'x', metadata: { description: 'two\nlines\u202E' } }), 'two lines');
  });
});

describe('file names: never a Windows device name, never ending in a dot or a space', () => {
  const devices = ['CON', 'PRN', 'AUX', 'NUL'];
  for (let n = 0; n <= 9; n++) devices.push(`COM${n}`, `LPT${n}`);
  devices.push('COM\u00b9', 'LPT\u00b3', 'CONIN$', 'CONOUT$');
  const variants = (device: string): string[] => [
    device,
    device.toLowerCase(),
    device.charAt(0) + device.slice(1).toLowerCase(),
    `${device}.jsonl`,
    `${device.toLowerCase()}.jsonl`,
    `${device}.tar.gz`,
    `${device} .txt`,
    `${device}.`,
  ];

  it('recognises every device name, in any case, with or without an extension', () => {
    for (const device of devices) {
      for (const name of variants(device)) assert.ok(isReservedFileName(name), name);
    }
    for (const name of ['name.', 'name ', 'a.jsonl.', 'a.jsonl ']) assert.ok(isReservedFileName(name), name);
    for (const name of [
      'CONFIG.json',
      'NUL-output.jsonl',
      'file-NUL.jsonl',
      'COM10.jsonl',
      'LPT.txt',
      'console',
      'nul_1',
      'batch_abc.jsonl',
    ]) {
      assert.ok(!isReservedFileName(name), name);
    }
  });

  it('makes every file name safe, and keeps safe names as they are', () => {
    for (const device of devices) {
      for (const name of variants(device)) {
        const safe = safeFileName(name);
        assert.ok(!isReservedFileName(safe), `${name} → ${safe}`);
        assert.doesNotMatch(safe, /[/\\:*?"<>|]/, safe);
      }
    }
    assert.equal(safeFileName('NUL.jsonl'), '_NUL.jsonl');
    assert.equal(safeFileName('com1.tar.gz'), '_com1.tar.gz');
    assert.equal(safeFileName('report. '), 'report');
    assert.equal(safeFileName('..'), 'file');
    assert.equal(safeFileName('a/b\\c:d.jsonl'), 'a_b_c_d.jsonl');
    assert.equal(safeFileName('batch_abc-output.jsonl'), 'batch_abc-output.jsonl');
    assert.equal(safeFileName('results.csv'), 'results.csv');
  });

  it('gives ids that are device names (or end in a dot) a stem that is neither, and keeps them apart', () => {
    const stems = new Set<string>();
    for (const device of devices) {
      for (const id of variants(device)) {
        const stem = fileStem(id);
        for (const name of [stem, `${stem}.jsonl`, `${stem}.tar.gz`]) assert.ok(!isReservedFileName(name), `${id} → ${name}`);
        assert.match(stem, /^[\w-][\w.-]*$/, stem);
        stems.add(stem);
      }
    }
    assert.equal(stems.size, devices.length * 8, 'no two ids share a stem');
    assert.ok(!isReservedFileName(`${fileStem('con.x')}.jsonl`), fileStem('con.x'));
    assert.equal(fileStem('file-abc123'), 'file-abc123');
  });

  it('never keeps a downloaded file or the batch cache under a device name', async () => {
    const root = await mkdtemp(join(tmpdir(), 'names-'));
    try {
      const files = new AccountFiles(root);
      for (const id of ['NUL', 'con', 'COM1.tar.gz', 'lpt9', 'name.', 'AUX ']) {
        const path = await files.pathFor('account', id);
        assert.ok(!isReservedFileName(basename(path)), `${id} → ${basename(path)}`);
        assert.equal(dirname(path), join(root, 'account'));
      }
      assert.ok(!isReservedFileName(basename(new BatchCache(root).fileFor('0123abcd'))));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("split's toast when creating its parts stopped", () => {
  it('ends the failure with a full stop, then says which parts were created, in whole sentences', () => {
    const failure = 'Part 2 of 3: Uploaded as file-abc, but the batch was not created: injected fault';
    assert.equal(
      splitStoppedText(failure, 1),
      'Part 2 of 3: Uploaded as file-abc, but the batch was not created: injected fault. Part 1 was created and is kept.',
    );
    assert.equal(splitStoppedText('Part 4 of 4: Rate limited.', 3), 'Part 4 of 4: Rate limited. Parts 1–3 were created and are kept.');
    assert.equal(splitStoppedText('Part 1 of 3: Server error (HTTP 500)', 0), 'Part 1 of 3: Server error (HTTP 500).');
    assert.equal(splitStoppedText('Part 1 of 2: "Quoted."', 0), 'Part 1 of 2: "Quoted."');
  });

  it('never says "Parts 1–1", and the failure stays plain text', () => {
    assert.equal(partsKeptSentence(1), 'Part 1 was created and is kept.');
    assert.equal(partsKeptSentence(2), 'Parts 1–2 were created and are kept.');
    assert.equal(partsKeptSentence(0), '');
    const hostile = 'bad [link](command:x)\n$(zap) fault';
    assert.equal(splitStoppedText(hostile, 1), `${plainText(hostile, 400)}. Part 1 was created and is kept.`);
    assert.doesNotMatch(splitStoppedText(hostile, 1), /\]\(|\$\(/);
  });
});
