import * as vscode from 'vscode';
import { ApiKeyStore } from './auth/apiKeyStore';
import { AutoRefresher } from './autoRefresh';
import { registerCommands } from './commands/registerCommands';
import type { Services } from './commands/services';
import { readSettings } from './config';
import { ConnectionManager } from './connection';
import { registerIdProviders } from './editor/idProviders';
import { BatchStore } from './core/batchStore';
import { Logger } from './log';
import { BatchTreeProvider } from './tree/batchTreeProvider';
import { BatchJsonDocuments } from './webview/batchJsonDocument';
import { BatchDetailPanels } from './webview/detailPanel';

/** What `activate` returns: the wired services, used by the integration tests to observe state. */
export interface ExtensionApi {
  services: Services;
}

/** Builds the objects, wires them together and registers the commands; nothing else. */
export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const log = new Logger();
  const store = new BatchStore(() => readSettings().pageSize);
  const keys = new ApiKeyStore(context.secrets);
  const connection = new ConnectionManager(store, keys, log);
  const tree = new BatchTreeProvider(store);
  const treeView = vscode.window.createTreeView('openaiBatches.batches', { treeDataProvider: tree, showCollapseAll: true });
  const jsonDocuments = new BatchJsonDocuments(store);
  const panels = new BatchDetailPanels({ extensionUri: context.extensionUri, store, log, jsonDocuments });
  const autoRefresher = new AutoRefresher(store, treeView, log);
  context.subscriptions.push(log, store, keys, connection, tree, treeView, panels, panels.registerSerializer(), jsonDocuments, jsonDocuments.register(), autoRefresher, registerIdProviders(store));

  const services: Services = { context, store, keys, connection, tree, treeView, panels, jsonDocuments, log };
  registerCommands(services);
  await connection.reconnect();
  return { services };
}

export function deactivate(): void {}
