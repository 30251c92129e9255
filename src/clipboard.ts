import * as vscode from 'vscode';
import { ID_MAX, plainText } from './core/util/text';
import type { Logger } from './log';

/**
 * Copies an id, confirms it in the status bar (as plain text: ids come from the API) and logs
 * it. Every "Copy … ID" action goes through here: commands, the detail panel, the create flow.
 */
export async function copyToClipboard(log: Logger, label: string, value: string, context = ''): Promise<void> {
  await vscode.env.clipboard.writeText(value);
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(check) Copied {0} {1}', label, plainText(value, ID_MAX)), 4000);
  log.info(`Copied ${label} ${value}${context}.`);
}

/**
 * Copies several ids, one per line (a multi-selection), and confirms how many in the status bar
 * and the log. `label` is plural (`batch IDs`).
 */
export async function copyManyToClipboard(log: Logger, label: string, values: readonly string[], context = ''): Promise<void> {
  await vscode.env.clipboard.writeText(values.join('\n'));
  vscode.window.setStatusBarMessage(`$(check) Copied ${values.length} ${label}${plainText(context)}`, 4000);
  log.info(`Copied ${values.length} ${label}${context}: ${values.join(', ')}.`);
}
