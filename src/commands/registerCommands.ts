import * as vscode from 'vscode';
import { accountsFor, servicesOf } from './accountRouting';
import { addAccount, removeAccount } from './accounts/accountCommands';
import { clearApiKey, setApiKey, storeEnvironmentKey } from './accounts/apiKeyCommands';
import { copyMcpConfig } from './accounts/mcpConfigCommand';
import type { BatchArgument } from './batchPicker';
import { cancelBatch, openBatch } from './batches/batchCommands';
import { CommandId } from '../ids';
import { copyId, type CopyTarget, insertOutputFileId } from './batches/copyCommands';
import { createBatch } from './create/createBatchCommand';
import { clearFilter, filterBatches } from './batches/filterCommands';
import { downloadOutputFile, openResultFile } from './files/batchFileCommands';
import {
  copyFileId,
  createBatchFromFile,
  downloadFile,
  loadMoreFiles,
  openFile,
  refreshFiles,
  revealFile,
} from './files/filesViewCommands';
import { deleteFile, deleteOldFiles } from './files/fileDeleteCommands';
import { loadMore, refresh, reloadAll } from './batches/listCommands';
import { chooseProvider } from './accounts/providerCommands';
import { openResults } from './results/resultsCommands';
import { compareResults } from './results/compareCommand';
import { resubmitFailed } from './create/resubmitCommand';
import { createSampleInput, openWalkthrough } from './walkthroughCommands';
import type { Services } from './services';
import { reportFailure } from '../failures';
import { showCost } from './batches/costCommands';
import { cancelBatches, copyIds, downloadOutputFiles, selectedBatchIds } from './batches/bulkCommands';
import { removeFromQueue, setQueuePaused } from './queue/queueCommands';
import { archiveNow } from './queue/archiveCommands';

/** A command's handler: `args` are what VS Code passed (a tree node, an id, a URI…), untrusted. */
type Handler = (services: Services, args: unknown[]) => unknown;

/** The batch a command was invoked on: a tree node or an id, resolved (never trusted) by resolveBatch. */
const batchOf = (args: unknown[]): BatchArgument => args[0];

/** A copy command on one batch, or (a multi-selection in the tree) on each selected batch, one id per line. */
const copyOneOrMany = (services: Services, target: CopyTarget, args: unknown[]): Promise<void> => {
  const selected = selectedBatchIds(args);
  return selected ? copyIds(services, target, selected) : copyId(services, target, batchOf(args));
};

