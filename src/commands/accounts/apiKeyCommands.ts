import * as vscode from 'vscode';
import { confirmWorkspaceHost, workspaceHostNote } from '../../auth/workspaceHost';
import { environmentKeyFor } from '../../config';
import { ENV_VARS } from '../../core/api/environment';
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
  // A host a workspace's settings chose gets a key only after an explicit, modal yes.
  if (!(await confirmWorkspaceHost(account))) return;
  const note = workspaceHostNote(account);
  const prompt = vscode.l10n.t("API key for {0}. It is stored in VS Code's SecretStorage, never in settings.", shownUrl);
  const value = await vscode.window.showInputBox({
    title: vscode.l10n.t('OpenAI Batches: Set API Key'),
    prompt: note ? `${note}. ${prompt}` : prompt,
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
  if (services.connection.keySource === 'environment') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'No key is stored for {0}: the key in use comes from the environment ({1}). Unset it, or turn off openaiBatches.useEnvironmentKey.',
        accountTitle(services.connection.settings),
        ENV_VARS.apiKey,
      ),
    );
    return;
  }
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

/** Store It: after a modal yes, copies the environment's key (`OPENAI_API_KEY`) into SecretStorage for the default account. */
export async function storeEnvironmentKey(services: Pick<Services, 'keys' | 'connection' | 'store' | 'log'>): Promise<void> {
  const account = services.connection.settings;
  if (services.connection.keySource !== 'environment' || !environmentKeyFor(account)) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'The key for {0} does not come from the environment ({1}): there is nothing to store.',
        accountTitle(account),
        ENV_VARS.apiKey,
      ),
    );
    return;
  }
  const store = vscode.l10n.t('Store It');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      "Store the API key from the environment ({0}) in VS Code's SecretStorage for {1}?",
      ENV_VARS.apiKey,
      accountTitle(account),
    ),
    {
      modal: true,
      detail: vscode.l10n.t('It is then used even where {0} is not set; Clear API Key removes it.', ENV_VARS.apiKey),
    },
    store,
  );
  if (answer === store) await copyEnvironmentKey(services);
}

/** The confirmed part of Store It: the key is never shown or logged, only stored. */
export async function copyEnvironmentKey({ keys, connection, log }: Pick<Services, 'keys' | 'connection' | 'log'>): Promise<boolean> {
  const account = connection.settings;
  const apiKey = environmentKeyFor(account);
  if (!apiKey) return false;
  log.redactor.add(apiKey);
  await keys.setFor(account, apiKey);
  log.info(`API key from ${ENV_VARS.apiKey} stored for ${account.baseUrl}.`);
  await connection.reconnect();
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(key) API key from {0} stored for {1}', ENV_VARS.apiKey, accountTitle(account)), 4000);
  return true;
}
