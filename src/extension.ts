import * as vscode from 'vscode';
import { ApiKeyStore } from './auth/apiKeyStore';
import { AutoRefresher } from './autoRefresh';
import { registerCommands } from './commands/registerCommands';
import { readSettings } from './config';
import { ConnectionManager } from './connection';
import { registerIdProviders } from './editor/idProviders';
import { BatchStore } from './core/batchStore';
import { Logger } from './log';
import { BatchTreeProvider } from './tree/batchTreeProvider';
import { BatchJsonDocuments } from './webview/batchJsonDocument';
import { BatchDetailPanels } from './webview/detailPanel';

/** Builds the objects, wires them together and registers the commands; nothing else. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = new Logger();
  const store = new BatchStore(() => readSettings().pageSize);
  const keys = new ApiKeyStore(context.secrets);
  const connection = new ConnectionManager(store, keys, log);
  const tree = new BatchTreeProvider(store);
  const treeView = vscode.window.createTreeView('openaiBatches.batches', { treeDataProvider: tree, showCollapseAll: true });
  const panels = new BatchDetailPanels({ extensionUri: context.extensionUri, store, log });
  const jsonDocuments = new BatchJsonDocuments(store);
  const autoRefresher = new AutoRefresher(store, treeView, log);
  context.subscriptions.push(log, store, keys, connection, tree, treeView, panels, panels.registerSerializer(), jsonDocuments.register(), autoRefresher, registerIdProviders(store));

  registerCommands({ context, store, keys, connection, tree, treeView, panels, jsonDocuments, log });
  await connection.reconnect();
}

export function deactivate(): void {}
