import * as vscode from 'vscode';
import { ApiError, errorMessage, isCancellation } from './core/api/errors';
import { CommandId } from './ids';
import type { Logger } from './log';

/**
 * How every user action (a command, a button in a panel) reports a failure: cancellations stay
 * silent; anything else is logged and shown (redacted, as plain text) with "Show Log", plus
 * "Set API Key" when the key was refused. The logger only writes; pop-ups live here.
 */
export function reportFailure(log: Logger, action: string, error: unknown): void {
  if (isCancellation(error)) return;
  const message = errorMessage(error);
  log.error(`${action} failed: ${message}${error instanceof ApiError ? ` [${error.kind}]` : ''}`);
  const showLog = vscode.l10n.t('Show Log');
  const setKey = vscode.l10n.t('Set API Key');
  const actions = error instanceof ApiError && error.kind === 'auth' ? [setKey, showLog] : [showLog];
  void vscode.window.showErrorMessage(log.shown(message), ...actions).then((choice) => {
    if (choice === showLog) log.show();
    if (choice === setKey) void vscode.commands.executeCommand(CommandId.setApiKey);
  });
}
