import * as assert from 'node:assert/strict';
import { EMBEDDING_NOT_READ } from '../../../../src/core/results/answers';
import { readEmbeddingsLine } from '../../../../src/core/results/embeddingsLine';
import { embeddingSpans, parseResultLine } from '../../../../src/core/results/resultLine';

/** What the line comes to by `JSON.parse`, with each data item's array of numbers standing as not read. */
function parsedWithoutNumbers(line: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const body = (value as { response?: { body?: { data?: { embedding?: unknown }[] } } } | null)?.response?.body;
  for (const item of Array.isArray(body?.data) ? body.data : []) {
    if (Array.isArray(item?.embedding) && item.embedding.every((x) => typeof x === 'number')) item.embedding = EMBEDDING_NOT_READ;
  }
  return value;
}

/**
 * What the line comes to when read as the index reads it without this shortcut: each span of
 * numbers `embeddingSpans` finds replaced by the not-read marker, and the rest given to JSON.parse.
 */
function parsedCut(bytes: Buffer): unknown {
  const spans = embeddingSpans(bytes);
  let text = '';
  let from = 0;
  for (let i = 0; i < spans.length; i += 2) {
    text += bytes.toString('latin1', from, spans[i]) + JSON.stringify(EMBEDDING_NOT_READ);
    from = spans[i + 1] + 1;
  }
  try {
    return JSON.parse(text + bytes.toString('latin1', from));
  } catch {
    return undefined;
  }
}

/** A small deterministic generator, so a failure can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

interface Shape {
  id: string;
  customId: string;
  status: number;
  requestId: string;
  indexes: number[];
  model: string;
  prompt: number;
  total: number;
}

/**
 * The line in OpenAI's key order; `gap` is put between every two parts (`""` compact, `" "` as
 * Python writes it), but for between `"embedding"` and its colon: the numbers are cut out only
 * after `"embedding":` (see `embeddingSpans`), and a line without the cut is parsed whole.
 */
function line(shape: Shape, gap: (at: number) => string, vector = '[0.1,-0.25,3e-7]'): string {
  return spacedLine(shape, gap, vector).replace(/"embedding"\s+:/g, '"embedding":');
}

function spacedLine(shape: Shape, gap: (at: number) => string, vector: string): string {
  let n = 0;
  const g = (): string => gap(n++);
  const item = (index: number): string =>
    `{${g()}"object"${g()}:${g()}"embedding"${g()},${g()}"index"${g()}:${g()}${index}${g()},${g()}"embedding"${g()}:${g()}${vector}${g()}}`;
  return (
    `{${g()}"id"${g()}:${g()}"${shape.id}"${g()},${g()}"custom_id"${g()}:${g()}"${shape.customId}"${g()},${g()}"response"${g()}:${g()}` +
    `{${g()}"status_code"${g()}:${g()}${shape.status}${g()},${g()}"request_id"${g()}:${g()}"${shape.requestId}"${g()},${g()}"body"${g()}:${g()}` +
    `{${g()}"object"${g()}:${g()}"list"${g()},${g()}"data"${g()}:${g()}[${g()}${shape.indexes.map(item).join(`${g()},${g()}`)}${g()}]${g()},${g()}` +
    `"model"${g()}:${g()}"${shape.model}"${g()},${g()}"usage"${g()}:${g()}{${g()}"prompt_tokens"${g()}:${g()}${shape.prompt}${g()},${g()}` +
    `"total_tokens"${g()}:${g()}${shape.total}${g()}}${g()}}${g()}}${g()},${g()}"error"${g()}:${g()}null${g()}}`
  );
}

const SHAPE: Shape = {
  id: 'batch_req_6753',
  customId: 'request-000123',
  status: 200,
  requestId: 'req_c187b3',
  indexes: [0],
  model: 'text-embedding-3-small',
  prompt: 845,
  total: 845,
};

