import { FILE_ROLES, fileIdOf, type FileRole } from '../core/batchFacts';
import type { BatchStore } from '../core/batchStore';
import type { Batch } from '../core/types';

/** Ids as they appear in code: `batch_…` and `file-…`. */
export const ID_PATTERN = /\b(?:batch_[A-Za-z0-9]{6,}|file-[A-Za-z0-9]{6,})\b/;

/** Finds loaded batches by their id or by one of their file ids; unknown batch ids are fetched once and remembered. */
export class IdLookup {
  private readonly fetched = new Map<string, Promise<Batch | undefined>>();

  constructor(private readonly store: BatchStore) {}

  findFile(fileId: string): { batch: Batch; role: FileRole } | undefined {
    for (const batch of this.store.batches) {
      const file = FILE_ROLES.find(({ role }) => fileIdOf(batch, role) === fileId);
      if (file) return { batch, role: file.role };
    }
    return undefined;
  }

  /** A loaded batch, or one `GET /batches/{id}` the first time an unloaded id is asked for (never polled). */
  batch(id: string): Promise<Batch | undefined> {
    const loaded = this.store.get(id);
    if (loaded) return Promise.resolve(loaded);
    if (this.store.state.kind !== 'ready') return Promise.resolve(undefined);
    let pending = this.fetched.get(id);
    if (!pending) {
      pending = this.store
        .requireClient()
        .getBatch(id)
        .catch(() => undefined);
      this.fetched.set(id, pending);
    }
    return pending;
  }

  clear(): void {
    this.fetched.clear();
  }
}
