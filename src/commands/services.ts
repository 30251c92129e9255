import type * as vscode from 'vscode';
import type { ApiKeyStore } from '../auth/apiKeyStore';
import type { ConnectionManager } from '../connection';
import type { BatchStore } from '../core/batchStore';
import type { Logger } from '../log';
import type { BatchTreeProvider } from '../tree/batchTreeProvider';
import type { TreeNode } from '../tree/nodes';
import type { BatchDetailPanels } from '../webview/detail/detailPanel';
import type { ResultsPanels } from '../webview/results/resultsPanel';
import type { BatchJsonDocuments } from '../webview/batchJsonDocument';

/** What command handlers work with; built once in `extension.ts`. */
export interface Services {
  context: vscode.ExtensionContext;
  store: BatchStore;
  keys: ApiKeyStore;
  connection: ConnectionManager;
  tree: BatchTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  panels: BatchDetailPanels;
  results: ResultsPanels;
  jsonDocuments: BatchJsonDocuments;
  log: Logger;
}
