import * as assert from 'assert';
import * as vscode from 'vscode';
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

/** Points the extension at a fresh fake API with a stored key, and waits for the first page. */
export async function connectToFake(options: FakeApiOptions = {}, settings: Record<string, unknown> = {}): Promise<{ api: TestApi; fake: FakeApi }> {
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
