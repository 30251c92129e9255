import * as vscode from 'vscode';
import { ApiError, errorMessage, isCancellation } from './core/errors';
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
  const actions = error instanceof ApiError && error.kind === 'auth' ? ['Set API Key', 'Show Log'] : ['Show Log'];
  void vscode.window.showErrorMessage(log.shown(message), ...actions).then((choice) => {
    if (choice === 'Show Log') log.show();
    if (choice === 'Set API Key') void vscode.commands.executeCommand(CommandId.setApiKey);
  });
}
