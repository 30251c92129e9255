import { Emitter, type Event } from '../util/events';
import { countsReported, countsOf } from './batchDisplay';
import { statusOf } from './grouping';
import { type ProgressEstimate, ProgressHistory, type ProgressHistoryOptions, type ProgressSample, progressShort } from './progressRate';
import type { Batch } from '../api/types';

/** The statuses whose progress is measured: the ones where requests are still being counted. */
export const MEASURED_STATUSES: ReadonlySet<string> = new Set(['validating', 'in_progress', 'finalizing']);

/** Samples recorded without a change of the store (a poll that changed no count). */
export interface QuietRecording {
  /** The batches whose estimate moved. */
  ids: ReadonlySet<string>;
  /**
   * Whether a tree row's progress text (`1,240/5,000 · ~18 min left`) changed. Only then does the
   * tree redraw: a redraw drops VS Code's handles to the rows, so it is not done on every poll.
   */
  rowTextChanged: boolean;
}

/** What the tracker reads from a {@link BatchStore}. */
export interface ObservedStore {
  readonly batches: readonly Batch[];
  /** Set while the batches shown come from the cache: their counts are old, not seen now. */
  readonly cachedAt: number | undefined;
  readonly onDidChange: Event<void>;
  readonly onDidChangeAccount: Event<string | undefined>;
  /** A batch fetched alone (a detail panel's refresh); fires before `onDidChange`, so the panel already sees its sample. */
  readonly onDidUpdateBatch?: Event<Batch>;
}

/**
 * Records the request counts of measured batches each time the store holds a fresh copy of
 * them (a poll, a refresh, a detail panel's fetch) into a {@link ProgressHistory}. A copy is
 * recorded once: the store keeps the same object until the batch is fetched again, so the
 * changes that do not fetch (loading more, a filter) add no sample that would pretend time
 * passed without progress. The history belongs to one account and is cleared on a switch.
 *
 * One estimate per batch, read at one time: {@link estimate} is the estimate as of the batch's
 * last sample, so the tree row, its tooltip, the detail panel and the agent's text say the same
 * whenever each is drawn. What shows it redraws when a sample is recorded: with the store's
 * change (the tracker listens first), or with {@link onDidRecord} for a poll that changed
 * nothing (whose counts still move the rate): the detail panel then, the tree when its row's
 * text changed (its tooltip reads the row's estimate).
 */
export class ProgressTracker {
  readonly history: ProgressHistory;
  private readonly recorded = new WeakSet<Batch>();
  private readonly subscriptions: { dispose(): void }[];
  private readonly recordedQuietly = new Emitter<QuietRecording>();
  /**
   * Fires when {@link observe} recorded samples the store did not announce (a poll that changed
   * nothing): those estimates changed, so whatever shows them redraws.
   */
  readonly onDidRecord: Event<QuietRecording> = this.recordedQuietly.event;

  constructor(
    private readonly store: ObservedStore,
    private readonly now: () => number = Date.now,
    options?: ProgressHistoryOptions,
  ) {
    this.history = new ProgressHistory(options);
    this.subscriptions = [store.onDidChange(() => this.record()), store.onDidChangeAccount(() => this.history.clear())];
    if (store.onDidUpdateBatch) this.subscriptions.push(store.onDidUpdateBatch((batch) => this.observeOne(batch, this.now())));
  }

  /** Records the batches the store holds that were not recorded yet; called after a poll that changed nothing (then fires {@link onDidRecord}). */
  observe(): void {
    const recording = this.record();
    if (recording.ids.size > 0) this.recordedQuietly.fire(recording);
  }

  /** Records the store's batches not recorded yet. */
  private record(): QuietRecording {
    const ids = new Set<string>();
    let rowTextChanged = false;
    if (this.store.cachedAt !== undefined) return { ids, rowTextChanged };
    const at = this.now();
    for (const batch of this.store.batches) {
      const before = this.estimate(batch);
      if (!this.observeOne(batch, at)) continue;
      ids.add(batch.id);
      const counts = countsOf(batch);
      if (!before || progressShort(before, counts) !== progressShort(this.history.latestEstimate(batch.id), counts)) rowTextChanged = true;
    }
    return { ids, rowTextChanged };
  }

  private observeOne(batch: Batch, at: number): boolean {
    if (this.recorded.has(batch) || !MEASURED_STATUSES.has(statusOf(batch)) || !countsReported(batch)) return false;
    this.recorded.add(batch);
    return this.history.record(batch.id, countsOf(batch), at);
  }

  /**
   * The estimate for a batch that is being measured, as of its last sample (the same whenever it
   * is read); undefined for the others (finished, cancelling, no counts).
   */
  estimate(batch: Batch): ProgressEstimate | undefined {
    if (!MEASURED_STATUSES.has(statusOf(batch)) || !countsReported(batch)) return undefined;
    return this.history.latestEstimate(batch.id);
  }

  samples(id: string): ProgressSample[] {
    return this.history.samples(id);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.recordedQuietly.dispose();
    this.history.clear();
  }
}
