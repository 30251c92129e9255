import * as vscode from 'vscode';
import { accountHost, type AccountSettings } from '../core/api/accounts';

/** "Host chosen by this workspace's .vscode/settings.json: evil.example", or undefined when the user chose the host. */
export function workspaceHostNote(account: AccountSettings): string | undefined {
  const origin = account.hostChosenBy;
  if (!origin) return undefined;
  return origin.scope === 'workspaceFolder'
    ? vscode.l10n.t("Host chosen by this folder's {0}: {1}", origin.file, accountHost(account))
    : vscode.l10n.t("Host chosen by this workspace's {0}: {1}", origin.file, accountHost(account));
}

/**
 * Before a key is stored for a host a workspace's settings chose: a modal naming the host and the
 * settings file. True only when the user explicitly confirms (and always for a host the user chose).
 */
export async function confirmWorkspaceHost(account: AccountSettings): Promise<boolean> {
  const note = workspaceHostNote(account);
  if (!note || !account.hostChosenBy) return true;
  const host = accountHost(account);
  const store = vscode.l10n.t('Store a Key for {0}', host);
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Store an API key for {0}? {1}.', host, note),
    {
      modal: true,
      detail: vscode.l10n.t(
        'Your user settings did not choose this host: {0} in this workspace did. The key you store is sent to {1} with every request. Store one only if you trust this workspace and {1}; otherwise remove openaiBatches.baseUrl (or openaiBatches.accounts) from {0}.',
        account.hostChosenBy.file,
        host,
      ),
    },
    store,
  );
  return answer === store;
}
