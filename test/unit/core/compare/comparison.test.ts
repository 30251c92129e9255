import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Comparison, type CompareRun } from '../../../../src/core/compare/comparison';
import { ResultsIndex } from '../../../../src/core/results/resultsIndex';

const chatRequest = (id: string): string =>
  JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [] } });
const chatResult = (id: string, content: string): string =>
  JSON.stringify({
    id: `batch_req_${id}`,
    custom_id: id,
    response: {
      status_code: 200,
      body: {
        choices: [{ message: { role: 'assistant', content } }],
        usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
      },
    },
    error: null,
  });
const embeddingResult = (id: string, embedding: number[]): string =>
  JSON.stringify({ id: `r_${id}`, custom_id: id, response: { status_code: 200, body: { data: [{ embedding }] } }, error: null });

interface ExportedRow {
  custom_id: string;
  verdict: string;
  a: { cost: string | null; usage: { total_tokens: number } };
  b: { cost: string | null };
}

describe('compare: two runs read from their files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'compare-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(name: string, endpoint: string, requests: string[], results: string[]): Promise<CompareRun> {
    const input = join(dir, `${name}-input.jsonl`);
    const output = join(dir, `${name}-output.jsonl`);
    await writeFile(input, `${requests.join('\n')}\n`);
    await writeFile(output, `${results.join('\n')}\n`);
    const index = await ResultsIndex.open({ input, output }, { endpoint });
    return { rows: index.rows, sources: [{ input, output }], endpoint };
  }

  it('settles long answers by reading them back, diffs an expanded row, and exports formula-safe CSV and one JSON line per row', async () => {
    const ids = ['q1', 'q2', 'q3', 'q4'];
    const long = 'word '.repeat(100);
    const a = await run('chat-a', '/v1/chat/completions', ids.map(chatRequest), [
      chatResult('q1', `${long}same ending`),
      chatResult('q2', `${long}ending one`),
      chatResult('q3', '=HYPERLINK("http://x")'),
      chatResult('q4', 'Paris'),
    ]);
    const b = await run('chat-b', '/v1/chat/completions', ids.map(chatRequest), [
      chatResult('q4', 'Paris'),
      chatResult('q3', '=HYPERLINK("http://y")'),
      chatResult('q2', `${long}ending two`),
      chatResult('q1', `${long}same ending`),
    ]);
    const comparison = new Comparison(a, b);
    assert.equal(comparison.counts().pending, 2, 'q1 and q2 start alike beyond the preview');
    const reports: number[] = [];
    await comparison.settlePending(new AbortController().signal, (done) => reports.push(done));
    assert.deepEqual(reports, [2]);
    const verdicts = [0, 1, 2, 3].map((i) => comparison.row(i)!.verdict);
    assert.deepEqual(verdicts, ['same', 'different', 'different', 'same']);
    assert.deepEqual([...comparison.find('different', '')], [1, 2]);

    const detail = await comparison.detail(1);
    assert.ok(detail?.diff);
    assert.equal(detail.answerA, `${long}ending one`);
    assert.deepEqual(
      detail.diff.filter((part) => part.kind !== 'same'),
      [
        { kind: 'removed', text: 'one' },
        { kind: 'added', text: 'two' },
      ],
    );

    const csv = join(dir, 'out.csv');
    await comparison.exportRows([0, 1, 2, 3], 'csv', csv, { cost: () => '$0.01' });
    const lines = (await readFile(csv, 'utf8')).split('\r\n').filter(Boolean);
    assert.equal(lines.length, 5);
    assert.ok(lines[0].startsWith('custom_id,verdict,'));
    assert.ok(lines[3].includes(`"'=HYPERLINK(""http://x"")"`), lines[3]);
    assert.ok(lines[1].includes(`${long}same ending`), 'the whole answer, not the preview');

    const jsonl = join(dir, 'out.jsonl');
    await comparison.exportRows(comparison.find('all', ''), 'jsonl', jsonl, { cost: (side) => (side === 'a' ? '$1' : null) });
    const records = (await readFile(jsonl, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ExportedRow);
    assert.equal(records.length, 4);
    assert.deepEqual(
      records.map((r) => [r.custom_id, r.verdict, r.a.cost, r.b.cost]),
      [
        ['q1', 'same', '$1', null],
        ['q2', 'different', '$1', null],
        ['q3', 'different', '$1', null],
        ['q4', 'same', '$1', null],
      ],
    );
    assert.equal(records[3].a.usage.total_tokens, 12);
  });

  it('judges embeddings by cosine similarity against the threshold, and shows it', async () => {
    const request = (id: string): string => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/embeddings', body: {} });
    const a = await run('emb-a', '/v1/embeddings', ['e1', 'e2'].map(request), [
      embeddingResult('e1', [1, 0, 0]),
      embeddingResult('e2', [1, 0, 0]),
    ]);
    const b = await run('emb-b', '/v1/embeddings', ['e1', 'e2'].map(request), [
      embeddingResult('e1', [0.999, 0.01, 0]),
      embeddingResult('e2', [0, 1, 0]),
    ]);
    const comparison = new Comparison(a, b);
    assert.equal(comparison.rule, 'embedding');
    assert.match(comparison.ruleText, /cosine similarity is at least 0\.980/);
    assert.equal(comparison.counts().pending, 2);
    await comparison.settlePending(new AbortController().signal, () => undefined);
    assert.equal(comparison.row(0)!.verdict, 'same');
    assert.ok(comparison.row(0)!.similarity > 0.99);
    assert.equal(comparison.row(1)!.verdict, 'different');
    assert.equal(comparison.row(1)!.similarity, 0);
    assert.equal(comparison.agreement(), undefined);
  });
});
