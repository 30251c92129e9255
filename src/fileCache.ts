import { mkdir } from 'node:fs/promises';
import * as vscode from 'vscode';

/**
 * Where a downloaded batch file (input, output or error JSONL) is kept: one file per file id
 * under global storage, shared by "Open Output File" and the results view, so each is fetched once.
 */
export async function cachedFilePath(context: vscode.ExtensionContext, fileId: string): Promise<string> {
  const directory = vscode.Uri.joinPath(context.globalStorageUri, 'files');
  await mkdir(directory.fsPath, { recursive: true });
  return vscode.Uri.joinPath(directory, `${fileId.replace(/[^\w.-]/g, '_')}.jsonl`).fsPath;
}
