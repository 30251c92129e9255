import * as vscode from 'vscode';
import type { AccountContext } from '../accounts/accountRegistry';
import { accountIdOf, pickAccount, servicesOf } from '../accounts/accountRouting';
import { readAccounts } from '../config';
import { accountEntry, listedAccountId, listedKeySlot, MAX_ACCOUNT_NAME, withoutAccount } from '../core/accounts';
import { validateBaseUrl } from '../core/baseUrl';
import { errorMessage } from '../core/errors';
import { plainText } from '../core/format';
import { CONFIG_SECTION } from '../ids';
import { forgetApiKey } from './apiKeyCommands';
import { pickProvider } from './providerCommands';
import type { Services } from './services';

const ADD_TITLE = 'OpenAI Batches: Add Account';

/** One optional or required line of the walk; undefined when the user pressed Escape. */
function ask(step: string, prompt: string, options: Partial<vscode.InputBoxOptions> = {}): Thenable<string | undefined> {
  return vscode.window.showInputBox({ title: `${ADD_TITLE} (${step})`, prompt, ignoreFocusOut: true, ...options });
}

/**
 * Add Account: provider (Choose Provider's presets and questions) → organization and project →
 * name → key. The key goes to SecretStorage under the new account, then the entry is appended to
 * `openaiBatches.accounts` in the user settings, which makes it appear in the tree.
 */
export async function addAccount({ accounts, keys, log }: Pick<Services, 'accounts' | 'keys' | 'log'>): Promise<void> {
  const chosen = await pickProvider(ADD_TITLE, '');
  if (!chosen) return;
  const { settings } = chosen;
  try {
    validateBaseUrl(settings.baseUrl);
  } catch (error) {
    void vscode.window.showErrorMessage(plainText(errorMessage(error), 400));
    return;
  }
  const organization = await ask('organization', 'OpenAI organization id sent as OpenAI-Organization (optional: leave empty for none)', {
    placeHolder: 'org-…',
  });
  if (organization === undefined) return;
  const project = await ask('project', 'OpenAI project id sent as OpenAI-Project (optional: leave empty for none)', {
    placeHolder: 'proj_…',
  });
  if (project === undefined) return;
  const taken = new Set(readAccounts().accounts.map((account) => account.name.toLowerCase()));
  const name = await ask('name', 'A name for this account, shown in the Batches view', {
    placeHolder: 'Work, Personal, Azure…',
    validateInput: (text) => {
      const trimmed = text.trim();
      if (!trimmed) return 'Enter a name.';
      if (trimmed.length > MAX_ACCOUNT_NAME) return `At most ${MAX_ACCOUNT_NAME} characters.`;
      if (taken.has(plainText(trimmed, MAX_ACCOUNT_NAME).toLowerCase())) return 'Another account already has this name.';
      return undefined;
    },
  });
  if (name === undefined) return;
  const apiKey = (
    await ask(
      'API key',
      `API key for ${plainText(name.trim(), MAX_ACCOUNT_NAME)}. It is stored in VS Code's SecretStorage, never in settings.`,
      {
        placeHolder: 'sk-…',
        password: true,
        validateInput: (text) => (text.trim() ? undefined : 'Enter an API key, or press Escape to cancel.'),
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
      "openaiBatches.accounts is also set in this workspace's settings, which take precedence over the user settings just written. Add the account there to see it.",
    );
    return;
  }
  vscode.window.setStatusBarMessage(`$(account) Account ${plainText(entry.name, MAX_ACCOUNT_NAME)} added`, 4000);
}

/** Remove Account: after a modal confirmation, forgets the account (see {@link forgetAccount}). */
export async function removeAccount(services: Services, argument: unknown): Promise<void> {
  const { accounts } = services;
  const named = accountIdOf(argument);
  let account = named === undefined ? undefined : accounts.get(named);
  if (named === undefined) {
    if (!accounts.accounts.some((candidate) => !candidate.settings.implicit)) {
      void vscode.window.showInformationMessage('There is no account in openaiBatches.accounts to remove.');
      return;
    }
    account = await pickAccount(accounts, 'OpenAI Batches: Remove Account', (candidate) => !candidate.settings.implicit);
  }
  if (!account) return;
  if (account.settings.implicit) {
    void vscode.window.showInformationMessage(
      'The default account comes from the openaiBatches.baseUrl settings and cannot be removed; use "Clear API Key" to forget its key.',
    );
    return;
  }
  const answer = await vscode.window.showWarningMessage(
    `Remove the account "${account.settings.name}"?`,
    {
      modal: true,
      detail: 'Its stored API key, cached batches and downloaded files are deleted, and its entry is removed from openaiBatches.accounts.',
    },
    'Remove Account',
  );
  if (answer !== 'Remove Account') return;
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
      `The account "${name}" is also listed in this workspace's settings (openaiBatches.accounts); remove it there too. Its key and caches were deleted.`,
    );
  }
}
