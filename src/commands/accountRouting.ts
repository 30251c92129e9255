import * as vscode from 'vscode';
import { accountDescription } from '../core/api/accounts';
import { isRecord } from '../core/util/json';
import type { Services } from './services';
import type { AccountContext, AccountRegistry } from '../accounts/accountRegistry';

/**
 * The account an argument names: a tree node's (`accountId`), or an object's `accountId` (the
 * extension's own hover links and notifications). Untrusted: it only ever selects one of the
 * user's own accounts, by id.
 */
export function accountIdOf(argument: unknown): string | undefined {
  if (!isRecord(argument)) return undefined;
  const id = argument.accountId;
  return typeof id === 'string' && id ? id : undefined;
}

/** The batch id an argument names without an account (a string, or an object's `id`). */
function batchIdOf(argument: unknown): string | undefined {
  const id = isRecord(argument) ? argument.id : argument;
  return typeof id === 'string' && id.trim() ? id.trim() : undefined;
}

/** The services of one account: its store, connection and panels in place of the implicit account's. */
export function servicesOf(base: Services, account: AccountContext): Services {
  const { store, connection, panels, results, compare, jsonDocuments } = account;
  return { ...base, store, connection, panels, results, compare, jsonDocuments };
}

/** A keyboard-friendly quick pick of the accounts; undefined when dismissed. */
export async function pickAccount(
  registry: AccountRegistry,
  title: string,
  only?: (account: AccountContext) => boolean,
): Promise<AccountContext | undefined> {
  const candidates = registry.accounts.filter((account) => only?.(account) ?? true);
  const picked = await vscode.window.showQuickPick(
    candidates.map((account) => {
      const { store } = account;
      const state =
        store.state.kind === 'signedOut'
          ? vscode.l10n.t('no API key')
          : store.state.kind === 'misconfigured'
            ? vscode.l10n.t('misconfigured')
            : store.hasLoaded
              ? vscode.l10n.t('{0} loaded', store.batches.length)
              : vscode.l10n.t('not loaded yet');
      // Names are sanitised where the setting is read; descriptions by accountDescription.
      return { label: account.settings.name, description: accountDescription(account.settings), detail: state, account };
    }),
    { title, placeHolder: vscode.l10n.t('Which account?'), matchOnDescription: true, ignoreFocusOut: true },
  );
  return picked?.account;
}

/**
 * Which accounts a command runs for, from what it was invoked with: the account of the node (or
 * of the `accountId` it names); with one account, that one; the account holding the batch id it
 * names; else, with several, every account when `everyAccount`, or the one the user picks.
 * Undefined: nothing to run (dismissed, or an account that no longer exists).
 */
export async function accountsFor(
  registry: AccountRegistry,
  args: readonly unknown[],
  title: string,
  everyAccount = false,
): Promise<AccountContext[] | undefined> {
  const named = accountIdOf(args[0]);
  if (named !== undefined) {
    const account = registry.get(named);
    if (!account) void vscode.window.showWarningMessage(vscode.l10n.t('That account is no longer configured (openaiBatches.accounts).'));
    return account ? [account] : undefined;
  }
  if (!registry.multiple) return [registry.primary];
  const batchId = batchIdOf(args[0]);
  const holder = batchId === undefined ? undefined : registry.accounts.find((account) => account.store.get(batchId));
  if (holder) return [holder];
  if (everyAccount && args.length === 0) return [...registry.accounts];
  const picked = await pickAccount(registry, title);
  return picked ? [picked] : undefined;
}
