import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { BatchStore } from '../core/batches/batchStore';
import type { Logger } from '../log';
import { CONFIG_SECTION } from '../ids';
import { QueueController } from './queueController';

/** Each account's {@link QueueController}, made on first use and kept as long as its store. */
export class Queues implements vscode.Disposable {
  private readonly controllers = new Map<BatchStore, QueueController>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when any account's queue changes. */
  readonly onDidChange = this.changed.event;
  private readonly configuration: vscode.Disposable;

  constructor(
    private readonly storage: string,
    /** Kept across reloads of this window (workspace state), so a reloaded window takes its own lock back at once. */
    private readonly windowId: string,
    private readonly log: Logger,
  ) {
    // A new limit may leave room (or take it away): look again, and redraw the reasons.
    this.configuration = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(`${CONFIG_SECTION}.enqueuedTokenLimits`)) return;
      for (const controller of this.controllers.values()) controller.kick();
      this.changed.fire();
    });
  }

  /** A window id for {@link Queues}: the one this workspace's window used before, or a new one. */
  static windowId(state: vscode.Memento): string {
    const known = state.get<string>('queueWindowId');
    if (typeof known === 'string' && /^[0-9a-f]{16}$/.test(known)) return known;
    const id = randomBytes(8).toString('hex');
    void state.update('queueWindowId', id);
    return id;
  }

  of(store: BatchStore): QueueController {
    let controller = this.controllers.get(store);
    if (!controller) {
      controller = new QueueController(store, this.storage, this.windowId, this.log);
      controller.onDidChange(() => this.changed.fire());
      this.controllers.set(store, controller);
    }
    return controller;
  }

  /** Starts the queues of these stores (their saved queues resume after a restart). */
  start(stores: Iterable<BatchStore>): void {
    for (const store of stores) this.of(store);
  }

  dispose(): void {
    this.configuration.dispose();
    for (const controller of this.controllers.values()) controller.dispose();
    this.controllers.clear();
    this.changed.dispose();
  }
}
