import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { baseUrlIdentity } from '../api/baseUrl';
import { TERMINAL_STATUSES } from './batchFacts';
import { safeFileName } from '../util/fileNames';
import { statusOf } from './grouping';
import { isRecord } from '../util/json';
import { limitDepth, MAX_JSON_DEPTH } from '../util/jsonDepth';
import type { PagerSnapshot } from '../api/pager';
import type { Batch } from '../api/types';

/** Bump when the stored shape changes: an older file is then discarded, never misread. */
export const CACHE_FORMAT_VERSION = 1;

interface CacheFile {
  version: number;
  account: string;
  savedAt: number;
  snapshot: PagerSnapshot<Batch>;
}

export interface AccountIdentity {
  baseUrl: string;
  organization?: string;
  project?: string;
  apiKey: string;
}

/** A stable, non-reversible name for an account: base URL + organization + project + a hash of the key (never the key). */
export function accountId(account: AccountIdentity): string {
  const keyHash = createHash('sha256').update(account.apiKey).digest('hex');
  return createHash('sha256')
    .update([baseUrlIdentity(account.baseUrl), account.organization ?? '', account.project ?? '', keyHash].join('\n'))
    .digest('hex')
    .slice(0, 32);
}

/**
 * Keeps at most `max` batches: newest first, dropping the oldest finished batches before any
 * active one (active ones must stay so they are refreshed). The cursor follows the last kept item.
 */
export function boundSnapshot(snapshot: PagerSnapshot<Batch>, max: number): PagerSnapshot<Batch> {
  if (snapshot.items.length <= max) return snapshot;
  let excess = snapshot.items.length - max;
  const drop = new Set<number>();
  for (let i = snapshot.items.length - 1; i >= 0 && excess > 0; i--) {
    if (TERMINAL_STATUSES.has(statusOf(snapshot.items[i]))) {
      drop.add(i);
      excess--;
    }
  }
  for (let i = snapshot.items.length - 1; i >= 0 && excess > 0; i--) {
    if (!drop.has(i)) {
      drop.add(i);
      excess--;
    }
  }
  const items = snapshot.items.filter((_, i) => !drop.has(i));
  // Dropped tail items must be loadable again, so paging resumes after the last one kept.
  return {
    items,
    cursor: items.at(-1)?.id,
    hasMore: snapshot.hasMore || drop.size > 0,
    endNote: snapshot.endNote,
    ...(snapshot.endGuessed === true && { endGuessed: true }),
  };
}

export interface CacheLoadResult {
  snapshot: PagerSnapshot<Batch>;
  savedAt: number;
}

/**
 * The loaded batches of each account in one JSON file per account under `directory`
 * (the extension's global storage, not `globalState`, so thousands of batches do not bloat it).
 * Writes are atomic (temporary file + rename); unreadable or foreign files are ignored.
 * Saves and clears of one account run in call order, so a clear is never undone by a save
 * that was still writing.
 */
export class BatchCache {
  private readonly queues = new Map<string, Promise<void>>();
  /** Batches already warned about, so a deep batch does not warn on every save. */
  private readonly cutBatches = new Set<string>();

  constructor(
    private readonly directory: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  fileFor(account: string): string {
    return path.join(this.directory, safeFileName(`batches-${account}.json`));
  }

  async load(account: string): Promise<CacheLoadResult | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileFor(account), 'utf8');
    } catch {
      return undefined; // no cache yet
    }
    try {
      const file = JSON.parse(text) as Partial<CacheFile>;
      if (file.version !== CACHE_FORMAT_VERSION || file.account !== account) {
        this.log(`Ignoring a cache of another format (version ${String(file.version)}).`);
        return undefined;
      }
      const snapshot = file.snapshot;
      if (
        !snapshot ||
        !Array.isArray(snapshot.items) ||
        !snapshot.items.every((b) => isRecord(b) && typeof b.id === 'string') ||
        typeof file.savedAt !== 'number'
      ) {
        throw new Error('unexpected shape');
      }
      return { snapshot: { ...snapshot, hasMore: snapshot.hasMore === true }, savedAt: file.savedAt };
    } catch (error) {
      this.log(`Ignoring an unreadable batch cache (${(error as Error).message}).`);
      return undefined;
    }
  }

  /** Writes the snapshot, bounded to `maxBatches`; values nested deeper than {@link MAX_JSON_DEPTH} are cut (with a warning). */
  save(account: string, snapshot: PagerSnapshot<Batch>, maxBatches: number, savedAt = Date.now()): Promise<void> {
    const bounded = boundSnapshot(snapshot, maxBatches);
    const file: CacheFile = {
      version: CACHE_FORMAT_VERSION,
      account,
      savedAt,
      snapshot: { ...bounded, items: bounded.items.map((batch) => this.serialisable(batch)) },
    };
    return this.queue(account, async () => {
      const target = this.fileFor(account);
      const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      await mkdir(this.directory, { recursive: true });
      try {
        await writeFile(temporary, JSON.stringify(file));
        await rename(temporary, target);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    });
  }

  /** Deletes the account's file, after any save already under way. */
  clear(account: string): Promise<void> {
    return this.queue(account, () => rm(this.fileFor(account), { force: true }));
  }

  private serialisable(batch: Batch): Batch {
    const cut = limitDepth(batch);
    if (cut !== batch && !this.cutBatches.has(batch.id)) {
      this.cutBatches.add(batch.id);
      this.log(`Batch ${batch.id} holds values nested deeper than ${MAX_JSON_DEPTH} levels; the cache keeps it with those values cut.`);
    }
    return cut;
  }

  private queue(account: string, job: () => Promise<void>): Promise<void> {
    const run = (this.queues.get(account) ?? Promise.resolve()).then(job);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(account, settled);
    void settled.then(() => {
      if (this.queues.get(account) === settled) this.queues.delete(account);
    });
    return run;
  }
}
