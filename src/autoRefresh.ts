import * as vscode from 'vscode';
import { readSettings } from './config';
import { fileIdOf } from './core/batches/batchFacts';
import type { BatchStore } from './core/batches/batchStore';
import type { ProgressTracker } from './core/batches/progressTracker';
import { CompletionWatcher } from './core/batches/completionWatcher';
import { errorMessage, isCancellation } from './core/api/errors';
import { batchLabel, countsOf, statusPhrase } from './core/batches/batchDisplay';
import { isActive, statusOf } from './core/batches/grouping';
import type { Batch } from './core/api/types';
import { CommandId, CONFIG_SECTION } from './ids';
import type { Logger } from './log';

const MAX_BACKOFF_FACTOR = 8;

/**
 * Polls one account's active batches while the view is visible and the window focused, stops when
 * nothing is active, backs off after failures, and announces batches that finish. The status-bar
 * count of active batches (over every account) is `ActiveBatchesStatus`'s.
 */
export class AutoRefresher implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private running = false;
  private readonly watcher = new CompletionWatcher();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: BatchStore,
    private readonly view: vscode.TreeView<unknown>,
    private readonly log: Logger,
    /** The account's id, handed to the commands a notification runs so they act on this account (none: the only account). */
    private readonly accountId?: string,
    /** Told after each poll: one that changed nothing fires no store change, but its counts are still a sample. */
    private readonly progress?: ProgressTracker,
  ) {
    this.disposables.push(
      // Ids seen active under one account say nothing about another account's batches.
      store.onDidChangeAccount(() => this.watcher.reset()),
      store.onDidChange(() => this.onStoreChanged()),
      view.onDidChangeVisibility(() => this.schedule()),
      vscode.window.onDidChangeWindowState(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${CONFIG_SECTION}.autoRefreshSeconds`)) this.schedule();
      }),
    );
  }

  private onStoreChanged(): void {
    if (this.store.state.kind !== 'ready') this.watcher.reset();
    for (const batch of this.watcher.observe(this.store.batches)) void this.announce(batch);
    this.schedule();
  }

  /** (Re)arms the timer when polling makes sense, else stops it. */
  private schedule(): void {
    const seconds = readSettings().autoRefreshSeconds;
    const wanted =
      seconds > 0 &&
      this.view.visible &&
      vscode.window.state.focused &&
      this.store.state.kind === 'ready' &&
      this.store.batches.some(isActive);
    if (!wanted) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer || this.running) return;
    const delay = seconds * 1000 * Math.min(MAX_BACKOFF_FACTOR, 2 ** this.failures);
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    try {
      await this.store.refresh();
      this.progress?.observe();
      if (this.store.refreshError) throw this.store.refreshError;
      this.failures = 0;
      const stats = this.store.lastUpdateStats;
      if (stats) this.log.debug(`Auto-refresh: ${stats.pages} page(s), ${stats.fetchedOne} batch request(s), ${stats.added} new.`);
    } catch (error) {
      if (!isCancellation(error)) {
        this.failures++;
        this.log.warn(`Auto-refresh failed (${this.failures} in a row, backing off): ${errorMessage(error)}`);
      }
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async announce(batch: Batch): Promise<void> {
    const status = statusOf(batch);
    const openDetails = vscode.l10n.t('Open Details');
    const copyOutputId = vscode.l10n.t('Copy Output File ID');
    const openOutput = vscode.l10n.t('Open Output');
    const actions = [openDetails, ...(fileIdOf(batch, 'output') ? [copyOutputId, openOutput] : [])];
    // countsOf, not request_counts itself: a server can send text there, and notifications turn `[x](command:…)` into links.
    const counts = countsOf(batch);
    const outcome = status === 'completed' ? vscode.l10n.t('completed') : vscode.l10n.t('is {0}', statusPhrase(batch));
    const message = !batch.request_counts
      ? vscode.l10n.t('Batch "{0}" {1}.', batchLabel(batch), outcome)
      : counts.failed
        ? vscode.l10n.t(
            'Batch "{0}" {1} ({2}/{3} requests, {4} failed).',
            batchLabel(batch),
            outcome,
            counts.completed,
            counts.total,
            counts.failed,
          )
        : vscode.l10n.t('Batch "{0}" {1} ({2}/{3} requests).', batchLabel(batch), outcome, counts.completed, counts.total);
    const show = status === 'completed' && !counts.failed ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    const choice = await show(message, ...actions);
    const target = this.accountId ? { id: batch.id, accountId: this.accountId } : batch.id;
    if (choice === openDetails) await vscode.commands.executeCommand(CommandId.openBatch, target);
    if (choice === copyOutputId) await vscode.commands.executeCommand(CommandId.copyOutputFileId, target);
    if (choice === openOutput) await vscode.commands.executeCommand(CommandId.openOutputFile, target);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const disposable of this.disposables) disposable.dispose();
  }
}