describe('reading an embeddings result line of the shape OpenAI writes, without JSON.parse', () => {
  it('reads the shape however it is spaced, with several embeddings and any printable id, as JSON.parse does', () => {
    const next = random(7);
    const gaps: ((at: number) => string)[] = [
      () => '',
      () => ' ',
      (at) => [' ', '\t', '\r', '  ', ''][at % 5],
      () => [' ', '', '\t '][Math.floor(next() * 3)],
    ];
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i))
      .filter((c) => c !== '"' && c !== '\\')
      .join('');
    for (let run = 0; run < 400; run++) {
      const shape: Shape = {
        id: `batch_req_${run}`,
        customId: Array.from({ length: 1 + Math.floor(next() * 40) }, () => printable[Math.floor(next() * printable.length)]).join(''),
        status: [200, 201, 400, 0, 599][run % 5],
        requestId: run % 7 === 0 ? '' : `req_${run}`,
        indexes: Array.from({ length: 1 + (run % 3) }, (_, i) => i),
        model: run % 2 ? 'text-embedding-3-large' : 'm',
        prompt: [0, 7, 123456789012345, -3][run % 4],
        total: run,
      };
      const text = line(shape, gaps[run % gaps.length]);
      const bytes = Buffer.from(text);
      const expected = parsedWithoutNumbers(text);
      const read = readEmbeddingsLine(bytes, embeddingSpans(bytes));
      assert.notEqual(read, undefined, text);
      assert.deepStrictEqual(read, expected, text);
      assert.deepStrictEqual(parseResultLine(bytes), { value: expected, cut: shape.indexes.length });
    }
  });

  it('leaves every other shape to JSON.parse, which reads it as before', () => {
    const compact = line(SHAPE, () => '');
    const others = [
      compact.replace('"request-000123"', '"request-\\u0030"'),
      compact.replace('"request-000123"', '"request-é"'),
      compact.replace('"request-000123"', '"tab\tinside"'),
      compact.replace('845,', '845.0,'),
      compact.replace('845,', '8.45e2,'),
      compact.replace('845,', '0845,'),
      compact.replace('845,', '1234567890123456,'),
      compact.replace('845,', '-0,'),
      compact.replace('"error":null', '"error":{"code":"x","message":"y"}'),
      compact.replace('"model"', '"system_fingerprint":"fp","model"'),
      compact.replace('{"id":"batch_req_6753",', '{'),
      compact.replace('"object":"list",', ''),
      compact.replace('"object":"list","data"', '"data"').replace('],"model"', '],"object":"list","model"'),
      compact.replace('"total_tokens":845', '"total_tokens":845,"prompt_tokens_details":{"cached_tokens":0}'),
      compact.replace('"index":0', '"index":"0"'),
      `${compact} x`,
      `${compact}}`,
      compact.slice(0, -1),
      compact.replace('"status_code":200', '"status_code":null'),
      line(SHAPE, () => '', '"AACAPw=="'),
      line({ ...SHAPE, indexes: [] }, () => ''),
    ];
    for (const text of others) {
      const bytes = Buffer.from(text);
      const expected = parsedWithoutNumbers(text);
      const read = readEmbeddingsLine(bytes, embeddingSpans(bytes));
      // Either not read here, or read exactly as JSON.parse reads it (a negative zero, say).
      if (read !== undefined) assert.deepStrictEqual(read, parsedCut(bytes), text);
      assert.deepStrictEqual(parseResultLine(bytes).value, expected, text);
    }
    // The ones that are not of the shape are indeed left alone.
    assert.equal(readEmbeddingsLine(Buffer.from(others[0]), embeddingSpans(Buffer.from(others[0]))), undefined);
    assert.equal(readEmbeddingsLine(Buffer.from(others[9]), embeddingSpans(Buffer.from(others[9]))), undefined);
  });

  it('never reads a line differently from JSON.parse of its cut text, whatever bytes are changed', () => {
    const next = random(11);
    const text = line({ ...SHAPE, indexes: [0, 1] }, (at) => (at % 3 === 0 ? ' ' : ''));
    const bytesOfLine = Buffer.from(text);
    const replacements = Buffer.from(' \t"\\:,{}[]0123456789-.eE+nulltrfalsex\u007f');
    let read = 0;
    for (let run = 0; run < 3000; run++) {
      const bytes = Buffer.from(bytesOfLine);
      for (let changes = 1 + Math.floor(next() * 2); changes > 0; changes--) {
        // Anywhere, the numbers included: those are cut out unread, as they are without this shortcut.
        bytes[Math.floor(next() * bytes.length)] = replacements[Math.floor(next() * replacements.length)];
      }
      const value = readEmbeddingsLine(bytes, embeddingSpans(bytes));
      if (value === undefined) continue;
      read++;
      assert.deepStrictEqual(value, parsedCut(bytes), bytes.toString('latin1'));
    }
    // Some changes keep the shape (a digit for a digit, a space for a space): those were read here, and checked.
    assert.ok(read > 50, `${read} changed lines read`);
  });
});
