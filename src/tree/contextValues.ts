import type { FileRole } from '../core/batches/batchFacts';

/** `contextValue`s of tree nodes, matched by `viewItem` in package.json menus. */
export const NodeContext = {
  group: 'statusGroup',
  batch: 'batch',
  loadMore: 'loadMore',
  error: 'error',
  message: 'message',
  account: 'account',
  /** The note that the key comes from the environment (`OPENAI_API_KEY`): Store It applies. */
  environmentKey: 'environmentKey',
} as const;

/** Flags appended to a batch node's contextValue (space separated) to say which actions apply. */
export const BatchFlag = {
  input: 'input',
  output: 'output',
  errorFile: 'errorFile',
  cancellable: 'cancellable',
  /** Stopped with failed, missing or expired requests: Resubmit Failed Requests… applies. */
  resubmittable: 'resubmittable',
} as const;

/** The flag a batch node carries for each file it has; `errorFile`, since `error` is {@link NodeContext.error}. */
export const FILE_FLAG: Readonly<Record<FileRole, string>> = {
  input: BatchFlag.input,
  output: BatchFlag.output,
  error: BatchFlag.errorFile,
};

/** `contextValue`s of the Files view's nodes. */
export const FileNodeContext = {
  file: 'file',
  use: 'fileUse',
  account: 'filesAccount',
  loadMore: 'loadMoreFiles',
} as const;

/** Flags appended to a file node's contextValue (space separated), matched with `viewItem =~`. */
export const FileFlag = {
  /** A batch input file (`purpose: batch`): a batch can be created from it. */
  batchInput: 'batchInput',
  /** Used by a validating, in-progress, finalizing or cancelling batch: delete is refused. */
  inUse: 'inUse',
  /** No loaded batch uses it. */
  unused: 'unused',
  expired: 'expired',
} as const;
