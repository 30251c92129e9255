import type { BatchCache } from './batchCache';
import type { BatchStore } from './batchStore';
import { errorMessage } from '../api/errors';

const SAVE_DELAY_MS = 750;

/**
 * Persists the store's batches for its account as they change, at most once per
 * {@link SAVE_DELAY_MS}, and never for an account whose key was cleared until it connects again.
 */
export class BatchCacheSaver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Accounts whose key was cleared: nothing may write their cache again until they reconnect. */
  private readonly forgotten = new Set<string>();
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly store: BatchStore,
    private readonly cache: BatchCache,
    private readonly maxItems: () => number,
    private readonly warn: (line: string) => void,
  ) {
    this.subscription = store.onDidChange(() => this.schedule());
  }

  /** The account connected again: its cache may be written. */
  remember(account: string): void {
    this.forgotten.delete(account);
  }

  /** Deletes the store's current account's cache, after any save under way; later saves skip it. */
  async forgetCurrentAccount(): Promise<void> {
    this.cancel();
    const account = this.store.account;
    if (!account) return;
    this.forgotten.add(account);
    await this.cache.clear(account);
  }

  /** Saves now what a pending save would have saved. */
  flush(): void {
    this.cancel();
    // The store's own account, so a snapshot is never saved under another account's name.
    const account = this.store.account;
    const max = this.maxItems();
    if (!account || this.forgotten.has(account) || max === 0 || !this.store.hasLoaded || this.store.cachedAt !== undefined) return;
    this.cache
      .save(account, this.store.snapshot(), max)
      .catch((error: unknown) => this.warn(`Could not save the batch cache: ${errorMessage(error)}`));
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.store.account || this.timer) return;
    this.timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }

  dispose(): void {
    this.flush();
    this.subscription.dispose();
  }
}
