import * as vscode from 'vscode';
import { plainText } from './core/util/text';
import { Redactor } from './core/util/redact';

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

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
