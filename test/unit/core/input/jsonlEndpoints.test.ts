import * as assert from 'node:assert/strict';
import { validateBatchInput } from '../../../../src/core/input/jsonlValidation';
import { BATCH_ENDPOINTS } from '../../../../src/core/api/endpoints';
import { endpointOfLine } from '../../../../src/core/files/fileContent';
import { batchDescription, batchLabel } from '../../../../src/core/batches/batchDisplay';
import { detailView } from '../../../../src/webview/detail/detailView';
import { defaultModel, inputLine } from '../../../fake-api/data';
import { loadDescription } from '../../../fake-api/openapi/validate';

function request(url: string, body: Record<string, unknown>, customId = 'r1'): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url, body });
}

function codes(text: string): string[] {
  return validateBatchInput(text).problems.map((p) => `${p.line}:${p.code}:${p.severity}`);
}

describe('validateBatchInput: the seven endpoints of the Batch API today', () => {
  it('knows exactly the endpoints of the OpenAPI description, without the retired /v1/videos', () => {
    const described = loadDescription().components.schemas.CreateBatchRequest as unknown as {
      properties: { endpoint: { enum: string[] } };
    };
    assert.deepEqual(
      [...BATCH_ENDPOINTS],
      described.properties.endpoint.enum.filter((url) => url !== '/v1/videos'),
    );
  });

  it('accepts realistic requests to every endpoint (the fake API writes them)', () => {
    for (const url of BATCH_ENDPOINTS) {
      const text = [0, 1, 2].map((n) => inputLine(url, defaultModel(url), `req-${n}`, n)).join('\n');
      const result = validateBatchInput(text);
      assert.deepEqual(result.problems, [], url);
      assert.equal(result.endpoint, url);
      assert.equal(result.requests, 3);
    }
  });

  it('reports a main parameter of the wrong type, at the member', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['/v1/embeddings', { model: 'm', input: 42 }, 'invalidInput'],
      ['/v1/embeddings', { model: 'm', input: [] }, 'invalidInput'],
      ['/v1/embeddings', { model: 'm', input: '' }, 'invalidInput'],
      ['/v1/embeddings', { model: 'm', input: ['a', 7] }, 'invalidInput'],
      ['/v1/moderations', { input: { text: 'x' } }, 'invalidInput'],
      ['/v1/completions', { model: 'm', prompt: 12 }, 'invalidPrompt'],
      ['/v1/images/generations', { model: 'm', prompt: '' }, 'invalidPrompt'],
      ['/v1/images/edits', { model: 'm', prompt: 'x', image: 5 }, 'invalidInput'],
    ];
    for (const [url, body, code] of cases) {
      const line = request(url, body);
      const problems = validateBatchInput(line).problems;
      assert.deepEqual(
        problems.map((p) => p.code),
        [code],
        `${url} ${JSON.stringify(body)}`,
      );
      const field =
        code === 'invalidPrompt' ? 'prompt' : 'image' in body && code === 'invalidInput' && url.endsWith('edits') ? 'image' : 'input';
      assert.equal(line.slice(problems[0].column, problems[0].endColumn).startsWith(`"${field}"`), true, line.slice(problems[0].column));
    }
  });

  it('accepts every documented shape of an embeddings input, and of moderation and completion inputs', () => {
    const ok = [
      request('/v1/embeddings', { model: 'm', input: 'one' }),
      request('/v1/embeddings', { model: 'm', input: ['a', 'b'] }, 'r2'),
      request('/v1/embeddings', { model: 'm', input: [1, 2, 3] }, 'r3'),
      request('/v1/embeddings', { model: 'm', input: [[1, 2], [3]] }, 'r4'),
    ];
    assert.deepEqual(codes(ok.join('\n')), []);
    assert.deepEqual(codes(request('/v1/moderations', { input: ['a', { type: 'image_url', image_url: { url: 'https://x' } }] })), []);
    assert.deepEqual(codes(request('/v1/completions', { model: 'm', prompt: ['a', 'b'] })), []);
  });

  it('holds an embeddings batch to 50,000 inputs in all, counting each item of an input array', () => {
    const lines = Array.from({ length: 25 }, (_, i) => request('/v1/embeddings', { model: 'm', input: Array(2000).fill('x') }, `r${i}`));
    assert.deepEqual(codes(lines.join('\n')), [], '25 × 2,000 = 50,000 inputs is the limit, allowed');
    const over = [
      ...lines,
      request('/v1/embeddings', { model: 'm', input: ['x', 'y'] }, 'r-last'),
      request('/v1/embeddings', { model: 'm', input: 'z' }, 'r-after'),
    ];
    const problems = validateBatchInput(over.join('\n')).problems;
    assert.deepEqual(
      problems.map((p) => [p.line, p.code, p.severity]),
      [[25, 'tooManyInputs', 'error']],
      'reported once, on the line that crosses the limit',
    );
    assert.match(problems[0].message, /at most 50,000 inputs in all; with this line the file has 50,002/);
    assert.deepEqual(
      validateBatchInput(over.slice(0, 3).join('\n'), { maxEmbeddingInputs: 3_999 }).problems.map((p) => [p.line, p.code]),
      [[1, 'tooManyInputs']],
    );
  });

  it('refuses more than 2,048 inputs in one embeddings request, but not a long token array', () => {
    assert.deepEqual(codes(request('/v1/embeddings', { model: 'm', input: Array(2049).fill('x') })), ['0:invalidInput:error']);
    assert.deepEqual(codes(request('/v1/embeddings', { model: 'm', input: Array(5000).fill(1) })), []);
  });

  it('does not count inputs of other endpoints', () => {
    const lines = Array.from({ length: 30 }, (_, i) => request('/v1/moderations', { input: Array(2000).fill('x') }, `m${i}`));
    assert.deepEqual(codes(lines.join('\n')), []);
  });
});

