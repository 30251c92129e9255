import type { Event } from '../util/events';
import { countsReported, countsOf } from './batchDisplay';
import { statusOf } from './grouping';
import { type ProgressEstimate, ProgressHistory, type ProgressHistoryOptions, type ProgressSample } from './progressRate';
import type { Batch } from '../api/types';

/** The statuses whose progress is measured: the ones where requests are still being counted. */
export const MEASURED_STATUSES: ReadonlySet<string> = new Set(['validating', 'in_progress', 'finalizing']);

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
 */
export class ProgressTracker {
  readonly history: ProgressHistory;
  private readonly recorded = new WeakSet<Batch>();
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    private readonly store: ObservedStore,
    private readonly now: () => number = Date.now,
    options?: ProgressHistoryOptions,
  ) {
    this.history = new ProgressHistory(options);
    this.subscriptions = [store.onDidChange(() => this.observe()), store.onDidChangeAccount(() => this.history.clear())];
    if (store.onDidUpdateBatch) this.subscriptions.push(store.onDidUpdateBatch((batch) => this.observeOne(batch, this.now())));
  }

  /** Records the batches the store holds that were not recorded yet; also called after a poll that changed nothing. */
  observe(): void {
    if (this.store.cachedAt !== undefined) return;
    const at = this.now();
    for (const batch of this.store.batches) this.observeOne(batch, at);
  }

  private observeOne(batch: Batch, at: number): void {
    if (this.recorded.has(batch) || !MEASURED_STATUSES.has(statusOf(batch)) || !countsReported(batch)) return;
    this.recorded.add(batch);
    this.history.record(batch.id, countsOf(batch), at);
  }

  /** The estimate for a batch that is being measured; undefined for the others (finished, cancelling, no counts). */
  estimate(batch: Batch, now = this.now()): ProgressEstimate | undefined {
    if (!MEASURED_STATUSES.has(statusOf(batch)) || !countsReported(batch)) return undefined;
    return this.history.estimate(batch.id, now);
  }

  samples(id: string): ProgressSample[] {
    return this.history.samples(id);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.history.clear();
  }
}
