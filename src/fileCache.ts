import { mkdir, rm } from 'node:fs/promises';
import * as vscode from 'vscode';

/** One folder per account, named by its `accountId` (a hash, so no key is on disk): one account's files are never served to another. */
function accountFolder(context: vscode.ExtensionContext, account: string): vscode.Uri {
  return vscode.Uri.joinPath(context.globalStorageUri, 'files', account);
}

/**
 * Where a downloaded batch file (input, output or error JSONL) of an account is kept: one file
 * per file id in the account's folder under global storage, shared by "Open Output File" and
 * the results view, so each is fetched once.
 */
export async function cachedFilePath(context: vscode.ExtensionContext, account: string, fileId: string): Promise<string> {
  const directory = accountFolder(context, account);
  await mkdir(directory.fsPath, { recursive: true });
  return vscode.Uri.joinPath(directory, `${fileId.replace(/[^\w.-]/g, '_')}.jsonl`).fsPath;
}

/** Deletes an account's downloaded files (its key was cleared). */
export async function deleteCachedFiles(context: vscode.ExtensionContext, account: string): Promise<void> {
  // Retries: a download of this account may still be removing its partial file.
  await rm(accountFolder(context, account).fsPath, { recursive: true, force: true, maxRetries: 3 });
}
