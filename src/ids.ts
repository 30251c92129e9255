// Every id the extension shares with package.json and the workbench, in one leaf module that
// every other module may import and that imports nothing.

/** Every command the extension contributes; package.json's `contributes.commands` must match. */
export const CommandId = {
  setApiKey: 'openaiBatches.setApiKey',
  clearApiKey: 'openaiBatches.clearApiKey',
  chooseProvider: 'openaiBatches.chooseProvider',
  refresh: 'openaiBatches.refresh',
  reloadAll: 'openaiBatches.reloadAll',
  loadMore: 'openaiBatches.loadMore',
  openBatch: 'openaiBatches.openBatch',
  copyBatchId: 'openaiBatches.copyBatchId',
  copyOutputFileId: 'openaiBatches.copyOutputFileId',
  copyInputFileId: 'openaiBatches.copyInputFileId',
  copyErrorFileId: 'openaiBatches.copyErrorFileId',
  cancelBatch: 'openaiBatches.cancelBatch',
  openOutputFile: 'openaiBatches.openOutputFile',
  openErrorFile: 'openaiBatches.openErrorFile',
  downloadOutputFile: 'openaiBatches.downloadOutputFile',
  createBatch: 'openaiBatches.createBatch',
  openResults: 'openaiBatches.openResults',
  compareResults: 'openaiBatches.compareResults',
  insertOutputFileId: 'openaiBatches.insertOutputFileId',
  filter: 'openaiBatches.filter',
  clearFilter: 'openaiBatches.clearFilter',
  addAccount: 'openaiBatches.addAccount',
  removeAccount: 'openaiBatches.removeAccount',
  resubmitFailed: 'openaiBatches.resubmitFailed',
  showCost: 'openaiBatches.showCost',
  refreshFiles: 'openaiBatches.refreshFiles',
  loadMoreFiles: 'openaiBatches.loadMoreFiles',
  openFile: 'openaiBatches.openFile',
  downloadFile: 'openaiBatches.downloadFile',
  deleteFile: 'openaiBatches.deleteFile',
  deleteOldFiles: 'openaiBatches.deleteOldFiles',
  createBatchFromFile: 'openaiBatches.createBatchFromFile',
  copyFileId: 'openaiBatches.copyFileId',
  revealFile: 'openaiBatches.revealFile',
  getStarted: 'openaiBatches.getStarted',
  createSampleInput: 'openaiBatches.createSampleInput',
  storeEnvironmentKey: 'openaiBatches.storeEnvironmentKey',
  pauseQueue: 'openaiBatches.pauseQueue',
  resumeQueue: 'openaiBatches.resumeQueue',
  removeFromQueue: 'openaiBatches.removeFromQueue',
  archiveNow: 'openaiBatches.archiveNow',
  copyMcpConfig: 'openaiBatches.copyMcpConfig',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/** Context keys set with `setContext`, used in package.json `when` clauses. */
export const ContextKey = {
  hasApiKey: 'openaiBatches.hasApiKey',
  hasMore: 'openaiBatches.hasMore',
  filterActive: 'openaiBatches.filterActive',
  /** Several accounts are shown (`openaiBatches.accounts`): the tree's roots are accounts. */
  multipleAccounts: 'openaiBatches.multipleAccounts',
  /** A batch was created in this window: the walkthrough's create step completes on it. */
  batchCreated: 'openaiBatches.batchCreated',
  /** The default account uses the key from the environment (`OPENAI_API_KEY`): Store It applies. */
  environmentKey: 'openaiBatches.environmentKey',
  /** The only account's host was chosen by a workspace's settings: the tree, not the welcome view, says so. */
  workspaceHost: 'openaiBatches.workspaceHost',
} as const;

/** Views contributed in package.json (`contributes.views`). */
export const ViewId = {
  batches: 'openaiBatches.batches',
  files: 'openaiBatches.files',
} as const;

/** Webview panel types, also used by `onWebviewPanel:` activation events. */
export const PanelType = {
  batchDetail: 'openaiBatches.batchDetail',
  results: 'openaiBatches.results',
  compare: 'openaiBatches.compare',
} as const;

/** Language model tools (package.json's `contributes.languageModelTools`), registered with `vscode.lm.registerTool`. */
export const ToolName = {
  listBatches: 'openaiBatches_listBatches',
  getBatch: 'openaiBatches_getBatch',
  batchResults: 'openaiBatches_batchResults',
  createBatch: 'openaiBatches_createBatch',
  cancelBatch: 'openaiBatches_cancelBatch',
  resubmitFailed: 'openaiBatches_resubmitFailed',
} as const;

/** The MCP server definition provider (package.json's `contributes.mcpServerDefinitionProviders`). */
export const MCP_PROVIDER_ID = 'openaiBatches.mcp';

/** The settings section: `openaiBatches.*`. */
export const CONFIG_SECTION = 'openaiBatches';

/** The "Get started" walkthrough: `<publisher>.<name>#<id>` of package.json's `contributes.walkthroughs`. */
export const WALKTHROUGH_ID = 'openai-batch-explorer.openai-batch-explorer#getStarted';
