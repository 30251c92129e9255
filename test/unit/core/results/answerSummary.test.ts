import * as assert from 'node:assert/strict';
import { answerSummary } from '../../../../src/core/results/answers';
import { BATCH_ENDPOINTS } from '../../../../src/core/api/endpoints';
import { mulberry32, outputLine } from '../../../fake-api/data';

function float32Base64(values: number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}

describe('answerSummary: the answer column, per endpoint', () => {
  it('responses: the output text, else refusals, else function calls', () => {
    assert.equal(answerSummary('/v1/responses', { output_text: 'Hello' }), 'Hello');
    const output = [
      { type: 'reasoning', summary: [] },
      {
        type: 'message',
        content: [
          { type: 'output_text', text: 'Part one.' },
          { type: 'output_text', text: 'Part two.' },
        ],
      },
    ];
    assert.equal(answerSummary('/v1/responses', { output }), 'Part one.\nPart two.');
    assert.equal(
      answerSummary('/v1/responses', { output: [{ type: 'message', content: [{ type: 'refusal', refusal: 'No.' }] }] }),
      'refusal: No.',
    );
    assert.equal(
      answerSummary('/v1/responses', { output: [{ type: 'function_call', name: 'lookup', arguments: '{"q":1}' }] }),
      'tool call: lookup({"q":1})',
    );
    assert.equal(answerSummary('/v1/responses', { status: 'incomplete', output: [] }), '(incomplete, no output)');
  });

  it('chat and legacy completions: the first choice', () => {
    assert.equal(answerSummary('/v1/chat/completions', { choices: [{ message: { role: 'assistant', content: 'Hi there' } }] }), 'Hi there');
    assert.equal(answerSummary('/v1/chat/completions', { choices: [{ message: { content: null, refusal: 'Sorry' } }] }), 'refusal: Sorry');
    assert.equal(
      answerSummary('/v1/chat/completions', {
        choices: [{ message: { content: null, tool_calls: [{ function: { name: 'f', arguments: '{}' } }] } }],
      }),
      'tool call: f({})',
    );
    assert.equal(answerSummary('/v1/completions', { choices: [{ text: 'once upon a time' }] }), 'once upon a time');
  });

  it('embeddings: dimensions and norm, from arrays and from base64 float32', () => {
    assert.equal(answerSummary('/v1/embeddings', { data: [{ embedding: [0.6, 0.8, 0] }] }), '3 dimensions · norm 1.000');
    assert.equal(
      answerSummary('/v1/embeddings', { data: [{ embedding: [3, 4] }, { embedding: [1, 0] }] }),
      '2 embeddings · 2 dimensions · norm 5.000',
    );
    assert.equal(
      answerSummary('/v1/embeddings', { data: [{ embedding: float32Base64([0.5, 0.5, 0.5, 0.5]) }] }),
      '4 dimensions · norm 1.000',
    );
    assert.equal(answerSummary('/v1/embeddings', { data: [{ embedding: 'not base64!' }] }), '1 embedding');
  });

  it('moderations: the flagged categories', () => {
    assert.equal(answerSummary('/v1/moderations', { results: [{ flagged: false, categories: { violence: false } }] }), 'not flagged');
    assert.equal(
      answerSummary('/v1/moderations', { results: [{ flagged: true, categories: { harassment: true, violence: true, sexual: false } }] }),
      'flagged: harassment, violence',
    );
    assert.equal(
      answerSummary('/v1/moderations', {
        results: [
          { flagged: true, categories: { hate: true } },
          { flagged: false, categories: {} },
          { flagged: true, categories: { hate: true, violence: true } },
        ],
      }),
      '2 of 3 inputs flagged: hate, violence',
    );
  });

  it('images: how many, their size and their bytes', () => {
    const png = Buffer.alloc(3000, 1).toString('base64');
    for (const endpoint of ['/v1/images/generations', '/v1/images/edits']) {
      assert.equal(
        answerSummary(endpoint, { created: 1, data: [{ b64_json: png }, { b64_json: png }], size: '1024x1024', output_format: 'png' }),
        '2 images · 1024x1024 · 5.9 KB · png',
      );
      assert.equal(answerSummary(endpoint, { created: 1, data: [{ url: 'https://x/1.png' }] }), '1 image · as URLs');
    }
  });

  it('videos: status and id', () => {
    assert.equal(
      answerSummary('/v1/videos', { id: 'video_123', object: 'video', status: 'completed', progress: 100, seconds: '4', size: '720x1280' }),
      'completed · video_123 · 4 s · 720x1280',
    );
    assert.equal(
      answerSummary('/v1/videos', { id: 'video_9', object: 'video', status: 'in_progress', progress: 40 }),
      'in_progress · video_9 · 40%',
    );
  });

  it('recognises the body by its shape when the endpoint is null, unknown or spelled differently', () => {
    assert.equal(answerSummary(null, { choices: [{ message: { content: 'shape' } }] }), 'shape');
    assert.equal(answerSummary(undefined, { object: 'video', id: 'video_1', status: 'queued' }), 'queued · video_1');
    assert.equal(answerSummary('v1/embeddings/', { data: [{ embedding: [1, 0] }] }), '2 dimensions · norm 1.000');
    assert.equal(answerSummary('/embeddings', { data: [{ embedding: [1, 0] }] }), '2 dimensions · norm 1.000');
    assert.equal(answerSummary('/v1/somethingNew', { results: [{ flagged: false }] }), 'not flagged');
  });

  it('never throws, and says nothing for bodies without an answer', () => {
    for (const endpoint of [...BATCH_ENDPOINTS, null, 'x']) {
      for (const body of [null, undefined, 42, [], {}, { choices: 'x' }, { data: [null] }, { output: [null, 1] }, { results: [7] }]) {
        const answer = answerSummary(endpoint, body);
        assert.ok(answer === undefined || typeof answer === 'string', `${String(endpoint)} ${JSON.stringify(body)}`);
      }
    }
    assert.equal(answerSummary('/v1/chat/completions', 'plain text body'), 'plain text body');
    assert.ok(answerSummary('/v1/responses', { output_text: 'x'.repeat(10_000) })!.length <= 2000);
  });

  it("summarises every endpoint's output line from the fake API", () => {
    for (const endpoint of BATCH_ENDPOINTS) {
      const line = JSON.parse(outputLine(mulberry32(7), endpoint, 'model-x', 'req-1', 1_750_000_000)) as { response: { body: unknown } };
      const answer = answerSummary(endpoint, line.response.body);
      assert.ok(answer && answer.length > 0, `${endpoint}: ${String(answer)}`);
    }
  });
});
