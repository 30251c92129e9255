/**
 * Where an account's queue lives: one JSON file per account under the extension's global storage,
 * written to a temporary file and renamed (a crash never leaves half a queue), and beside it an
 * expiring lock file naming the one window that drives the queue. Other windows read the queue.
 */

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRecord } from '../util/json';
import { emptyQueue, type QueueFile } from './queueModel';

/** Writes `text` to `path` through a temporary file and a rename. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, text);
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function isQueueFile(value: unknown): value is QueueFile {
  return (
    isRecord(value) &&
    value.version === 1 &&
    typeof value.account === 'string' &&
    Array.isArray(value.groups) &&
    isRecord(value.ceilings) &&
    value.groups.every(
      (group) =>
        isRecord(group) &&
        typeof group.group === 'string' &&
        typeof group.endpoint === 'string' &&
        Array.isArray(group.parts) &&
        group.parts.every((part) => isRecord(part) && typeof part.index === 'number' && typeof part.path === 'string'),
    )
  );
}

/** The lock's record: who drives the queue, until when (unix ms) unless renewed. */
export interface LockRecord {
  owner: string;
  expiresAt: number;
}

/** A lock not renewed for this long is free for another window. */
export const LOCK_TTL_MS = 60_000;

/** One account's queue file and lock. */
export class QueueStore {
  readonly path: string;
  readonly lockPath: string;

  constructor(
    readonly root: string,
    readonly account: string,
  ) {
    const key = createHash('sha256').update(account).digest('hex').slice(0, 24);
    this.path = join(root, `queue-${key}.json`);
    this.lockPath = join(root, `queue-${key}.lock`);
  }

  /** The saved queue, or an empty one (a missing or damaged file, or one of another account). */
  async load(): Promise<QueueFile> {
    try {
      const value: unknown = JSON.parse(await readFile(this.path, 'utf8'));
      return isQueueFile(value) && value.account === this.account ? value : emptyQueue(this.account);
    } catch {
      return emptyQueue(this.account);
    }
  }

  async save(queue: QueueFile): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeAtomically(this.path, JSON.stringify(queue, null, 1));
  }

  async readLock(): Promise<LockRecord | undefined> {
    try {
      const value: unknown = JSON.parse(await readFile(this.lockPath, 'utf8'));
      return isRecord(value) && typeof value.owner === 'string' && typeof value.expiresAt === 'number'
        ? { owner: value.owner, expiresAt: value.expiresAt }
        : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Takes or renews the lock for `owner` when it is free, expired or already `owner`'s. The record
   * is read back after writing: of two windows writing at once, only the one whose rename landed
   * last sees itself, and only it drives.
   */
  async acquire(owner: string, nowMs = Date.now(), ttlMs = LOCK_TTL_MS): Promise<boolean> {
    const held = await this.readLock();
    if (held && held.owner !== owner && held.expiresAt > nowMs) return false;
    await mkdir(this.root, { recursive: true });
    await writeAtomically(this.lockPath, JSON.stringify({ owner, expiresAt: nowMs + ttlMs } satisfies LockRecord));
    return (await this.readLock())?.owner === owner;
  }

  /** Lets go of the lock if `owner` holds it, so another window can drive at once. */
  async release(owner: string): Promise<void> {
    if ((await this.readLock())?.owner === owner) await rm(this.lockPath, { force: true });
  }
}
