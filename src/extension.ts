import * as vscode from 'vscode';
import { ApiKeyStore } from './auth/apiKeyStore';
import { AccountRegistry } from './accounts/accountRegistry';
import { ActiveBatchesStatus } from './accounts/activeBatchesStatus';
import { EnvironmentKeyStatus } from './accounts/environmentKeyStatus';
import { registerCommands } from './commands/registerCommands';
import type { Services } from './commands/services';
import { StoreContextKeys } from './contextKeys';
import { registerIdProviders } from './editor/idProviders';
import { BatchInputDiagnostics } from './jsonl/batchInputDiagnostics';
import { AccountFiles } from './core/files/accountFiles';
import { BatchCache } from './core/batches/batchCache';
import { registerBatchTools } from './lm/batchTools';
import { FileStore, FileStores } from './core/files/fileStore';
import { lmToolsApi } from './lm/lmApi';
import { mcpApi, type McpServerProvider, registerMcpServers } from './lm/mcpServerProvider';
import { registerWriteTools } from './lm/batchWriteTools';
import { environmentKeyFor, readSettings } from './config';
import { readPriceOverrides } from './priceSettings';
import { loadTokenCounters } from './tokenizer/loadTokenizer';
import { Logger } from './log';
import { BatchTreeProvider } from './tree/batchTreeProvider';
import { FilesTreeProvider } from './tree/files/filesTreeProvider';
import { bindViewDescription } from './tree/viewDescription';
import { ViewId } from './ids';
import { openDemoWalkthrough } from './commands/walkthroughCommands';
import { Queues } from './queue/queues';
import { ArchiveGuardians } from './queue/archiveGuardian';

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
  /** The MCP server definition provider, when this VS Code has the API (1.101+). */
  mcp?: McpServerProvider;
}

/** Builds the objects, wires them together and registers the commands; nothing else. */
export async function activate(context: vscode.ExtensionContext): Promise<TestApi | undefined> {
  const started = performance.now();
  const log = new Logger();
  const keys = new ApiKeyStore(context.secrets);
  const files = new AccountFiles(vscode.Uri.joinPath(context.globalStorageUri, 'files').fsPath);
  const cache = new BatchCache(vscode.Uri.joinPath(context.globalStorageUri, 'cache').fsPath, (line) => log.warn(line));
  // One store, connection, cache saver, auto-refresh and set of panels per account.
  const accounts = new AccountRegistry({ extensionUri: context.extensionUri, log, keys, files, cache });
  const { store, connection, panels, results, compare, jsonDocuments } = accounts.primary;
  const contextKeys = new StoreContextKeys(accounts);
  const queues = new Queues(context.globalStorageUri.fsPath, Queues.windowId(context.workspaceState), log);
  // Reads the Files view's file lists, made below (the tree asks only once it renders).
  const archive = new ArchiveGuardians(context.globalStorageUri.fsPath, log, (batches) => {
    const files = fileStores.for(batches);
    return files.hasLoaded ? files.files : [];
  });
  const tree = new BatchTreeProvider(accounts, log, queues, archive);
  const treeView = vscode.window.createTreeView(ViewId.batches, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const activationMs = performance.now() - started;
  accounts.startAutoRefresh(treeView);
  const activeStatus = new ActiveBatchesStatus(accounts);
  const fileStores = new FileStores((batches) => new FileStore(batches, undefined, (line) => log.warn(line)));
  const filesTree = new FilesTreeProvider(
    () => accounts.accounts.map((account) => ({ accountId: account.id, name: account.settings.name, store: account.store })),
    fileStores,
    log,
    accounts.onDidChangeAccounts,
  );
  const filesView = vscode.window.createTreeView(ViewId.files, { treeDataProvider: filesTree, canSelectMany: true });
  context.subscriptions.push(fileStores, filesTree, filesView);
  context.subscriptions.push(
    log,
    keys,
    accounts,
    contextKeys,
    tree,
    treeView,
    activeStatus,
    new EnvironmentKeyStatus(accounts),
    registerIdProviders(accounts),
    bindViewDescription(treeView, accounts, tree),
  );
  context.subscriptions.push(BatchInputDiagnostics.register());
  context.subscriptions.push(queues, archive);

  const storage = context.globalStorageUri.fsPath;
  const services: Services = {
    accounts,
    files,
    store,
    keys,
    connection,
    tree,
    treeView,
    panels,
    results,
    compare,
    jsonDocuments,
    log,
    storage,
    fileStores,
    filesTree,
    filesView,
    queues,
    archive,
    mcpScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'mcp.js').fsPath,
  };
  context.subscriptions.push(registerCommands(services));
  // The agent tools read every account (the first one first); the write tools ask before they act.
  const toolAccounts = () => accounts.accounts.map(({ settings, store, progress }) => ({ settings, store, progress }));
  const lm = lmToolsApi();
  context.subscriptions.push(registerBatchTools({ store, files, log, progress: accounts.primary.progress, accounts: toolAccounts }, lm));
  context.subscriptions.push(
    registerWriteTools(
      {
        accounts: toolAccounts,
        files,
        log,
        storage,
        workspaceFolder: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
        counters: loadTokenCounters,
        overrides: readPriceOverrides,
        maxRequests: () => readSettings().maxRequestsPerBatch,
      },
      lm,
    ),
  );
  // One MCP server per account for VS Code's own chat (1.101+); the key is read from SecretStorage when one starts.
  const mcp = registerMcpServers(
    {
      accounts: () => accounts.accounts,
      onDidChangeAccounts: accounts.onDidChangeAccounts,
      // The key the account's connection uses: the stored one, else OPENAI_API_KEY under the same rule (default account, a host the user chose).
      keyFor: async (settings) => (await keys.getFor(settings)) ?? environmentKeyFor(settings),
      script: services.mcpScript,
      log,
    },
    mcpApi(),
  );
  context.subscriptions.push(mcp.disposable);
  await accounts.connectAll();
  // `npm run demo` (OPENAI_BATCHES_DEMO=1, a loopback API): the walkthrough opens beside the view.
  void openDemoWalkthrough(accounts.primary.settings.baseUrl);
  // Saved queues resume, and finished outputs are archived, whether or not the view is open.
  const startAll = (): void => {
    queues.start(accounts.accounts.map((account) => account.store));
    archive.start(accounts.accounts.map((account) => account.store));
  };
  startAll();
  context.subscriptions.push(accounts.onDidChangeAccounts(startAll));
  log.info(`Activated in ${activationMs.toFixed(1)} ms (tree view registered).`);
  return context.extensionMode === vscode.ExtensionMode.Test ? { services, context, activationMs, mcp: mcp.provider } : undefined;
}

export function deactivate(): void {}
