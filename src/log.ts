import * as vscode from 'vscode';
import { CommandId } from './commands/commandIds';
import { ApiError, errorMessage, isCancellation } from './core/errors';
import { plainText } from './core/format';
import { Redactor } from './core/redact';

/**
 * The extension's one output channel. Every line goes through the redactor, so even an
 * error that quotes a request cannot put the key in the log.
 */
export class Logger implements vscode.Disposable {
  readonly redactor = new Redactor();
  private readonly channel = vscode.window.createOutputChannel('OpenAI Batch Explorer', { log: true });

  info(message: string): void {
    this.channel.info(this.redactor.redact(message));
  }

  warn(message: string): void {
    this.channel.warn(this.redactor.redact(message));
  }

  error(message: string): void {
    this.channel.error(this.redactor.redact(message));
  }

  debug(message: string): void {
    this.channel.debug(this.redactor.redact(message));
  }

  /**
   * Text that may carry what a server said (error messages echo requests, headers, ids), as it
   * may be shown in the UI: redacted, then {@link plainText} so it cannot become a link or icon.
   */
  shown(text: string, max = 500): string {
    return plainText(this.redactor.redact(text), max);
  }

  /**
   * How every user action reports a failure: cancellations stay silent; anything else is logged
   * and shown (redacted, as plain text) with "Show Log", plus "Set API Key" when the key was refused.
   */
  reportFailure(action: string, error: unknown): void {
    if (isCancellation(error)) return;
    const message = errorMessage(error);
    this.error(`${action} failed: ${message}${error instanceof ApiError ? ` [${error.kind}]` : ''}`);
    const actions = error instanceof ApiError && error.kind === 'auth' ? ['Set API Key', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(this.shown(message), ...actions).then((choice) => {
      if (choice === 'Show Log') this.show();
      if (choice === 'Set API Key') void vscode.commands.executeCommand(CommandId.setApiKey);
    });
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