describe('the Videos API, retired on 2026-09-24', () => {
  const video = (customId: string): string => request('/v1/videos', { model: 'sora-2', prompt: 'A cat on a skateboard' }, customId);

  it('warns once, at the url of the first /v1/videos line, that the batch would fail', () => {
    const text = [video('a'), video('b'), video('c')].join('\n');
    const result = validateBatchInput(text);
    assert.deepEqual(codes(text), ['0:retiredEndpoint:warning']);
    assert.equal(result.problems[0].message, '/v1/videos was retired on 2026-09-24: a batch to it would fail.');
    const { column, endColumn } = result.problems[0];
    assert.equal(video('a').slice(column, endColumn), '"url":"/v1/videos"');
    assert.equal(result.endpoint, '/v1/videos', 'still read as the endpoint, so Create can warn and name it');
  });

  it('still checks the requests to it, and a mix with another endpoint is still an error', () => {
    assert.deepEqual(codes(request('/v1/videos', { model: 'm', prompt: ['a'] })), ['0:retiredEndpoint:warning', '0:invalidPrompt:error']);
    assert.deepEqual(codes([request('/v1/responses', { model: 'sora-2', input: 'x' }), video('v')].join('\n')), [
      '1:retiredEndpoint:warning',
      '1:mixedUrl:error',
    ]);
  });

  it('is not offered by Create, but an uploaded video input is still recognised by its first line', () => {
    assert.ok(!(BATCH_ENDPOINTS as readonly string[]).includes('/v1/videos'));
    assert.equal(endpointOfLine(video('a')), '/v1/videos');
  });

  it('renders an existing video batch in the tree and the detail panel', () => {
    const batch = {
      id: 'batch_video',
      endpoint: '/v1/videos',
      status: 'completed',
      created_at: 1_780_000_000,
      completed_at: 1_780_003_600,
      request_counts: { total: 4, completed: 4, failed: 0 },
      metadata: { description: 'Trailer shots' },
    };
    assert.equal(batchLabel(batch), 'Trailer shots');
    assert.match(batchDescription(batch, 1_780_007_200_000), /^\/v1\/videos · .* · 4\/4$/);
    const view = detailView(batch, 1_780_007_200_000, new Map());
    assert.equal(view.status, 'Completed');
    assert.deepEqual(view.requests, { completed: 4, failed: 0, total: 4 });
  });
});
