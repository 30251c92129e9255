import * as vscode from 'vscode';
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

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
