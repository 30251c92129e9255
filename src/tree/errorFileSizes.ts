import * as vscode from 'vscode';
import type { BatchStore } from '../core/batches/batchStore';
import { errorMessage, isCancellation } from '../core/api/errors';
import type { Logger } from '../log';

/** At most this many `GET /files/{id}` at once, however many batches need one. */
const CONCURRENCY = 4;

/**
 * Sizes of error files, looked up lazily and once each: a completed batch whose provider sent no
 * request counts is called partly failed only when its error file is not empty (Azure attaches an
 * empty one to batches where nothing failed). The sizes belong to the store's account and are
 * forgotten when it changes.
 */
export class ErrorFileSizes implements vscode.Disposable {
  private readonly sizes = new Map<string, number>();
  private readonly requested = new Set<string>();
  private readonly queue: string[] = [];
  private running = 0;
  private controller = new AbortController();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;

  /** Fires when a size arrives. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: BatchStore,
    private readonly log: Pick<Logger, 'info'>,
  ) {
    this.subscription = store.onDidChangeAccount(() => this.reset());
  }

  /** The size in bytes if known; otherwise undefined, and a lookup is queued (once per file). */
  bytesOf(fileId: string): number | undefined {
    const known = this.sizes.get(fileId);
    if (known !== undefined || this.requested.has(fileId)) return known;
    this.requested.add(fileId);
    this.queue.push(fileId);
    this.pump();
    return undefined;
  }

  private pump(): void {
    while (this.running < CONCURRENCY && this.queue.length > 0) {
      const fileId = this.queue.shift()!;
      const state = this.store.state;
      if (state.kind !== 'ready') {
        // Asked again once connected.
        this.requested.delete(fileId);
        continue;
      }
      const signal = this.controller.signal;
      this.running++;
      state.client
        .getFile(fileId, { signal })
        .then(
          (file) => {
            if (signal.aborted || typeof file.bytes !== 'number' || !Number.isFinite(file.bytes)) return;
            this.sizes.set(fileId, file.bytes);
            this.changed.fire();
          },
          (error: unknown) => {
            if (!isCancellation(error)) this.log.info(`No size for error file ${fileId}: ${errorMessage(error)}`);
          },
        )
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private reset(): void {
    this.controller.abort();
    this.controller = new AbortController();
    this.sizes.clear();
    this.requested.clear();
    this.queue.length = 0;
  }

  dispose(): void {
    this.controller.abort();
    this.subscription.dispose();
    this.changed.dispose();
  }
}
