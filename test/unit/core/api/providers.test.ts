import * as assert from 'node:assert/strict';
import { isAzureV1, PROVIDER_PRESETS, type ProviderPreset, providerSettings } from '../../../../src/core/api/providers';

function preset(id: ProviderPreset['id']): ProviderPreset {
  const found = PROVIDER_PRESETS.find((p) => p.id === id);
  assert.ok(found, `no preset ${id}`);
  return found;
}

describe('Choose Provider: presets and the settings they write', () => {
  it('offers OpenAI, Azure (v1 and dated), Groq, a local LiteLLM proxy and Custom, in that order', () => {
    assert.deepEqual(
      PROVIDER_PRESETS.map((p) => p.id),
      ['openai', 'azure-v1', 'azure-dated', 'groq', 'litellm', 'custom'],
    );
    assert.equal(new Set(PROVIDER_PRESETS.map((p) => p.label)).size, PROVIDER_PRESETS.length);
  });

  it('writes the base URLs, auth headers and API versions the README documents', () => {
    assert.deepEqual(providerSettings(preset('openai'), {}), {
      baseUrl: 'https://api.openai.com/v1',
      authHeader: 'bearer',
      apiVersion: '',
    });
    assert.deepEqual(providerSettings(preset('azure-v1'), { resource: ' My-Resource ' }), {
      baseUrl: 'https://my-resource.openai.azure.com/openai/v1',
      authHeader: 'api-key',
      apiVersion: '',
    });
    assert.deepEqual(providerSettings(preset('azure-dated'), { resource: 'contoso' }), {
      baseUrl: 'https://contoso.openai.azure.com/openai',
      authHeader: 'api-key',
      apiVersion: '2024-10-21',
    });
    assert.deepEqual(providerSettings(preset('groq'), {}), {
      baseUrl: 'https://api.groq.com/openai/v1',
      authHeader: 'bearer',
      apiVersion: '',
    });
    assert.deepEqual(providerSettings(preset('litellm'), { port: '4000' }), {
      baseUrl: 'http://localhost:4000/v1',
      authHeader: 'bearer',
      apiVersion: '',
    });
    assert.deepEqual(providerSettings(preset('custom'), { baseUrl: ' https://llm.example.com/openai/v1/ ' }), {
      baseUrl: 'https://llm.example.com/openai/v1',
      authHeader: 'bearer',
      apiVersion: '',
    });
  });

  it('Azure v1 is recognised as v1 (no api-version sent), the dated API is not', () => {
    assert.ok(isAzureV1(providerSettings(preset('azure-v1'), { resource: 'contoso' }).baseUrl));
    assert.ok(!isAzureV1(providerSettings(preset('azure-dated'), { resource: 'contoso' }).baseUrl));
  });

  it('asks exactly for what must be filled in, with defaults where there is one', () => {
    const asked = Object.fromEntries(PROVIDER_PRESETS.map((p) => [p.id, p.questions.map((q) => q.id)]));
    assert.deepEqual(asked, {
      openai: [],
      'azure-v1': ['resource'],
      'azure-dated': ['resource'],
      groq: [],
      litellm: ['port'],
      custom: ['baseUrl'],
    });
    assert.equal(preset('litellm').questions[0].value, '4000');
  });

  it('refuses bad answers in the input box and in providerSettings alike', () => {
    const [resource] = preset('azure-v1').questions;
    for (const bad of ['', 'a', '-contoso', 'contoso-', 'contoso.openai.azure.com', 'https://contoso.openai.azure.com', 'x'.repeat(65)]) {
      assert.ok(resource.validate(bad), `resource ${JSON.stringify(bad)} accepted`);
      assert.throws(() => providerSettings(preset('azure-v1'), { resource: bad }));
    }
    assert.equal(resource.validate('my-resource-2'), undefined);

    const [port] = preset('litellm').questions;
    for (const bad of ['', '0', '65536', '4000a', '-1', '40.5']) {
      assert.ok(port.validate(bad), `port ${JSON.stringify(bad)} accepted`);
      assert.throws(() => providerSettings(preset('litellm'), { port: bad }));
    }
    assert.equal(port.validate('65535'), undefined);

    const [custom] = preset('custom').questions;
    assert.match(custom.validate('http://example.com/v1') ?? '', /clear text/);
    assert.match(custom.validate('https://user:secret@example.com/v1') ?? '', /user name or password/);
    assert.match(custom.validate('not a url') ?? '', /not a valid URL/);
    assert.equal(custom.validate('http://127.0.0.1:8080/v1'), undefined);
    assert.throws(() => providerSettings(preset('custom'), { baseUrl: 'http://example.com/v1' }), /clear text/);
  });

  it('needs an answer for every question', () => {
    assert.throws(() => providerSettings(preset('azure-v1'), {}), /no answer for resource/);
    assert.throws(() => providerSettings(preset('custom'), {}), /no answer for baseUrl/);
  });
});
