import { FILE_ROLES, fileIdOf, type FileRole } from '../core/batches/batchFacts';
import type { BatchStore } from '../core/batches/batchStore';
import type { Batch } from '../core/api/types';

/** Ids as they appear in code: `batch_…` and `file-…`. */
export const ID_PATTERN = /\b(?:batch_[A-Za-z0-9]{6,}|file-[A-Za-z0-9]{6,})\b/;

/** An account whose batches are searched. */
export interface LookupAccount {
  readonly id: string;
  readonly store: BatchStore;
}

/** A batch found, and the account it belongs to. */
export interface FoundBatch {
  batch: Batch;
  accountId: string;
}

/**
 * Finds loaded batches of every account by their id or by one of their file ids; an unknown batch
 * id is fetched once (from each ready account in turn, until one has it) and remembered.
 */
export class IdLookup {
  private readonly fetched = new Map<string, Promise<FoundBatch | undefined>>();

  constructor(private readonly accounts: () => readonly LookupAccount[]) {}

  findFile(fileId: string): (FoundBatch & { role: FileRole }) | undefined {
    for (const { id: accountId, store } of this.accounts()) {
      for (const batch of store.batches) {
        const file = FILE_ROLES.find(({ role }) => fileIdOf(batch, role) === fileId);
        if (file) return { batch, role: file.role, accountId };
      }
    }
    return undefined;
  }

  /** A loaded batch, or one `GET /batches/{id}` per account the first time an unloaded id is asked for (never polled). */
  batch(id: string): Promise<FoundBatch | undefined> {
    const accounts = this.accounts();
    for (const { id: accountId, store } of accounts) {
      const loaded = store.get(id);
      if (loaded) return Promise.resolve({ batch: loaded, accountId });
    }
    let pending = this.fetched.get(id);
    if (!pending) {
      const ready = accounts.filter(({ store }) => store.state.kind === 'ready');
      if (ready.length === 0) return Promise.resolve(undefined);
      pending = (async () => {
        for (const { id: accountId, store } of ready) {
          const batch = await store
            .requireClient()
            .getBatch(id)
            .catch(() => undefined);
          if (batch) return { batch, accountId };
        }
        return undefined;
      })();
      this.fetched.set(id, pending);
    }
    return pending;
  }

  clear(): void {
    this.fetched.clear();
  }
}
