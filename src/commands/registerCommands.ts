import * as vscode from 'vscode';
import { clearApiKey, setApiKey } from './apiKeyCommands';
import type { BatchArgument } from './batchPicker';
import { cancelBatch, openBatch } from './batchCommands';
import { CommandId } from '../ids';
import { copyId, insertOutputFileId } from './copyCommands';
import { createBatch } from './createBatchCommand';
import { clearFilter, filterBatches } from './filterCommands';
import { downloadOutputFile, openResultFile } from './fileCommands';
import { loadMore, refresh, reloadAll } from './listCommands';
import { chooseProvider } from './providerCommands';
import { openResults } from './resultsCommands';
import { createSampleInput, openWalkthrough } from './walkthroughCommands';
import type { Services } from './services';
import { reportFailure } from '../failures';

/** A command's handler: `args` are what VS Code passed (a tree node, an id, a URI…), untrusted. */
type Handler = (services: Services, args: unknown[]) => unknown;

/** The batch a command was invoked on: a tree node or an id, resolved (never trusted) by resolveBatch. */
const batchOf = (args: unknown[]): BatchArgument => args[0];

/** Every command and its handler: the one place commands are registered. */
const HANDLERS: Record<CommandId, Handler> = {
  [CommandId.setApiKey]: (services) => setApiKey(services),
  [CommandId.clearApiKey]: (services) => clearApiKey(services),
  [CommandId.chooseProvider]: (services) => chooseProvider(services),
  [CommandId.refresh]: (services) => refresh(services),
  [CommandId.reloadAll]: (services) => reloadAll(services),
  [CommandId.loadMore]: (services) => loadMore(services),
  [CommandId.openBatch]: (services, args) => openBatch(services, batchOf(args)),
  [CommandId.copyBatchId]: (services, args) => copyId(services, 'batchId', batchOf(args)),
  [CommandId.copyOutputFileId]: (services, args) => copyId(services, 'outputFileId', batchOf(args)),
  [CommandId.copyInputFileId]: (services, args) => copyId(services, 'inputFileId', batchOf(args)),
  [CommandId.copyErrorFileId]: (services, args) => copyId(services, 'errorFileId', batchOf(args)),
  [CommandId.cancelBatch]: (services, args) => cancelBatch(services, batchOf(args)),
  [CommandId.openOutputFile]: (services, args) => openResultFile(services, 'output', batchOf(args)),
  [CommandId.openErrorFile]: (services, args) => openResultFile(services, 'error', batchOf(args)),
  [CommandId.downloadOutputFile]: (services, args) => downloadOutputFile(services, batchOf(args)),
  [CommandId.createBatch]: (services, args) => createBatch(services, args[0]),
  [CommandId.openResults]: ({ store, results }, args) => openResults(store, results, batchOf(args)),
  [CommandId.insertOutputFileId]: (services, args) => insertOutputFileId(services, batchOf(args)),
  [CommandId.filter]: (services) => filterBatches(services),
  [CommandId.clearFilter]: (services) => clearFilter(services),
  [CommandId.getStarted]: () => openWalkthrough(),
  [CommandId.createSampleInput]: () => createSampleInput(),
};

/**
 * Registers all commands. Each handler is wrapped once: a failure is logged and shown with a
 * "Show Log" action, and cancellations stay silent.
 */
export function registerCommands(services: Services): vscode.Disposable {
  return vscode.Disposable.from(
    ...Object.entries(HANDLERS).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(services, args);
        } catch (error) {
          reportFailure(services.log, id, error);
          return undefined;
        }
      }),
    ),
  );
}
