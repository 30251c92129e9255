import * as vscode from 'vscode';
import type { AccountSettings } from '../../core/api/accounts';
import { plainText } from '../../core/util/text';
import { withoutUserinfo } from '../../core/util/redact';
import type { Services } from '../services';

/** Where an account's key is for, as messages name it: the base URL, and the account's name when it has one. */
export function accountTitle(account: AccountSettings): string {
  const shownUrl = plainText(withoutUserinfo(account.baseUrl), 300);
  return account.implicit ? shownUrl : `${account.name} (${shownUrl})`;
}

/** Asks for and stores the key of `account` (by default the one the services are for). */
export async function setApiKey(
  { keys, connection, store, log }: Pick<Services, 'keys' | 'connection' | 'store' | 'log'>,
  account: AccountSettings = connection.settings,
): Promise<void> {
  const { baseUrl } = account;
  const shownUrl = accountTitle(account);
  const value = await vscode.window.showInputBox({
    title: vscode.l10n.t('OpenAI Batches: Set API Key'),
    prompt: vscode.l10n.t("API key for {0}. It is stored in VS Code's SecretStorage, never in settings.", shownUrl),
    placeHolder: 'sk-…',
    password: true,
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() ? undefined : vscode.l10n.t('Enter an API key, or press Escape to cancel.')),
  });
  const apiKey = value?.trim();
  if (!apiKey) return;
  log.redactor.add(apiKey);
  await keys.setFor(account, apiKey);
  log.info(`API key stored for ${account.implicit ? baseUrl : `account "${account.name}" (${baseUrl})`}.`);
  await connection.reconnect();
  // The same key again (the account was fixed meanwhile) changes nothing reconnect looks at, so the failure would stay shown.
  if (store.refreshError) void store.refresh();
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(key) API key saved for {0}', shownUrl), 4000);
}

export async function clearApiKey(services: Pick<Services, 'keys' | 'connection' | 'store' | 'files' | 'log'>): Promise<void> {
  const clear = vscode.l10n.t('Clear Key');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Remove the stored API key for {0}?', accountTitle(services.connection.settings)),
    { modal: true },
    clear,
  );
  if (answer !== clear) return;
  await forgetApiKey(services);
}

/**
 * The confirmed part of Clear API Key: removes the key and leaves nothing of its account on disk
 * (batch cache, downloaded files), and nothing that runs later writes them back.
 */
export async function forgetApiKey({
  keys,
  connection,
  store,
  files,
  log,
}: Pick<Services, 'keys' | 'connection' | 'store' | 'files' | 'log'>): Promise<void> {
  const settings = connection.settings;
  const account = store.account;
  // First, so that no save between here and the switch below writes the cache back.
  await connection.clearCache();
  await keys.clearFor(settings);
  log.info(`API key cleared for ${settings.implicit ? settings.baseUrl : `account "${settings.name}" (${settings.baseUrl})`}.`);
  // Signs out: the account's panels close and their downloads stop before its files go.
  await connection.reconnect();
  if (account) await files.deleteAccount(account);
}
