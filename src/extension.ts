import * as vscode from 'vscode';
import { ApiKeyStore } from './auth/apiKeyStore';
import { AutoRefresher } from './autoRefresh';
import { registerCommands } from './commands/registerCommands';
import type { Services } from './commands/services';
import { readSettings } from './config';
import { ConnectionManager } from './connection';
import { StoreContextKeys } from './contextKeys';
import { registerIdProviders } from './editor/idProviders';
import { BatchInputDiagnostics } from './jsonl/batchInputDiagnostics';
import { AccountFiles } from './core/accountFiles';
import { BatchCache } from './core/batchCache';
import { BatchCacheSaver } from './core/batchCacheSaver';
import { BatchStore } from './core/batchStore';
import { ProgressTracker } from './core/progressTracker';
import { registerBatchTools } from './lm/batchTools';
import { lmToolsApi } from './lm/lmApi';
import { Logger } from './log';
import { BatchTreeProvider } from './tree/batchTreeProvider';
import { bindViewDescription } from './tree/viewDescription';
import { BatchJsonDocuments } from './webview/batchJsonDocument';
import { BatchDetailPanels } from './webview/detail/detailPanel';
import { ResultsPanels } from './webview/results/resultsPanel';
import { ViewId } from './ids';

/**
 * What `activate` returns in the test host only: the wired services, which the integration
 * tests use to observe state. Any other extension can call `activate()` on ours, so outside
 * `ExtensionMode.Test` it returns nothing: the services hold the key store and a keyed client.
 */
export interface TestApi {
  services: Services;
  context: vscode.ExtensionContext;
  /** Milliseconds from `activate()` entry to the tree view registered (reported by the benchmark). */
  activationMs: number;
}

/** Builds the objects, wires them together and registers the commands; nothing else. */
export async function activate(context: vscode.ExtensionContext): Promise<TestApi | undefined> {
  const started = performance.now();
  const log = new Logger();
  const store = new BatchStore(
    () => readSettings().pageSize,
    (line) => log.warn(line),
  );
  // Before the tree and the panels: its listeners must record a poll's counts before they render it.
  const progress = new ProgressTracker(store);
  const keys = new ApiKeyStore(context.secrets);
  const files = new AccountFiles(vscode.Uri.joinPath(context.globalStorageUri, 'files').fsPath);
  const cache = new BatchCache(vscode.Uri.joinPath(context.globalStorageUri, 'cache').fsPath, (line) => log.warn(line));
  const cacheSaver = new BatchCacheSaver(
    store,
    cache,
    () => readSettings().cacheSize,
    (line) => log.warn(line),
  );
  const connection = new ConnectionManager(store, keys, log, cache, cacheSaver);
  const contextKeys = new StoreContextKeys(store);
  const tree = new BatchTreeProvider(store, log, progress);
  const treeView = vscode.window.createTreeView(ViewId.batches, { treeDataProvider: tree, showCollapseAll: true });
  const activationMs = performance.now() - started;
  const jsonDocuments = new BatchJsonDocuments(store);
  const panels = new BatchDetailPanels({ extensionUri: context.extensionUri, store, log, jsonDocuments, progress });
  const results = new ResultsPanels({
    extensionUri: context.extensionUri,
    store,
    log,
    cachedFile: (account, fileId) => files.pathFor(account, fileId),
  });
  const autoRefresher = new AutoRefresher(store, treeView, log, progress);
  context.subscriptions.push(
    log,
    store,
    progress,
    keys,
    cacheSaver,
    connection,
    contextKeys,
    tree,
    treeView,
    panels,
    panels.registerSerializer(),
    jsonDocuments,
    jsonDocuments.register(),
    autoRefresher,
    registerIdProviders(store),
    bindViewDescription(treeView, store, tree),
  );
  context.subscriptions.push(BatchInputDiagnostics.register());
  context.subscriptions.push(results, results.registerSerializer());

  const services: Services = { files, store, keys, connection, tree, treeView, panels, results, jsonDocuments, log };
  context.subscriptions.push(registerCommands(services));
  context.subscriptions.push(registerBatchTools({ store, files, log, progress }, lmToolsApi()));
  await connection.reconnect();
  log.info(`Activated in ${activationMs.toFixed(1)} ms (tree view registered).`);
  return context.extensionMode === vscode.ExtensionMode.Test ? { services, context, activationMs } : undefined;
}

export function deactivate(): void {}
