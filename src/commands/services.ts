import type * as vscode from 'vscode';
import type { ApiKeyStore } from '../auth/apiKeyStore';
import type { AccountFiles } from '../core/accountFiles';
import type { ConnectionManager } from '../connection';
import type { BatchStore } from '../core/batchStore';
import type { FileStores } from '../core/fileStore';
import type { Logger } from '../log';
import type { BatchTreeProvider } from '../tree/batchTreeProvider';
import type { FilesTreeProvider } from '../tree/files/filesTreeProvider';
import type { TreeNode } from '../tree/nodes';
import type { BatchDetailPanels } from '../webview/detail/detailPanel';
import type { ResultsPanels } from '../webview/results/resultsPanel';
import type { BatchJsonDocuments } from '../webview/batchJsonDocument';

/**
 * The objects command handlers are built from, once, in `extension.ts`. Each handler declares the
 * few it uses (`Pick<Services, …>`), so none reaches the key store or the files it has no business with.
 */
export interface Services {
  files: AccountFiles;
  store: BatchStore;
  keys: ApiKeyStore;
  connection: ConnectionManager;
  tree: BatchTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  panels: BatchDetailPanels;
  results: ResultsPanels;
  jsonDocuments: BatchJsonDocuments;
  log: Logger;
  /** Each account's file list (the Files view's), reached through its BatchStore. */
  fileStores: FileStores;
  filesTree: FilesTreeProvider;
  filesView: vscode.TreeView<TreeNode>;
}
