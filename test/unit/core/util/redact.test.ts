import * as assert from 'node:assert/strict';
import { Redactor } from '../../../../src/core/util/redact';

describe('Redactor', () => {
  it('masks registered secrets and anything shaped like a key or auth header', () => {
    const redactor = new Redactor();
    redactor.add('my-secret-key-123456');
    const text = redactor.redact(
      'key my-secret-key-123456, Authorization: Bearer abcdefghijklmnop, sk-proj-ABCDEFGHIJKLMNOPQRST, api-key: zzzzzzzzzzzz',
    );
    assert.ok(!text.includes('my-secret-key-123456'));
    assert.ok(!text.includes('abcdefghijklmnop'));
    assert.ok(!text.includes('ABCDEFGHIJKLMNOPQRST'));
    assert.ok(!text.includes('zzzzzzzzzzzz'));
  });

  it("masks a URL's user:pass@ wherever it stands, and leaves e-mail addresses and plain URLs alone", () => {
    const text = new Redactor().redact(
      'No API key stored for https://alice:s3cret-pw@proxy.example/v1 (ask bob@example.com); see https://api.openai.com/v1',
    );
    assert.equal(text, 'No API key stored for https://[redacted]@proxy.example/v1 (ask bob@example.com); see https://api.openai.com/v1');
  });
});
