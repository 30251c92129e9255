import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCancellation } from '../core/api/errors';
import { formatBytes } from '../core/util/text';
import { readSettings } from '../config';
import type { Logger } from '../log';

/** One export from a panel: how many rows, where to offer saving them, and how to write them. */
export interface ExportRequest {
  format: 'csv' | 'jsonl';
  rows: number;
  /** The file name offered in the workspace folder. */
  fileName: string;
  /** The save dialog's title. */
  title: string;
  /** Writes the rows to a local path (streamed; nothing under that name until complete). */
  write: (path: string, signal: AbortSignal, onProgress: (written: number, total: number) => void) => Promise<void>;
  /** Aborted when the panel closes: the export stops with it. */
  closed: AbortSignal;
  log: Logger;
  /** What the log line says was exported: `result rows of batch_1`. */
  what: string;
}

/**
 * The export flow both panels share: a save dialog, a cancellable progress notification while
 * the rows are written (to a temporary local file first when the destination is not on disk),
 * then a message offering to open the file when it is small enough for an editor.
 */
export async function exportWithDialog(request: ExportRequest): Promise<void> {
  const { format } = request;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const count = request.rows.toLocaleString('en-US');
  const destination = await vscode.window.showSaveDialog({
    title: request.title,
    defaultUri: folder ? vscode.Uri.joinPath(folder, request.fileName) : undefined,
    filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl'] },
    saveLabel: vscode.l10n.t('Export'),
  });
  if (!destination) return;
  const exported = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Exporting {0} rows', count), cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const cancelled = token.onCancellationRequested(() => abort.abort());
      const onClose = (): void => abort.abort();
      request.closed.addEventListener('abort', onClose);
      let shown = 0;
      try {
        // Written straight to a local file; a destination on another file system gets a copy of a temporary one.
        const local =
          destination.scheme === 'file' ? destination.fsPath : join(tmpdir(), `obe-export-${randomBytes(8).toString('hex')}.${format}`);
        try {
          await request.write(local, abort.signal, (written, total) => {
            const percent = Math.floor((written / total) * 100);
            if (percent > shown) {
              progress.report({ increment: percent - shown, message: vscode.l10n.t('{0} of {1}', written.toLocaleString('en-US'), count) });
              shown = percent;
            }
          });
          if (destination.scheme !== 'file') await vscode.workspace.fs.copy(vscode.Uri.file(local), destination, { overwrite: true });
        } finally {
          if (destination.scheme !== 'file') await rm(local, { force: true });
        }
        return true;
      } catch (error) {
        if (isCancellation(error)) return false;
        throw error;
      } finally {
        cancelled.dispose();
        request.closed.removeEventListener('abort', onClose);
      }
    },
  );
  if (!exported) return;
  request.log.info(`Exported ${request.rows} ${request.what} to ${destination.toString(true)}.`);
  const { size } = await vscode.workspace.fs.stat(destination);
  const where = `${vscode.workspace.asRelativePath(destination)} (${formatBytes(size)})`;
  // A large export is no file for an editor (openaiBatches.maxOpenFileMB, as for output files).
  const openLabel = vscode.l10n.t('Open');
  const actions = size <= readSettings().maxOpenFileBytes ? [openLabel] : [];
  const open = await vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} rows to {1}.', count, where), ...actions);
  if (open) await vscode.window.showTextDocument(destination, { preview: false });
}
