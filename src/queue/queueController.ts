import * as vscode from 'vscode';
import { readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { readAutopilotSettings } from '../config';
import type { BatchStore } from '../core/batches/batchStore';
import { errorMessage, isCancellation } from '../core/api/errors';
import { isFinishedStatus, pendingParts, type QueuedGroup, type QueueFile } from '../core/queue/queueModel';
import { runQueuePass } from '../core/queue/queueRunner';
import { LOCK_TTL_MS, QueueStore } from '../core/queue/queueStore';
import { plainText } from '../core/util/text';
import { CommandId } from '../ids';
import type { Logger } from '../log';

/** How often the lock is renewed, and a waiting queue looks whether a backoff ended or the driver went away. */
const HEARTBEAT_MS = LOCK_TTL_MS / 3;

/**
 * One account's submission queue in this window: shows the queue file (whichever window drives
 * it), and drives it while this window holds the lock. A pass runs when parts were added, when
 * the store shows one of the queue's batches finished, and when a backoff ends: never on a tight
 * timer, so a waiting queue costs no request.
 */
export class QueueController implements vscode.Disposable {
  private snapshot: QueueFile | undefined;
  private storeOf: QueueStore | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private holdsLock = false;
  private lockedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Statuses of the queue's batches as the store last showed them. */
  private readonly seen = new Map<string, string>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: BatchStore,
    /** The extension's global storage: the queue files live in its `queue` folder. */
    private readonly storage: string,
    private readonly windowId: string,
    private readonly log: Logger,
  ) {
    this.subscriptions.push(
      store.onDidChangeAccount(() => {
        this.releaseNow();
        this.storeOf = undefined;
        this.snapshot = undefined;
        this.seen.clear();
        this.changed.fire();
        void this.reload().then(() => this.kick());
      }),
      store.onDidChange(() => this.onStoreChange()),
    );
    this.timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    void this.reload().then(() => this.kick());
  }

  /** The queue as last read; undefined before the first read or without an account. */
  get queue(): QueueFile | undefined {
    return this.snapshot;
  }

  /** Another window holds the lock: this one only shows the queue. */
  get drivenElsewhere(): boolean {
    return this.lockedOut;
  }

  private queueStore(): QueueStore | undefined {
    const account = this.store.account;
    if (!account) return undefined;
    if (this.storeOf?.account !== account) this.storeOf = new QueueStore(join(this.storage, 'queue'), account);
    return this.storeOf;
  }

  /** Re-reads the queue file (another window may drive it) and redraws. */
  async reload(): Promise<void> {
    const store = this.queueStore();
    const next = store ? await store.load() : undefined;
    if (JSON.stringify(next) !== JSON.stringify(this.snapshot)) {
      this.snapshot = next;
      this.changed.fire();
    }
  }

  /** Adds a group of parts and starts a pass. */
  async enqueue(group: QueuedGroup): Promise<void> {
    await this.edit((queue) => queue.groups.push(group));
    this.kick();
  }

  /** Changes the queue file (read, change, save) and redraws; then a pass picks the change up. */
  async edit(change: (queue: QueueFile) => void): Promise<void> {
    const store = this.queueStore();
    if (!store) throw new Error(vscode.l10n.t('No account is connected: set an API key first.'));
    // One writer at a time in this window: after a pass in flight.
    await this.running;
    const queue = await store.load();
    change(queue);
    await store.save(queue);
    this.snapshot = queue;
    this.changed.fire();
  }

  /** Runs a pass soon (one at a time; a request meanwhile runs one more after it). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async pass(): Promise<void> {
    const store = this.queueStore();
    const connection = this.store.state;
    if (!store || connection.kind !== 'ready') return;
    const account = this.store.account;
    try {
      const queue = await store.load();
      this.snapshot = queue;
      if (queue.groups.length === 0) {
        if (this.holdsLock) await store.release(this.windowId);
        this.holdsLock = false;
        this.changed.fire();
        return;
      }
      this.holdsLock = await store.acquire(this.windowId);
      this.lockedOut = !this.holdsLock;
      if (!this.holdsLock) {
        this.changed.fire();
        return;
      }
      const result = await runQueuePass(connection.client, store, {
        limits: readAutopilotSettings().enqueuedTokenLimits,
        onCreated: (group, part, batch) => {
          this.log.info(`Queue: created ${batch.id}, part ${part.index}/${group.count} of group ${group.group} (≈${part.tokens} tokens).`);
          this.store.recordBatch(batch, { prependIfNew: true, account });
        },
        onGroupDone: (group) => void this.groupDone(group),
        onError: (group, part, message) =>
          this.log.warn(`Queue: part ${part.index}/${group.count} of group ${group.group} failed: ${this.log.redactor.redact(message)}`),
      });
      this.snapshot = result.queue;
      if (result.limited > 0) this.log.info(`Queue: ${result.limited} part(s) met the enqueued-token limit and wait again.`);
    } catch (error) {
      if (!isCancellation(error)) this.log.warn(`Queue pass failed: ${this.log.redactor.redact(errorMessage(error))}`);
    }
    this.changed.fire();
  }

  private async groupDone(group: QueuedGroup): Promise<void> {
    if (group.cleanup && this.isOwnFolder(group.cleanup)) await rm(group.cleanup, { recursive: true, force: true }).catch(() => undefined);
    const first = group.parts.find((part) => part.batchId)?.batchId;
    const failed = group.parts.filter((part) => part.finished !== 'completed').length;
    const name = plainText(group.description || group.name);
    const message =
      failed === 0
        ? vscode.l10n.t('All {0} parts of "{1}" (group {2}) are done.', group.count, name, plainText(group.group))
        : vscode.l10n.t(
            'All {0} parts of "{1}" (group {2}) have ended; {3} did not complete.',
            group.count,
            name,
            plainText(group.group),
            failed,
          );
    const open = vscode.l10n.t('Open Combined Results');
    const choice = await vscode.window.showInformationMessage(message, ...(first ? [open] : []));
    if (choice === open && first) await vscode.commands.executeCommand(CommandId.openResults, first);
  }

  /** Only folders under the extension's storage are ever removed. */
  private isOwnFolder(path: string): boolean {
    const inside = relative(this.storage, path);
    return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
  }

  /** A pass when one of the queue's created batches is seen finished (the tree's own refreshes tell). */
  private onStoreChange(): void {
    const queue = this.snapshot;
    if (!queue) return;
    let finished = false;
    for (const group of queue.groups)
      for (const part of group.parts) {
        if (!part.batchId || part.finished) continue;
        const batch = this.store.get(part.batchId);
        if (!batch) continue;
        const status = batch.status ?? '';
        if (this.seen.get(batch.id) !== status && isFinishedStatus(batch)) finished = true;
        this.seen.set(batch.id, status);
      }
    if (finished) this.kick();
  }

  private heartbeat(): void {
    const queue = this.snapshot;
    if (!this.holdsLock) {
      // Another window may have closed: take over (the pass reads the file and the lock first).
      if (queue && pendingParts(queue) > 0) this.kick();
      else void this.reload();
      return;
    }
    const store = this.queueStore();
    if (!store) return;
    const now = Date.now();
    const due = queue?.groups.some((g) => !g.paused && g.parts.some((p) => !p.batchId && p.notBefore !== undefined && p.notBefore <= now));
    if (due) this.kick();
    else void store.acquire(this.windowId).then((held) => (this.holdsLock = held));
  }

  /** Lets another window drive at once (on reload or close), synchronously: deactivation does not wait. */
  private releaseNow(): void {
    const store = this.storeOf;
    if (!store || !this.holdsLock) return;
    try {
      const lock = JSON.parse(readFileSync(store.lockPath, 'utf8')) as { owner?: unknown };
      if (lock.owner === this.windowId) rmSync(store.lockPath, { force: true });
    } catch {
      // No lock file: nothing to release.
    }
    this.holdsLock = false;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.releaseNow();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}
