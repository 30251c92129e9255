import * as vscode from 'vscode';
import { errorMessage } from '../core/api/errors';
import { reportFailure } from '../failures';
import type { Logger } from '../log';

export interface WebviewHostOptions<ToHost> {
  /** What log lines and failure messages call the panel: `results panel`. */
  name: string;
  /** The protocol's check of what the page sends; anything else is logged and dropped. */
  isMessage: (value: unknown) => value is ToHost;
  log: Logger;
}

/**
 * The extension-host side of one webview panel, in the shape both panels share: the page says
 * `ready` before the host posts (earlier posts wait in a queue), every message from the page is
 * validated before a handler sees it, a failing handler is reported as a failed user action, and
 * disposing the panel disposes everything the host registered.
 */
export abstract class WebviewHost<ToPage, ToHost extends { type: string }> implements vscode.Disposable {
  /** Everything disposed with the panel; subclasses add their listeners here. */
  protected readonly disposables: vscode.Disposable[] = [];
  /** Aborted on dispose: requests made for the panel stop with it. */
  protected readonly abort = new AbortController();
  private listening = false;
  private queued: ToPage[] = [];
  private isDisposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    protected readonly panel: vscode.WebviewPanel,
    private readonly options: WebviewHostOptions<ToHost>,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => void this.onMessage(message)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        // A hidden panel's page is unloaded unless its context is retained; it says `ready` again when shown.
        if (!panel.visible && !panel.options.retainContextWhenHidden) this.listening = false;
      }),
    );
  }

  /** Answers one valid page message. `ready` comes first, and again after every reload of the page. */
  protected abstract handle(message: ToHost): void | Promise<void>;

  protected get disposed(): boolean {
    return this.isDisposed;
  }

  /** Whether the page has said `ready` (and is still loaded): what is posted now reaches it. */
  protected get pageListening(): boolean {
    return this.listening;
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Posts to the page, or queues the message until the page listens. Never rejects. */
  protected post(message: ToPage): Promise<void> {
    if (this.isDisposed) return Promise.resolve();
    if (!this.listening) {
      this.queued.push(message);
      return Promise.resolve();
    }
    return this.send(message);
  }

  /** Validates a page message and runs its handler; a failure is reported like a failed command. */
  protected async onMessage(message: unknown): Promise<void> {
    if (this.isDisposed) return;
    if (!this.options.isMessage(message)) {
      this.options.log.warn(`Ignored an unexpected message from a ${this.options.name}.`);
      return;
    }
    // A page listens before it sends anything, so any message from it (`ready` first) opens the queue.
    if (!this.listening) {
      this.listening = true;
      for (const queued of this.queued.splice(0)) void this.send(queued);
    }
    try {
      await this.handle(message);
    } catch (error) {
      reportFailure(this.options.log, `${capitalize(this.options.name)} action "${message.type}"`, error);
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.abort.abort();
    this.queued = [];
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }

  private async send(message: ToPage): Promise<void> {
    try {
      await this.panel.webview.postMessage(message);
    } catch (error) {
      this.options.log.debug(`${capitalize(this.options.name)} post failed: ${errorMessage(error)}`);
    }
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
