import { isActive, statusOf } from './grouping';
import type { Batch } from '../api/types';

/**
 * Notices batches that were seen active and are now finished, once each. Batches first seen
 * already finished are never reported: finding old work is not news.
 */
export class CompletionWatcher {
  private readonly seenActive = new Set<string>();

  /** Returns the batches that finished since they were last observed active. */
  observe(batches: Iterable<Batch>): Batch[] {
    const finished: Batch[] = [];
    for (const batch of batches) {
      if (isActive(batch)) this.seenActive.add(batch.id);
      else if (this.seenActive.delete(batch.id) && statusOf(batch) !== 'unknown') finished.push(batch);
    }
    return finished;
  }

  get activeCount(): number {
    return this.seenActive.size;
  }

  reset(): void {
    this.seenActive.clear();
  }
}
