import * as vscode from 'vscode';
import type { AccountContext } from '../../accounts/accountRegistry';
import { accountIdOf, pickAccount, servicesOf } from '../accountRouting';
import { readAccounts } from '../../config';
import { accountEntry, listedAccountId, listedKeySlot, MAX_ACCOUNT_NAME, withoutAccount } from '../../core/api/accounts';
import { validateBaseUrl } from '../../core/api/baseUrl';
import { errorMessage } from '../../core/api/errors';
import { plainText } from '../../core/util/text';
import { CONFIG_SECTION } from '../../ids';
import { forgetApiKey } from './apiKeyCommands';
import { pickProvider } from './providerCommands';
import type { Services } from '../services';

/** One optional or required line of the walk (`title` names the step); undefined when the user pressed Escape. */
function ask(title: string, prompt: string, options: Partial<vscode.InputBoxOptions> = {}): Thenable<string | undefined> {
  return vscode.window.showInputBox({ title, prompt, ignoreFocusOut: true, ...options });
}

/**
 * Add Account: provider (Choose Provider's presets and questions) → organization and project →
 * name → key. The key goes to SecretStorage under the new account, then the entry is appended to
 * `openaiBatches.accounts` in the user settings, which makes it appear in the tree.
 */
export async function addAccount({ accounts, keys, log }: Pick<Services, 'accounts' | 'keys' | 'log'>): Promise<void> {
  const chosen = await pickProvider(vscode.l10n.t('OpenAI Batches: Add Account'), '');
  if (!chosen) return;
  const { settings } = chosen;
  try {
    validateBaseUrl(settings.baseUrl);
  } catch (error) {
    void vscode.window.showErrorMessage(plainText(errorMessage(error), 400));
    return;
  }
  const organization = await ask(
    vscode.l10n.t('OpenAI Batches: Add Account (organization)'),
    vscode.l10n.t('OpenAI organization id sent as OpenAI-Organization (optional: leave empty for none)'),
    {
      placeHolder: 'org-…',
    },
  );
  if (organization === undefined) return;
  const project = await ask(
    vscode.l10n.t('OpenAI Batches: Add Account (project)'),
    vscode.l10n.t('OpenAI project id sent as OpenAI-Project (optional: leave empty for none)'),
    {
      placeHolder: 'proj_…',
    },
  );
  if (project === undefined) return;
  const taken = new Set(readAccounts().accounts.map((account) => account.name.toLowerCase()));
  const name = await ask(
    vscode.l10n.t('OpenAI Batches: Add Account (name)'),
    vscode.l10n.t('A name for this account, shown in the Batches view'),
    {
      placeHolder: vscode.l10n.t('Work, Personal, Azure…'),
      validateInput: (text) => {
        const trimmed = text.trim();
        if (!trimmed) return vscode.l10n.t('Enter a name.');
        if (trimmed.length > MAX_ACCOUNT_NAME) return vscode.l10n.t('At most {0} characters.', MAX_ACCOUNT_NAME);
        if (taken.has(plainText(trimmed, MAX_ACCOUNT_NAME).toLowerCase())) return vscode.l10n.t('Another account already has this name.');
        return undefined;
      },
    },
  );
  if (name === undefined) return;
  const apiKey = (
    await ask(
      vscode.l10n.t('OpenAI Batches: Add Account (API key)'),
      vscode.l10n.t(
        "API key for {0}. It is stored in VS Code's SecretStorage, never in settings.",
        plainText(name.trim(), MAX_ACCOUNT_NAME),
      ),
      {
        placeHolder: 'sk-…',
        password: true,
        validateInput: (text) => (text.trim() ? undefined : vscode.l10n.t('Enter an API key, or press Escape to cancel.')),
      },
    )
  )?.trim();
  if (!apiKey) return;

  const entry = accountEntry({
    name: name.trim(),
    baseUrl: settings.baseUrl,
    organization: organization.trim(),
    project: project.trim(),
    authHeader: settings.authHeader,
    apiVersion: settings.apiVersion,
  });
  const id = listedAccountId(entry.name, entry.baseUrl);
  log.redactor.add(apiKey);
  // The key first: the account connects as soon as the setting names it.
  await keys.setFor({ keySlot: listedKeySlot(id) }, apiKey);
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const existing = config.inspect<unknown[]>('accounts')?.globalValue;
  await config.update('accounts', [...(Array.isArray(existing) ? existing : []), entry], vscode.ConfigurationTarget.Global);
  log.info(`Account "${entry.name}" added (${entry.baseUrl}).`);
  if (!accounts.get(id)) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        "openaiBatches.accounts is also set in this workspace's settings, which take precedence over the user settings just written. Add the account there to see it.",
      ),
    );
    return;
  }
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(account) Account {0} added', plainText(entry.name, MAX_ACCOUNT_NAME)), 4000);
}

/** Remove Account: after a modal confirmation, forgets the account (see {@link forgetAccount}). */
export async function removeAccount(services: Services, argument: unknown): Promise<void> {
  const { accounts } = services;
  const named = accountIdOf(argument);
  let account = named === undefined ? undefined : accounts.get(named);
  if (named === undefined) {
    if (!accounts.accounts.some((candidate) => !candidate.settings.implicit)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There is no account in openaiBatches.accounts to remove.'));
      return;
    }
    account = await pickAccount(accounts, vscode.l10n.t('OpenAI Batches: Remove Account'), (candidate) => !candidate.settings.implicit);
  }
  if (!account) return;
  if (account.settings.implicit) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'The default account comes from the openaiBatches.baseUrl settings and cannot be removed; use "Clear API Key" to forget its key.',
      ),
    );
    return;
  }
  const remove = vscode.l10n.t('Remove Account');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Remove the account "{0}"?', account.settings.name),
    {
      modal: true,
      detail: vscode.l10n.t(
        'Its stored API key, cached batches and downloaded files are deleted, and its entry is removed from openaiBatches.accounts.',
      ),
    },
    remove,
  );
  if (answer !== remove) return;
  await forgetAccount(services, account);
}

/**
 * The confirmed part of Remove Account: deletes the account's key, batch cache and downloaded
 * files (as Clear API Key does), then its entry in the user settings, which disposes it.
 */
export async function forgetAccount(services: Services, account: AccountContext): Promise<void> {
  const { id, name } = account.settings;
  await forgetApiKey(servicesOf(services, account));
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const inspected = config.inspect<unknown[]>('accounts');
  await config.update('accounts', withoutAccount(inspected?.globalValue, id), vscode.ConfigurationTarget.Global);
  services.log.info(`Account "${name}" removed.`);
  if (services.accounts.get(id)) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'The account "{0}" is also listed in this workspace\'s settings (openaiBatches.accounts); remove it there too. Its key and caches were deleted.',
        name,
      ),
    );
  }
}
