import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { fileStem, safeFileName } from '../util/fileNames';

/**
 * Downloaded batch files (input, output and error JSONL), one folder per account named by its
 * `accountId` (a hash, so no key is on disk): one account's files are never served to another.
 * Shared by "Open Output File" and the results view, so each file is fetched once.
 */
export class AccountFiles {
  /** @param root e.g. the extension's global storage folder + `files`. */
  constructor(private readonly root: string) {}

  /** Where `fileId` of `account` is kept; creates the account's folder. */
  async pathFor(account: string, fileId: string): Promise<string> {
    const folder = this.folder(account);
    await mkdir(folder, { recursive: true });
    // Long (LiteLLM), odd or device-named (`NUL`) ids get a shortened name with a hash: see fileStem.
    return path.join(folder, safeFileName(`${fileStem(fileId)}.jsonl`));
  }

  /** Deletes an account's downloaded files (its key was cleared). */
  async deleteAccount(account: string): Promise<void> {
    // Retries: a download of this account may still be removing its partial file.
    await rm(this.folder(account), { recursive: true, force: true, maxRetries: 3 });
  }

  private folder(account: string): string {
    return path.join(this.root, account);
  }
}
