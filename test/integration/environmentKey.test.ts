// A key from the environment (OPENAI_API_KEY, and OPENAI_BASE_URL / OPENAI_ORG_ID / OPENAI_PROJECT_ID),
// inside the real extension host: the extension reads the host's process environment at each
// reconnect, so the tests set it there. Also: a host chosen by the workspace's .vscode/settings.json
// is named in the tree and never gets the environment's key.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { copyEnvironmentKey } from '../../src/commands/accounts/apiKeyCommands';
import type { TestApi } from '../../src/extension';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { configuration, extensionApi, rootItems, waitFor } from './helpers';

const ENV_NAMES = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID'] as const;
const keyOf = (request: FakeApi['requests'][number]): string | undefined => request.headers.authorization?.replace(/^Bearer\s+/i, '');

describe('A key from the environment (extension host)', function () {
  this.timeout(60_000);
  // Unique per run, so finding it anywhere on disk can only mean this run wrote it.
  const envKey = `sk-envkey-${crypto.randomBytes(12).toString('hex')}`;
  let api: TestApi;
  let fake: FakeApi;
  let other: FakeApi | undefined;
  const saved = new Map<string, string | undefined>();

  before(async () => {
    api = await extensionApi();
    for (const name of ENV_NAMES) saved.set(name, process.env[name]);
  });

  beforeEach(async () => {
    fake = await startFakeApi({ seed: 'demo', apiKey: envKey });
    for (const name of ENV_NAMES) delete process.env[name];
    await configuration().update('autoRefreshSeconds', 0, vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    for (const name of ENV_NAMES) {
      const value = saved.get(name);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const config = configuration();
    for (const key of ['baseUrl', 'accounts', 'useEnvironmentKey'])
      await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
    for (const key of ['baseUrl', 'autoRefreshSeconds', 'useEnvironmentKey', 'organization', 'project'])
      await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    await api.services.keys.clear(fake.baseUrl);
    if (other) await api.services.keys.clear(other.baseUrl);
    await api.services.connection.reconnect();
    await fake.close();
    await other?.close();
    other = undefined;
  });

  async function labels(): Promise<string[]> {
    return (await rootItems(api)).map((root) => root.label);
  }

  it('uses OPENAI_API_KEY for the default account when none is stored, and says so in the tree', async () => {
    process.env.OPENAI_API_KEY = envKey;
    await configuration().update('baseUrl', fake.baseUrl, vscode.ConfigurationTarget.Global);
    await api.services.connection.reconnect();
    await waitFor('a connection with the environment key', () => api.services.store.state.kind === 'ready');
    assert.equal(api.services.connection.keySource, 'environment');
    assert.equal(await api.services.keys.get(fake.baseUrl), undefined, 'nothing was stored');
    let shown: string[] = [];
    await waitFor('the batches and the note', async () => {
      shown = await labels();
      return shown.some((label) => /^Completed \(\d+\)$/.test(label));
    });
    assert.equal(shown[0], 'API key from the environment (OPENAI_API_KEY)');
    const note = (await rootItems(api))[0].item;
    assert.equal(note.contextValue, 'environmentKey', 'the note carries the Store It action');
    assert.equal(note.description, 'not stored');
    assert.ok(fake.requests.length > 0 && fake.requests.every((request) => keyOf(request) === envKey), 'every request carried the env key');
    // VS Code's chat starts the account's MCP server with the key the account uses (1.101+ has the API).
    if (api.mcp) {
      const [server] = api.mcp.provideMcpServerDefinitions();
      assert.equal(server.env.OPENAI_API_KEY, undefined, 'no key in the definition VS Code keeps');
      const resolved = await api.mcp.resolveMcpServerDefinition(server);
      assert.equal(resolved.env.OPENAI_API_KEY, envKey);
      assert.equal(resolved.env.OPENAI_BASE_URL, fake.baseUrl);
    }
  });

  it('reads OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID when the settings are unset, and not over them', async () => {
    Object.assign(process.env, {
      OPENAI_API_KEY: envKey,
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_ORG_ID: 'org-env',
      OPENAI_PROJECT_ID: 'proj_env',
    });
    await api.services.connection.reconnect();
    await waitFor('a connection to OPENAI_BASE_URL', () => api.services.store.state.kind === 'ready');
    assert.equal(api.services.connection.settings.baseUrl, fake.baseUrl);
    await labels(); // the tree loads the first page
    await waitFor('a first request', () => fake.requests.length > 0);
    const first = fake.requests[0];
    assert.equal(first.headers['openai-organization'], 'org-env');
    assert.equal(first.headers['openai-project'], 'proj_env');
    // A setting wins over its variable.
    await configuration().update('project', 'proj_setting', vscode.ConfigurationTarget.Global);
    assert.equal(api.services.connection.settings.project, 'proj_setting');
    // Turned off: neither the key nor the base URL comes from the environment.
    await configuration().update('useEnvironmentKey', false, vscode.ConfigurationTarget.Global);
    await api.services.connection.reconnect();
    await waitFor('signed out', () => api.services.store.state.kind === 'signedOut');
    assert.equal(api.services.connection.settings.baseUrl, 'https://api.openai.com/v1');
    assert.equal(api.services.connection.keySource, undefined);
  });

  it('Store It copies the key into SecretStorage; from then on the key is the stored one', async () => {
    process.env.OPENAI_API_KEY = envKey;
    await configuration().update('baseUrl', fake.baseUrl, vscode.ConfigurationTarget.Global);
    await api.services.connection.reconnect();
    await waitFor('the environment key in use', () => api.services.connection.keySource === 'environment');
    assert.equal(await copyEnvironmentKey(api.services), true);
    assert.equal(await api.services.keys.get(fake.baseUrl), envKey);
    await waitFor('the stored key in use', () => api.services.connection.keySource === 'stored');
    assert.ok(!(await labels()).includes('API key from the environment (OPENAI_API_KEY)'), 'the note went away');
  });

  it("is never used for a host the workspace's .vscode/settings.json chose, and the tree names that host and file", async () => {
    other = await startFakeApi({ seed: 'demo', apiKey: envKey });
    process.env.OPENAI_API_KEY = envKey;
    await configuration().update('baseUrl', fake.baseUrl, vscode.ConfigurationTarget.Global);
    await configuration().update('baseUrl', other.baseUrl, vscode.ConfigurationTarget.Workspace);
    await api.services.connection.reconnect();
    await waitFor('the workspace host in effect', () => api.services.connection.settings.baseUrl === other?.baseUrl);
    await waitFor('signed out', () => api.services.store.state.kind === 'signedOut');
    assert.equal(api.services.connection.keySource, undefined);
    const host = new URL(other.baseUrl).host;
    const rows = await rootItems(api);
    assert.deepEqual(
      rows.map((row) => row.label),
      [`Host chosen by this workspace's .vscode/settings.json: ${host}`, 'Set API Key…'],
    );
    assert.equal(rows[1].item.description, `no API key · Host chosen by this workspace's .vscode/settings.json: ${host}`);
    assert.equal(other.requests.length, 0, 'nothing was sent to the workspace-chosen host');
    if (api.mcp) {
      // Nor is it handed to an MCP server for that host.
      const [server] = api.mcp.provideMcpServerDefinitions();
      await assert.rejects(Promise.resolve(api.mcp.resolveMcpServerDefinition(server)), /No API key is stored for "Default"/);
    }
    // The user's own host again: the environment key is used.
    await configuration().update('baseUrl', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('the environment key for the user host', () => api.services.connection.keySource === 'environment');
    assert.equal(other.requests.length, 0);
  });

  it('marks accounts listed by the workspace settings as chosen by the workspace', async () => {
    other = await startFakeApi({ seed: 'demo' });
    await configuration().update('accounts', [{ name: 'Theirs', baseUrl: other.baseUrl }], vscode.ConfigurationTarget.Workspace);
    await waitFor('two accounts', () => api.services.accounts.accounts.length === 2);
    const listed = api.services.accounts.accounts[1];
    assert.equal(listed.settings.hostChosenBy?.file, '.vscode/settings.json');
    const account = (await rootItems(api)).find((row) => row.label === 'Theirs');
    assert.ok(account, 'the account node');
    assert.match(String(account.item.description), /, chosen by this workspace/);
    assert.match(
      typeof account.item.tooltip === 'string' ? account.item.tooltip : (account.item.tooltip?.value ?? ''),
      new RegExp(`Host chosen by this workspace's \\.vscode/settings\\.json: ${new URL(other.baseUrl).host}`),
    );
    await configuration().update('accounts', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('one account', () => !api.services.accounts.multiple);
  });

  it('never writes the environment key to disk or logs (user data, global storage, logs)', async () => {
    process.env.OPENAI_API_KEY = envKey;
    await configuration().update('baseUrl', fake.baseUrl, vscode.ConfigurationTarget.Global);
    await api.services.connection.reconnect();
    await waitFor(
      'connected with the environment key',
      () => api.services.store.state.kind === 'ready' && api.services.connection.keySource === 'environment',
    );
    await labels(); // the tree loads the first page
    await waitFor(
      'loaded with the environment key',
      () => api.services.store.hasLoaded && api.services.connection.keySource === 'environment',
    );
    // A control line: proves the scan reads log files that have been flushed.
    const marker = `env-key-scan-marker-${crypto.randomBytes(6).toString('hex')}`;
    api.services.log.info(marker);
    const context = api.context;
    const sessionDir = vscode.Uri.joinPath(context.logUri, '..', '..');
    const userDataDir = vscode.Uri.joinPath(context.globalStorageUri, '..', '..', '..');
    let files: { uri: vscode.Uri; data: Buffer }[] = [];
    await waitFor(
      'the control line in a log file',
      async () => {
        files = [...(await readTree(sessionDir)), ...(await readTree(userDataDir))];
        return files.some((file) => file.data.includes(marker));
      },
      20_000,
    );
    const leaks = files.filter((file) => file.data.includes(envKey)).map((file) => file.uri.toString());
    console.log(`environment key scan: ${files.length} files under ${userDataDir.fsPath} and the log session; leaks: ${leaks.length}`);
    assert.ok(files.length > 10);
    assert.deepEqual(leaks, []);
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('openaiBatches')).includes(envKey), 'not in settings');
  });
});

/** Every file under `root`, with its bytes; missing folders are empty. */
async function readTree(root: vscode.Uri): Promise<{ uri: vscode.Uri; data: Buffer }[]> {
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(root);
  } catch {
    return [];
  }
  const out: { uri: vscode.Uri; data: Buffer }[] = [];
  for (const [name, type] of entries) {
    const uri = vscode.Uri.joinPath(root, name);
    if (type & vscode.FileType.Directory) out.push(...(await readTree(uri)));
    else if (type & vscode.FileType.File) {
      const data = await vscode.workspace.fs.readFile(uri).then(
        (bytes) => Buffer.from(bytes),
        () => undefined,
      );
      if (data && data.length < 64 * 1024 * 1024) out.push({ uri, data });
    }
  }
  return out;
}
