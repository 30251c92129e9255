import * as assert from 'assert';
import { freeSampleName, sampleBatchInput, SAMPLE_INPUT_FILENAME } from '../../../../src/core/input/sampleInput';
import { validateBatchInput } from '../../../../src/core/input/jsonlValidation';

describe('walkthrough sample input', () => {
  it('is a batch input file the validator accepts without a single problem', () => {
    const result = validateBatchInput(sampleBatchInput());
    assert.equal(result.requests, 3);
    assert.equal(result.endpoint, '/v1/chat/completions');
    assert.deepEqual(result.problems, []);
  });

  it('gives every request its own custom_id and ends each line with a newline', () => {
    const text = sampleBatchInput('gpt-4.1-nano');
    const lines = text.split('\n');
    assert.equal(lines.pop(), '');
    const requests = lines.map((line) => JSON.parse(line) as { custom_id: string; body: { model: string } });
    assert.equal(new Set(requests.map((request) => request.custom_id)).size, requests.length);
    assert.ok(requests.every((request) => request.body.model === 'gpt-4.1-nano'));
  });

  it('never picks the name of a file that is already there', () => {
    assert.equal(
      freeSampleName(() => false),
      SAMPLE_INPUT_FILENAME,
    );
    const taken = new Set([SAMPLE_INPUT_FILENAME, 'sample-batch-requests-2.jsonl']);
    assert.equal(
      freeSampleName((name) => taken.has(name)),
      'sample-batch-requests-3.jsonl',
    );
  });
});