/** Every command and its handler: the one place commands are registered. */
const HANDLERS: Record<CommandId, Handler> = {
  [CommandId.setApiKey]: (services) => setApiKey(services),
  [CommandId.clearApiKey]: (services) => clearApiKey(services),
  [CommandId.storeEnvironmentKey]: (services) => storeEnvironmentKey(services),
  [CommandId.chooseProvider]: (services) => chooseProvider(services),
  [CommandId.refresh]: (services) => refresh(services),
  [CommandId.reloadAll]: (services) => reloadAll(services),
  [CommandId.loadMore]: (services) => loadMore(services),
  [CommandId.openBatch]: (services, args) => openBatch(services, batchOf(args)),
  [CommandId.copyBatchId]: (services, args) => copyOneOrMany(services, 'batchId', args),
  [CommandId.copyOutputFileId]: (services, args) => copyOneOrMany(services, 'outputFileId', args),
  [CommandId.copyInputFileId]: (services, args) => copyOneOrMany(services, 'inputFileId', args),
  [CommandId.copyErrorFileId]: (services, args) => copyOneOrMany(services, 'errorFileId', args),
  [CommandId.cancelBatch]: (services, args) => {
    const selected = selectedBatchIds(args);
    return selected ? cancelBatches(services, selected) : cancelBatch(services, batchOf(args));
  },
  [CommandId.openOutputFile]: (services, args) => openResultFile(services, 'output', batchOf(args)),
  [CommandId.openErrorFile]: (services, args) => openResultFile(services, 'error', batchOf(args)),
  [CommandId.downloadOutputFile]: (services, args) => {
    const selected = selectedBatchIds(args);
    return selected ? downloadOutputFiles(services, selected) : downloadOutputFile(services, batchOf(args));
  },
  [CommandId.createBatch]: (services, args) => createBatch(services, args[0]),
  [CommandId.openResults]: ({ store, results }, args) => openResults(store, results, batchOf(args), args[1]),
  [CommandId.compareResults]: (services, args) => compareResults(services, batchOf(args), selectedBatchIds(args)),
  [CommandId.insertOutputFileId]: (services, args) => insertOutputFileId(services, batchOf(args)),
  [CommandId.filter]: (services) => filterBatches(services),
  [CommandId.clearFilter]: (services) => clearFilter(services),
  [CommandId.addAccount]: (services) => addAccount(services),
  [CommandId.removeAccount]: (services, args) => removeAccount(services, args[0]),
  [CommandId.resubmitFailed]: (services, args) => resubmitFailed(services, batchOf(args)),
  [CommandId.showCost]: (services) => showCost(services),
  [CommandId.refreshFiles]: (services) => refreshFiles(services),
  [CommandId.loadMoreFiles]: (services) => loadMoreFiles(services),
  [CommandId.openFile]: (services, args) => openFile(services, args[0]),
  [CommandId.downloadFile]: (services, args) => downloadFile(services, args[0]),
  [CommandId.deleteFile]: (services, args) => deleteFile(services, args),
  [CommandId.deleteOldFiles]: (services, args) => deleteOldFiles(services, typeof args[0] === 'number' ? args[0] : undefined),
  [CommandId.createBatchFromFile]: (services, args) => createBatchFromFile(services, args[0]),
  [CommandId.copyFileId]: (services, args) => copyFileId(services, args[0]),
  [CommandId.revealFile]: (services, args) => revealFile(services, args[0]),
  [CommandId.getStarted]: () => openWalkthrough(),
  [CommandId.createSampleInput]: () => createSampleInput(),
  [CommandId.pauseQueue]: (services, args) => setQueuePaused(services, args[0], true),
  [CommandId.resumeQueue]: (services, args) => setQueuePaused(services, args[0], false),
  [CommandId.removeFromQueue]: (services, args) => removeFromQueue(services, args[0]),
  [CommandId.archiveNow]: (services, args) => archiveNow(services, args[0]),
  [CommandId.copyMcpConfig]: (services) => copyMcpConfig(services),
};

/**
 * Commands about the accounts themselves or the whole view, not one account's batches: they get
 * the services as built (the implicit account's). Every other command runs on one account.
 */
const GLOBAL_COMMANDS: ReadonlySet<string> = new Set<CommandId>([
  CommandId.chooseProvider, // writes the implicit account's settings (openaiBatches.baseUrl, …)
  CommandId.storeEnvironmentKey, // OPENAI_API_KEY is only ever the implicit account's
  CommandId.addAccount,
  CommandId.removeAccount,
  CommandId.filter, // the filter applies to every account's groups
  CommandId.clearFilter,
]);

/** From the view title or the palette (no node) with several accounts, these run for every account instead of asking which. */
const EVERY_ACCOUNT_COMMANDS: ReadonlySet<string> = new Set<CommandId>([CommandId.refresh, CommandId.reloadAll]);

/** The palette's title for the account quick pick: the command's name as package.json has it. */
function commandTitle(id: string): string {
  const name = id.replace(/^openaiBatches\./, '').replace(/([A-Z])/g, ' $1');
  return `OpenAI Batches: ${name.charAt(0).toUpperCase()}${name.slice(1)} — choose an account`;
}

/**
 * Registers all commands. Each handler is wrapped once: it gets the services of the account the
 * command was invoked on (see `accountsFor`: the tree node's, or the one picked first when there
 * are several); a failure is logged and shown with a "Show Log" action, and cancellations stay silent.
 */
export function registerCommands(services: Services): vscode.Disposable {
  return vscode.Disposable.from(
    ...Object.entries(HANDLERS).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          if (GLOBAL_COMMANDS.has(id)) return await handler(services, args);
          const accounts = await accountsFor(services.accounts, args, commandTitle(id), EVERY_ACCOUNT_COMMANDS.has(id));
          if (!accounts) return undefined;
          if (accounts.length === 1) return await handler(servicesOf(services, accounts[0]), args);
          // Each account's failure is its own: one failing does not stop the others.
          const results = await Promise.allSettled(accounts.map((account) => handler(servicesOf(services, account), args)));
          for (const result of results) if (result.status === 'rejected') reportFailure(services.log, id, result.reason);
          return undefined;
        } catch (error) {
          reportFailure(services.log, id, error);
          return undefined;
        }
      }),
    ),
  );
}
