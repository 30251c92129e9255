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
import { openResults } from './resultsCommands';
import type { Services } from './services';
import { reportFailure } from '../failures';

type Handler = (services: Services, ...args: unknown[]) => unknown;

const arg = (args: unknown[]): BatchArgument => args[0];

/** Every command and its handler: the one place commands are registered. */
const HANDLERS: Record<CommandId, Handler> = {
  [CommandId.setApiKey]: (s) => setApiKey(s),
  [CommandId.clearApiKey]: (s) => clearApiKey(s),
  [CommandId.refresh]: (s) => refresh(s),
  [CommandId.reloadAll]: (s) => reloadAll(s),
  [CommandId.loadMore]: (s) => loadMore(s),
  [CommandId.openBatch]: (s, ...a) => openBatch(s, arg(a)),
  [CommandId.copyBatchId]: (s, ...a) => copyId(s, 'batchId', arg(a)),
  [CommandId.copyOutputFileId]: (s, ...a) => copyId(s, 'outputFileId', arg(a)),
  [CommandId.copyInputFileId]: (s, ...a) => copyId(s, 'inputFileId', arg(a)),
  [CommandId.copyErrorFileId]: (s, ...a) => copyId(s, 'errorFileId', arg(a)),
  [CommandId.cancelBatch]: (s, ...a) => cancelBatch(s, arg(a)),
  [CommandId.openOutputFile]: (s, ...a) => openResultFile(s, 'output', arg(a)),
  [CommandId.openErrorFile]: (s, ...a) => openResultFile(s, 'error', arg(a)),
  [CommandId.downloadOutputFile]: (s, ...a) => downloadOutputFile(s, arg(a)),
  [CommandId.createBatch]: (s, ...a) => createBatch(s, a[0]),
  [CommandId.openResults]: (s, ...a) => openResults(s.store, s.results, arg(a)),
  [CommandId.insertOutputFileId]: (s, ...a) => insertOutputFileId(s, arg(a)),
  [CommandId.filter]: (s) => filterBatches(s),
  [CommandId.clearFilter]: (s) => clearFilter(s),
};

/**
 * Registers all commands. Each handler is wrapped once: a failure is logged and shown with a
 * "Show Log" action, and cancellations stay silent.
 */
export function registerCommands(services: Services): void {
  for (const [id, handler] of Object.entries(HANDLERS)) {
    services.context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(services, ...args);
        } catch (error) {
          reportFailure(services.log, id, error);
          return undefined;
        }
      }),
    );
  }
}
