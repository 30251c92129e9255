/** Every command the extension contributes; package.json's `contributes.commands` must match. */
export const CommandId = {
  setApiKey: 'openaiBatches.setApiKey',
  clearApiKey: 'openaiBatches.clearApiKey',
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
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/** Context keys set with `setContext`, used in package.json `when` clauses. */
export const ContextKey = {
  hasApiKey: 'openaiBatches.hasApiKey',
  hasMore: 'openaiBatches.hasMore',
  filterActive: 'openaiBatches.filterActive',
} as const;
