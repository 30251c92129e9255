// SPEC "Bad input and faults", row by row, as the tree shows it inside a real extension host.
// Every fake in this file accepts one distinctive key; the last test looks for it everywhere the
// extension (or VS Code on its behalf) writes: logs, state, storage, settings, tree text.
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as net from 'net';
import * as vscode from 'vscode';
import type { Batch } from '../../src/core/api/types';
import type { TestApi } from '../../src/extension';
import type { TreeNode } from '../../src/tree/nodes';
import { FakeApi, FakeApiOptions, startFakeApi } from '../fake-api/server';
import { extensionApi, fakeApiSuite, waitFor } from './helpers';

const LEAK_KEY = `sk-leakcheck-${randomBytes(18).toString('base64url').slice(0, 24)}`;
const LIST = '/v1/batches';
const INSECURE_BASE_URL = 'http://example.com/v1';
/** Settings this file changes that helpers.disconnect does not reset. */
const EXTRA_SETTINGS = ['requestTimeoutSeconds'];

interface Row {
  node: TreeNode;
  item: vscode.TreeItem;
  label: string;
  description: string;
  tooltip: string;
}

/** Every string the tree showed during the run, for the leak check. */
const shown: string[] = [];

function toRow(api: TestApi, node: TreeNode): Row {
  // Batch tooltips are built on hover (resolveTreeItem); resolve them as VS Code would.
  const item = api.services.tree.resolveTreeItem(api.services.tree.getTreeItem(node), node);
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  const description = typeof item.description === 'string' ? item.description : '';
  const tooltip = typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
  shown.push(label, description, tooltip, item.accessibilityInformation?.label ?? '', JSON.stringify(item.command ?? null));
  return { node, item, label, description, tooltip };
}

async function roots(api: TestApi): Promise<Row[]> {
  return (await api.services.tree.getChildren()).map((node) => toRow(api, node));
}

async function children(api: TestApi, row: Row): Promise<Row[]> {
  return (await api.services.tree.getChildren(row.node)).map((node) => toRow(api, node));
}

const isGroup = (row: Row): boolean => /\(\d+\)$/.test(row.label);
const groupLabels = (rows: Row[]): string[] => rows.filter(isGroup).map((row) => row.label);

/** Batch rows under every group, as ids: what a person could see after expanding everything. */
async function batchRowIds(api: TestApi): Promise<string[]> {
  const ids: string[] = [];
  for (const group of (await roots(api)).filter(isGroup)) {
    for (const child of await children(api, group)) ids.push(child.item.id ?? '');
  }
  return ids;
}

async function run(row: Row): Promise<void> {
  const command = row.item.command;
  assert.ok(command, `"${row.label}" has no command`);
  await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
}

/** Records every TCP connect (host:port) the extension host starts; axios goes through net.Socket#connect. */
function watchConnects(): { targets: string[]; restore(): void } {
  const targets: string[] = [];
  const prototype = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => net.Socket };
  const original = prototype.connect;
  prototype.connect = function (this: net.Socket, ...args: unknown[]): net.Socket {
    // net.createConnection passes its normalized [options, callback] array as the first argument.
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as {
      host?: string;
      port?: number | string;
      path?: string | null;
    };
    // A path means a Unix socket or pipe (VS Code's own IPC); http sets it to null for TCP.
    if (options.path == null) targets.push(`${options.host ?? 'localhost'}:${String(options.port)}`);
    return original.apply(this, args);
  };
  return { targets, restore: () => (prototype.connect = original) };
}

