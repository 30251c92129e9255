import type * as vscode from 'vscode';
import type { AccountRegistry } from '../accounts/accountRegistry';
import type { ApiKeyStore } from '../auth/apiKeyStore';
import type { AccountFiles } from '../core/files/accountFiles';
import type { ConnectionManager } from '../connection';
import type { BatchStore } from '../core/batches/batchStore';
import type { FileStores } from '../core/files/fileStore';
import type { Logger } from '../log';
import type { BatchTreeProvider } from '../tree/batchTreeProvider';
import type { FilesTreeProvider } from '../tree/files/filesTreeProvider';
import type { TreeNode } from '../tree/nodes';
import type { BatchDetailPanels } from '../webview/detail/detailPanel';
import type { ResultsPanels } from '../webview/results/resultsPanel';
import type { ComparePanels } from '../webview/compare/comparePanel';
import type { BatchJsonDocuments } from '../webview/batchJsonDocument';
import type { Queues } from '../queue/queues';
import type { ArchiveGuardians } from '../queue/archiveGuardian';

/**
 * The objects command handlers are built from, once, in `extension.ts`. Each handler declares the
 * few it uses (`Pick<Services, …>`), so none reaches the key store or the files it has no business with.
 * `store`, `connection`, `panels`, `results`, `compare` and `jsonDocuments` are one account's: registerCommands
 * hands each handler those of the account its tree node belongs to (or the one picked first).
 */
export interface Services {
  /** Every account; for the few commands that are about accounts themselves (add, remove). */
  accounts: AccountRegistry;
  files: AccountFiles;
  store: BatchStore;
  keys: ApiKeyStore;
  connection: ConnectionManager;
  tree: BatchTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  panels: BatchDetailPanels;
  results: ResultsPanels;
  compare: ComparePanels;
  jsonDocuments: BatchJsonDocuments;
  log: Logger;
  /** The extension's global storage folder (a path): resubmission inputs and split plans live under it. */
  storage: string;
  /** Each account's file list (the Files view's), reached through its BatchStore. */
  fileStores: FileStores;
  filesTree: FilesTreeProvider;
  filesView: vscode.TreeView<TreeNode>;
  /** Each account's submission queue. */
  queues: Queues;
  /** Each account's expiry guardian (archive of outputs before they expire). */
  archive: ArchiveGuardians;
  /** Absolute path of dist/mcp.js, the MCP server other editors run. */
  mcpScript: string;
}
