import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

interface Manifest {
  capabilities?: {
    untrustedWorkspaces?: { supported: boolean | 'limited'; restrictedConfigurations?: string[] };
    virtualWorkspaces?: { supported: boolean | 'limited'; description?: string };
  };
  contributes: { configuration: { properties: Record<string, unknown> } };
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as Manifest;

/** Settings that decide where requests, and so the API key, go. */
const REDIRECTING_SETTINGS = ['baseUrl', 'organization', 'project', 'authHeader', 'apiVersion', 'accounts'].map(
  (name) => `openaiBatches.${name}`,
);

describe('package.json: workspace trust', () => {
  it('restricts, in untrusted workspaces, every contributed setting that redirects requests', () => {
    const contributed = Object.keys(manifest.contributes.configuration.properties);
    const redirecting = REDIRECTING_SETTINGS.filter((name) => contributed.includes(name));
    assert.ok(redirecting.includes('openaiBatches.baseUrl'), 'baseUrl is not contributed: the list above is stale');
    const trust = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(trust?.supported, 'limited');
    const missing = redirecting.filter((name) => !trust?.restrictedConfigurations?.includes(name));
    assert.deepStrictEqual(missing, [], `not restricted in untrusted workspaces: ${missing.join(', ')}`);
  });

  it('declares how it behaves in virtual workspaces', () => {
    const virtual = manifest.capabilities?.virtualWorkspaces;
    assert.ok(virtual, 'capabilities.virtualWorkspaces is missing');
    assert.ok(virtual.supported === true || (virtual.supported === 'limited' && virtual.description));
  });
});
