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
  insertOutputFileId: 'openaiBatches.insertOutputFileId',
  filter: 'openaiBatches.filter',
  clearFilter: 'openaiBatches.clearFilter',
  getStarted: 'openaiBatches.getStarted',
  createSampleInput: 'openaiBatches.createSampleInput',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/** Context keys set with `setContext`, used in package.json `when` clauses. */
export const ContextKey = {
  hasApiKey: 'openaiBatches.hasApiKey',
  hasMore: 'openaiBatches.hasMore',
  filterActive: 'openaiBatches.filterActive',
} as const;

/** Views contributed in package.json (`contributes.views`). */
export const ViewId = {
  batches: 'openaiBatches.batches',
} as const;

/** Webview panel types, also used by `onWebviewPanel:` activation events. */
export const PanelType = {
  batchDetail: 'openaiBatches.batchDetail',
  results: 'openaiBatches.results',
} as const;

/** The settings section: `openaiBatches.*`. */
export const CONFIG_SECTION = 'openaiBatches';

/** The "Get started" walkthrough: `<publisher>.<name>#<id>` of package.json's `contributes.walkthroughs`. */
export const WALKTHROUGH_ID = 'openai-batch-explorer.openai-batch-explorer#getStarted';
