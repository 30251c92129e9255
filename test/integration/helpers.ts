import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { applyFilter } from '../../src/commands/batches/filterCommands';
import type { TestApi } from '../../src/extension';
import type { TreeNode } from '../../src/tree/nodes';
import { FakeApi, FakeApiOptions, startFakeApi } from '../fake-api/server';

export const EXTENSION_ID = 'openai-batch-explorer.openai-batch-explorer';

/** The test hooks `activate()` returns in the test host (and only there: see src/extension.ts). */
export async function extensionApi(): Promise<TestApi> {
  const extension = vscode.extensions.getExtension<TestApi | undefined>(EXTENSION_ID);
  assert.ok(extension, 'extension not loaded');
  const api = await extension.activate();
  assert.ok(api, 'activate() returned no test hooks: this extension host is not in ExtensionMode.Test');
  return api;
}

/** Waits until `check` returns a truthy value, polling; fails with `what` after the timeout. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

/** What {@link connectToFake} and the `connect` of {@link fakeApiSuite} give a test. */
export interface FakeConnection {
  api: TestApi;
  fake: FakeApi;
}

/** Points the extension at a fresh fake API with a stored key, and waits for the first page. */
export async function connectToFake(options: FakeApiOptions = {}, settings: Record<string, unknown> = {}): Promise<FakeConnection> {
  const api = await extensionApi();
  const fake = await startFakeApi(options);
  const config = vscode.workspace.getConfiguration('openaiBatches');
  for (const [key, value] of Object.entries({ pageSize: 20, autoRefreshSeconds: 0, ...settings })) {
    await config.update(key, value, vscode.ConfigurationTarget.Global);
  }
  await config.update('baseUrl', fake.baseUrl, vscode.ConfigurationTarget.Global);
  await api.services.keys.set(fake.baseUrl, fake.apiKey);
  await api.services.connection.reconnect();
  await waitFor('connection to the fake API', () => api.services.store.state.kind === 'ready');
  return { api, fake };
}

/**
 * The setup the suites against the fake API share. Call it in a `describe`: it returns `connect`
 * ({@link connectToFake}: a fresh fake, the extension pointed at it with a stored key, connected),
 * and registers the hook that undoes it after each test (`after: 'all'`: after the suite), whether
 * the test connected or not: {@link cleanUp}, or with `clean: 'disconnect'` only {@link disconnect},
 * which also closes the fake. Hooks a suite registers before this one run before it.
 */
export function fakeApiSuite(
  setup: { after?: 'each' | 'all'; clean?: 'cleanUp' | 'disconnect' } = {},
): (options?: FakeApiOptions, settings?: Record<string, unknown>) => Promise<FakeConnection> {
  let connected: FakeConnection | undefined;
  const undo = async (): Promise<void> => {
    const api = connected?.api ?? (await extensionApi());
    const fake = connected?.fake;
    connected = undefined;
    if (setup.clean === 'disconnect') await disconnect(api, fake);
    else await cleanUp(api, fake);
  };
  if (setup.after === 'all') after(undo);
  else afterEach(undo);
  return async (options, settings) => (connected = await connectToFake(options, settings));
}

export async function disconnect(api: TestApi, fake: FakeApi | undefined): Promise<void> {
  if (fake) await api.services.keys.clear(fake.baseUrl);
  const config = vscode.workspace.getConfiguration('openaiBatches');
  for (const key of ['baseUrl', 'pageSize', 'autoRefreshSeconds', 'authHeader', 'apiVersion', 'organization', 'project']) {
    await config.update(key, undefined, vscode.ConfigurationTarget.Global);
  }
  await api.services.connection.reconnect();
  await fake?.close();
}

/** The root nodes with their TreeItems, as VS Code would render them. */
export async function rootItems(api: TestApi): Promise<{ node: TreeNode; item: vscode.TreeItem; label: string }[]> {
  const nodes = await api.services.tree.getChildren();
  return nodes.map((node) => {
    const item = api.services.tree.getTreeItem(node);
    return { node, item, label: typeof item.label === 'string' ? item.label : (item.label?.label ?? '') };
  });
}

export async function childLabels(api: TestApi, node: TreeNode): Promise<string[]> {
  const children = await api.services.tree.getChildren(node);
  return children.map((child) => {
    const item = api.services.tree.getTreeItem(child);
    return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  });
}

export interface TreeBatch {
  group: string;
  label: string;
  contextValue: string;
  id: string;
}

/** Every batch row in the tree, with its group, as VS Code renders them. */
export async function treeBatches(api: TestApi): Promise<TreeBatch[]> {
  const rows: TreeBatch[] = [];
  for (const root of await rootItems(api)) {
    for (const child of await api.services.tree.getChildren(root.node)) {
      const item = api.services.tree.getTreeItem(child);
      rows.push({
        group: root.label,
        label: String(typeof item.label === 'string' ? item.label : item.label?.label),
        contextValue: item.contextValue ?? '',
        id: item.id ?? '',
      });
    }
  }
  return rows;
}

export function configuration(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('openaiBatches');
}

/** Closes every editor; untitled documents are reverted first so no "Save changes?" dialog comes up. */
export async function closeEditors(): Promise<void> {
  for (let i = 0; i < 20 && vscode.window.activeTextEditor; i++)
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Result files are cached per account and file id (and the demo data's ids repeat in each test's account): forget one so it is downloaded again. */
export function forgetCachedFile(api: TestApi, fileId: string): void {
  fs.rmSync(path.join(api.context.globalStorageUri.fsPath, 'files', api.services.store.account ?? '', `${fileId}.jsonl`), { force: true });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * After a test that drives commands: clears notifications, closes editors, and, when it connected,
 * clears the filter, resets the settings such tests change and disconnects.
 */
export async function cleanUp(api: TestApi | undefined, fake: FakeApi | undefined): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await closeEditors();
  if (api) {
    applyFilter(api.services, undefined);
    await configuration().update('editorIntegration', undefined, vscode.ConfigurationTarget.Global);
    await configuration().update('maxOpenFileMB', undefined, vscode.ConfigurationTarget.Global);
    await disconnect(api, fake);
  }
}

/**
 * Waits until the fake has seen no new request for a moment: opening accounts also starts loads
 * the test does not measure (each account's Files view list, when an earlier suite left that view
 * open), and a command's requests are counted only once those are over.
 */
export async function quietFor(fake: { requests: readonly unknown[] }, quietMs = 750, limitMs = 15_000): Promise<void> {
  const started = Date.now();
  let seen = -1;
  let since = Date.now();
  while (Date.now() - started < limitMs) {
    if (fake.requests.length !== seen) {
      seen = fake.requests.length;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the fake API kept receiving requests for ${limitMs} ms`);
}