describe('what the tree shows (SPEC "Bad input and faults")', function () {
  this.timeout(60_000);
  let api: TestApi;
  let fake: FakeApi | undefined;

  async function connect(seed: FakeApiOptions['seed'] = 'demo', settings: Record<string, unknown> = {}): Promise<void> {
    ({ api, fake } = await connectSuite({ seed, apiKey: LEAK_KEY }, settings));
    assert.equal(api.services.store.hasLoaded, false, 'nothing loaded before the test drives the first load');
  }

  /** Connects and loads the first page; returns the group labels shown. */
  async function connectAndLoad(seed: FakeApiOptions['seed'] = 'demo', settings: Record<string, unknown> = {}): Promise<string[]> {
    await connect(seed, settings);
    const groups = groupLabels(await roots(api));
    assert.ok(groups.length > 0, 'groups after the first load');
    return groups;
  }

  function the(): FakeApi {
    assert.ok(fake, 'no fake API');
    return fake;
  }

  afterEach(async () => {
    if (api) {
      const config = vscode.workspace.getConfiguration('openaiBatches');
      for (const key of EXTRA_SETTINGS) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    }
  });
  const connectSuite = fakeApiSuite({ clean: 'disconnect' });
  afterEach(async () => {
    // The clear-text test starts a fake of its own, which connectSuite does not close.
    await fake?.close();
    fake = undefined;
  });

  it('failed first load: an error node that retries, and running it recovers', async () => {
    await connect();
    the().addFault({ path: LIST, status: 500 });
    const [error, ...rest] = await roots(api);
    assert.match(error.label, /^Failed to load batches: .*HTTP 500.* — click to retry$/);
    assert.equal(error.item.command?.command, 'openaiBatches.refresh');
    assert.equal(error.tooltip.includes('HTTP 500'), true, 'the message is the tooltip');
    assert.deepEqual(rest, [], 'nothing else while nothing loaded');
    assert.equal(the().count('GET', LIST), 4, 'one attempt and 3 retries');
    the().clearFaults();
    await run(error);
    const after = await roots(api);
    assert.ok(!after.some((row) => row.item.contextValue === 'error'), `still an error: ${after.map((r) => r.label).join(' | ')}`);
    assert.ok(groupLabels(after).length > 0);
    assert.equal(after.at(-1)?.label, 'Load more…');
  });

  it('failed refresh with batches loaded: the groups stay, "Couldn\'t refresh" on top, clicking it recovers', async () => {
    const groups = await connectAndLoad();
    the().addFault({ path: LIST, status: 502 });
    await vscode.commands.executeCommand('openaiBatches.refresh');
    const rows = await roots(api);
    assert.match(rows[0].label, /^Couldn't refresh: .*HTTP 502.* — click to retry$/);
    assert.equal(rows[0].item.command?.command, 'openaiBatches.refresh');
    assert.deepEqual(groupLabels(rows), groups, 'loaded groups stay');
    assert.equal(rows.at(-1)?.label, 'Load more…');
    the().clearFaults();
    await run(rows[0]);
    const after = await roots(api);
    assert.ok(!after[0].label.startsWith("Couldn't refresh"));
    assert.deepEqual(groupLabels(after), groups);
  });

  it('failed load more: loaded batches stay, the node becomes "Retry loading more" with the message, and retrying works', async () => {
    await connectAndLoad();
    const before = await batchRowIds(api);
    assert.equal(before.length, 20);
    the().addFault({ path: LIST, status: 500 });
    await vscode.commands.executeCommand('openaiBatches.loadMore');
    const rows = await roots(api);
    const retry = rows.at(-1)!;
    assert.equal(retry.label, 'Retry loading more');
    assert.match(retry.description, /HTTP 500/);
    assert.equal(retry.item.command?.command, 'openaiBatches.loadMore');
    assert.ok(!rows.some((row) => row.item.contextValue === 'error'), 'no error node at the top for a failed page');
    assert.deepEqual(await batchRowIds(api), before, 'loaded batches stay');
    the().clearFaults();
    await run(retry);
    const ids = await batchRowIds(api);
    assert.equal(ids.length, 40);
    assert.equal(new Set(ids).size, 40, 'no duplicate rows');
    assert.equal((await roots(api)).at(-1)?.label, 'Load more…');
  });

  it('401 on the first load and on a refresh: "Invalid API key — set a new one" runs Set API Key; loaded batches stay', async () => {
    await connect();
    the().addFault({ path: LIST, status: 401, times: 1 });
    const [first] = await roots(api);
    assert.equal(first.label, 'Invalid API key — set a new one');
    assert.equal(first.item.command?.command, 'openaiBatches.setApiKey');
    assert.match(first.tooltip, /HTTP 401/);
    assert.equal(the().count('GET', LIST), 1, '401 is not retried');
    await vscode.commands.executeCommand('openaiBatches.refresh');
    const groups = groupLabels(await roots(api));
    assert.ok(groups.length > 0);
    the().addFault({ path: LIST, status: 401, times: 1 });
    await vscode.commands.executeCommand('openaiBatches.refresh');
    const rows = await roots(api);
    assert.equal(rows[0].label, 'Invalid API key — set a new one');
    assert.deepEqual(groupLabels(rows), groups);
  });

  for (const [status, naming] of [
    [403, /Access to the batch list was denied \(HTTP 403\)/],
    [404, /The batch list was not found \(HTTP 404\)/],
  ] as const) {
    it(`${status}: the message names the resource; loaded batches stay`, async () => {
      await connect();
      the().addFault({ path: LIST, status, times: 1 });
      const [first] = await roots(api);
      assert.match(first.label, naming);
      assert.match(first.label, /^Failed to load batches: /);
      await run(first);
      const groups = groupLabels(await roots(api));
      the().addFault({ path: LIST, status, times: 1 });
      await vscode.commands.executeCommand('openaiBatches.refresh');
      const rows = await roots(api);
      assert.match(rows[0].label, naming);
      assert.deepEqual(groupLabels(rows), groups);
      assert.equal(the().count('GET', LIST), 3, `${status} is never retried: one request per load`);
    });
  }

  it('a 404 for one batch names that batch', async () => {
    await connectAndLoad();
    await assert.rejects(api.services.store.fetchBatch('batch_does_not_exist'), /Batch batch_does_not_exist was not found \(HTTP 404\)/);
  });

  it('429 twice, then success: retried transparently, no error shown', async () => {
    const groups = await connectAndLoad();
    the().clearRequests();
    the().addFault({ path: LIST, status: 429, headers: { 'retry-after-ms': '50' }, times: 2 });
    await vscode.commands.executeCommand('openaiBatches.refresh');
    const rows = await roots(api);
    assert.ok(!rows.some((row) => row.item.contextValue === 'error'), rows.map((r) => r.label).join(' | '));
    assert.deepEqual(groupLabels(rows), groups);
    assert.equal(the().requests.filter((r) => r.path === LIST && r.status === 429).length, 2);
    assert.ok(
      the().requests.some((r) => r.path === LIST && r.status === 200),
      'then answered',
    );
  });

  it('429 forever: bounded retries, then an error node about the rate limit; loaded batches stay', async () => {
    const groups = await connectAndLoad();
    the().clearRequests();
    the().addFault({ path: LIST, status: 429, headers: { 'retry-after': '0' } });
    await vscode.commands.executeCommand('openaiBatches.refresh');
    const rows = await roots(api);
    assert.match(rows[0].label, /^Couldn't refresh: Rate limited by 127\.0\.0\.1:\d+ \(HTTP 429\)/);
    assert.deepEqual(groupLabels(rows), groups);
    assert.equal(the().count('GET', LIST), 4);
  });

  it('429 asking for an hour: gives up at once and says how long the server asked to wait', async () => {
    await connectAndLoad();
    the().clearRequests();
    the().addFault({ path: LIST, status: 429, headers: { 'retry-after': '3600' } });
    await vscode.commands.executeCommand('openaiBatches.refresh');
    const [error] = await roots(api);
    assert.match(error.label, /Rate limited.*asked to wait about 1 hour/);
    assert.equal(the().count('GET', LIST), 1);
  });

  for (const fault of ['html', 'truncated'] as const) {
    it(`${fault} body: "Unexpected response from 127.0.0.1:PORT (HTTP 200)", on the first load and on a refresh`, async () => {
      await connect();
      const expected = new RegExp(`Unexpected response from 127\\.0\\.0\\.1:${the().port} \\(HTTP 200\\)`);
      the().addFault({ path: LIST, [fault]: true, times: 1 });
      const [first] = await roots(api);
      assert.match(first.label, /^Failed to load batches: /);
      assert.match(first.label, expected);
      await run(first);
      const groups = groupLabels(await roots(api));
      the().addFault({ path: LIST, [fault]: true, times: 1 });
      await vscode.commands.executeCommand('openaiBatches.refresh');
      const rows = await roots(api);
      assert.match(rows[0].label, expected);
      assert.deepEqual(groupLabels(rows), groups);
    });
  }

  for (const [name, rule, message] of [
    ['5xx', { status: 503 }, /HTTP 503/],
    ['connection reset', { reset: true }, /Could not reach 127\.0\.0\.1:\d+ \(ECONNRESET\)/],
    ['hanging server', { hang: true }, /did not answer within 1 s/],
  ] as const) {
    it(`${name} with requestTimeoutSeconds 1: retried, then an error node; loaded batches stay; one success recovers`, async () => {
      const groups = await connectAndLoad('demo', { requestTimeoutSeconds: 1 });
      const before = await batchRowIds(api);
      the().clearRequests();
      the().addFault({ path: LIST, ...rule });
      await vscode.commands.executeCommand('openaiBatches.refresh');
      const rows = await roots(api);
      assert.match(rows[0].label, /^Couldn't refresh: /);
      assert.match(rows[0].label, message);
      assert.deepEqual(groupLabels(rows), groups);
      assert.deepEqual(await batchRowIds(api), before);
      assert.equal(the().count('GET', LIST), 4, 'one attempt and 3 retries');
      // One failure then success is absorbed by the retries.
      the().clearFaults();
      the().addFault({ path: LIST, ...rule, times: 1 });
      await vscode.commands.executeCommand('openaiBatches.refresh');
      assert.ok(!(await roots(api)).some((row) => row.item.contextValue === 'error'));
    });
  }

  for (const [name, rule, note] of [
    ['an empty page that says has_more', { emptyPageHasMore: true }, /empty page/],
    ['a stuck cursor', { stuckCursor: true }, /same page/],
  ] as const) {
    it(`${name} on load more: a note node, no Load more, no duplicate rows`, async () => {
      await connectAndLoad();
      const before = await batchRowIds(api);
      the().addFault({ path: LIST, ...rule });
      await vscode.commands.executeCommand('openaiBatches.loadMore');
      const rows = await roots(api);
      const last = rows.at(-1)!;
      assert.equal(last.item.contextValue, 'message');
      assert.match(last.label, note);
      assert.ok(!rows.some((row) => /Load more|Retry loading more/.test(row.label)), rows.map((r) => r.label).join(' | '));
      const ids = await batchRowIds(api);
      assert.deepEqual(ids, before, 'no duplicate rows, none lost');
      const requests = the().requests.length;
      await vscode.commands.executeCommand('openaiBatches.loadMore');
      assert.equal(the().requests.length, requests, 'Load more from the palette does not loop either');
    });
  }

  it('unknown statuses and null fields render: humanised group labels, a description string on every batch', async () => {
    const now = Math.floor(Date.now() / 1000);
    const metadata = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`key${i}`, 'm'.repeat(512)]));
    const odd: Batch[] = [
      {
        id: 'batch_odd_unknown',
        status: 'paused_for_review',
        created_at: now - 10,
        request_counts: null,
        errors: null,
        metadata: null,
        usage: null,
      },
      {
        id: 'batch_odd_nulls',
        status: 'completed',
        created_at: null,
        endpoint: null,
        request_counts: null,
        errors: { data: null },
        metadata: null,
        usage: null,
        completed_at: null,
      },
      { id: 'batch_odd_constructor', status: 'constructor', created_at: now - 30 },
      { id: 'batch_odd_missing', created_at: now - 40 },
      {
        id: 'batch_odd_metadata',
        status: 'in_progress',
        created_at: now - 50,
        metadata: { ...metadata, description: 'd'.repeat(512) },
        request_counts: { total: 10, completed: 3, failed: 1 },
      },
      { id: '<b>batch_odd_markup</b>', status: '<img src=x onerror=alert(1)>', created_at: now - 60 },
    ];
    await connect(odd);
    const rows = await roots(api);
    const groups = groupLabels(rows);
    for (const expected of [
      'In progress (1)',
      'Completed (1)',
      'Paused for review (1)',
      'Constructor (1)',
      'Unknown (1)',
      '<img src=x onerror=alert(1)> (1)',
    ]) {
      assert.ok(groups.includes(expected), `missing group ${expected} in ${groups.join(' | ')}`);
    }
    let batches = 0;
    for (const group of rows.filter(isGroup)) {
      for (const child of await children(api, group)) {
        batches++;
        assert.equal(typeof child.item.description, 'string', `description of ${child.label}`);
        assert.ok(child.label.length > 0 && child.label.length <= 80, child.label);
        assert.ok(child.item.iconPath instanceof vscode.ThemeIcon && typeof child.item.iconPath.id === 'string', `icon of ${child.label}`);
        assert.match(child.tooltip, /^\*\*.+\*\*\n/, `a Markdown tooltip for ${child.label}`);
        const accessible = child.item.accessibilityInformation?.label ?? '';
        assert.ok(
          !/undefined|NaN|\[object/.test(`${child.description} ${child.tooltip} ${accessible}`),
          `${child.description} / ${child.tooltip} / ${accessible}`,
        );
      }
    }
    assert.equal(batches, odd.length, 'every batch shown once');
  });

  it('http:// to a non-loopback host: an error node about clear text, and not one request or socket', async () => {
    api = await extensionApi();
    fake = await startFakeApi({ apiKey: LEAK_KEY });
    const config = vscode.workspace.getConfiguration('openaiBatches');
    const sockets = watchConnects();
    try {
      // Positive control: the same steps against the loopback fake do open a socket the watch sees.
      await config.update('autoRefreshSeconds', 0, vscode.ConfigurationTarget.Global);
      await config.update('baseUrl', fake.baseUrl, vscode.ConfigurationTarget.Global);
      await api.services.keys.set(fake.baseUrl, LEAK_KEY);
      await api.services.connection.reconnect();
      await waitFor('ready', () => api.services.store.state.kind === 'ready');
      await roots(api);
      assert.ok(
        sockets.targets.some((target) => target === `127.0.0.1:${the().port}`),
        `the watch saw the fake's socket: ${sockets.targets.join(', ')}`,
      );
      await api.services.keys.clear(fake.baseUrl);
      the().clearRequests();
      sockets.targets.length = 0;

      await config.update('baseUrl', INSECURE_BASE_URL, vscode.ConfigurationTarget.Global);
      await api.services.keys.set(INSECURE_BASE_URL, LEAK_KEY);
      await api.services.connection.reconnect();
      await waitFor('the misconfigured state', () => api.services.store.state.kind === 'misconfigured');
      const rows = await roots(api);
      assert.equal(rows.length, 1);
      assert.match(rows[0].label, /Refusing to send the API key in clear text to example\.com/);
      assert.equal(rows[0].item.command?.command, 'workbench.action.openSettings');
      // Everything that would talk to the API.
      await vscode.commands.executeCommand('openaiBatches.refresh');
      await vscode.commands.executeCommand('openaiBatches.loadMore');
      await vscode.commands.executeCommand('openaiBatches.reloadAll');
      await api.services.store.refresh();
      await assert.rejects(api.services.store.fetchBatch('batch_x'), /clear text/);
      await roots(api);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(the().requests.length, 0, 'the fake saw nothing');
      const loopback = /^(127\.[\d.]+|localhost|::1|\[::1\]):\d+$/;
      assert.deepEqual(
        sockets.targets.filter((target) => !loopback.test(target) || target === `127.0.0.1:${the().port}`),
        [],
        'no socket to example.com, nor to the fake',
      );
    } finally {
      sockets.restore();
      await api.services.keys.clear(INSECURE_BASE_URL);
    }
  });

  it(`the key never leaks: not in logs, state, storage, settings or tree text; the log did record the faults`, async () => {
    api = await extensionApi();
    const context = api.context;
    const logDir = context.logUri;
    const exthostDir = vscode.Uri.joinPath(logDir, '..');
    const sessionDir = vscode.Uri.joinPath(exthostDir, '..');
    const userDir = vscode.Uri.joinPath(context.globalStorageUri, '..', '..');
    const needle = Buffer.from(LEAK_KEY);
    console.log(`logUri ${logDir.toString()}; globalStorageUri ${context.globalStorageUri.toString()}`);

    // The channel is flushed to disk asynchronously: wait until the faults above are in a log file.
    let logText = '';
    await waitFor(
      'the fault lines in the extension log',
      async () => {
        logText = (await readTree(exthostDir)).map((file) => file.data.toString('utf8')).join('\n');
        return (
          /Loading batches failed \[server\]/.test(logText) && /Loading more batches failed/.test(logText) && /clear text/.test(logText)
        );
      },
      20_000,
    );

    const files = new Map<string, Buffer>();
    for (const dir of [
      logDir,
      exthostDir,
      sessionDir,
      context.globalStorageUri,
      userDir,
      ...(context.storageUri ? [context.storageUri] : []),
    ]) {
      for (const file of await readTree(dir)) files.set(file.uri.toString(), file.data);
    }
    const leaks: string[] = [];
    for (const [uri, data] of files) if (data.includes(needle)) leaks.push(uri);

    const stateValues = [
      ...context.globalState
        .keys()
        .map((key) => ({ where: `globalState ${key}`, text: `${key}=${JSON.stringify(context.globalState.get(key))}` })),
      ...context.workspaceState
        .keys()
        .map((key) => ({ where: `workspaceState ${key}`, text: `${key}=${JSON.stringify(context.workspaceState.get(key))}` })),
      { where: 'settings openaiBatches.*', text: JSON.stringify(vscode.workspace.getConfiguration('openaiBatches')) },
      { where: 'tree text', text: shown.join('\n') },
    ];
    for (const { where, text } of stateValues) if (text.includes(LEAK_KEY)) leaks.push(where);

    const logFiles = [...files.keys()].filter((uri) => uri.startsWith(sessionDir.toString()));
    console.log(
      `key leak check: ${files.size} files (${logFiles.length} under the log session folder) + ${stateValues.length - 2} state keys + settings + ${shown.length} tree strings; leaks: ${leaks.length}`,
    );
    assert.ok(logFiles.length > 0, 'found the log files');
    assert.ok(shown.length > 100, 'the tree text was collected');
    assert.ok(LEAK_KEY.length === 37 && /^sk-leakcheck-[\w-]{24}$/.test(LEAK_KEY));
    assert.deepEqual(leaks, [], `the key appears in: ${leaks.join(', ')}`);
  });
});

/** Every file under `root` (any scheme VS Code can read), with its bytes; missing folders are empty. */
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
      if (data) out.push({ uri, data });
    }
  }
  return out;
}
