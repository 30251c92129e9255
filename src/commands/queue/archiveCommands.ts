import * as vscode from 'vscode';
import { saveNowFor } from '../../queue/archiveGuardian';
import { BatchNode } from '../../tree/nodes';
import type { Services } from '../services';

/**
 * Archive Outputs Now: saves the output and error files of the account's finished batches that
 * were not archived yet (of one batch, from its node) into `openaiBatches.archiveFolder`, or a
 * folder picked now when none is set. Each file is saved once, ever.
 */
export async function archiveNow(services: Pick<Services, 'store' | 'archive'>, argument: unknown): Promise<void> {
  const only = argument instanceof BatchNode ? new Set([argument.batch.id]) : undefined;
  const saved = await saveNowFor(services.archive.of(services.store), only);
  if (saved === undefined) return;
  void vscode.window.showInformationMessage(
    saved === 0
      ? vscode.l10n.t('Nothing to archive: every output and error file of the loaded finished batches is saved already.')
      : vscode.l10n.t('Archived {0} file(s).', saved),
  );
}
