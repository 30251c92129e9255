import * as vscode from 'vscode';
import type { AccountSettings } from '../core/api/accounts';
import { isCancellation } from '../core/api/errors';
import type { BatchStore } from '../core/batches/batchStore';
import type { ProgressTracker } from '../core/batches/progressTracker';
import { plainText } from '../core/util/text';

/** An account as the agent tools see it. */
export interface ToolAccount {
  settings: AccountSettings;
  store: BatchStore;
  progress?: ProgressTracker;
}

/**
 * The account an input's `account` names (its name, case-insensitive, or its id); without one,
 * the first account, or the only one. A name no account has is refused with the names there are.
 */
export function pickAccount(
  accounts: readonly ToolAccount[],
  wanted: unknown,
  fallback?: (account: ToolAccount) => boolean,
): { ok: true; account: ToolAccount } | { ok: false; reason: string } {
  if (accounts.length === 0) return { ok: false, reason: 'No account is set up.' };
  const name = typeof wanted === 'string' ? wanted.trim().toLowerCase() : '';
  if (!name) return { ok: true, account: (fallback && accounts.find(fallback)) ?? accounts[0] };
  const found = accounts.find((account) => account.settings.name.toLowerCase() === name || account.settings.id.toLowerCase() === name);
  if (found) return { ok: true, account: found };
  return {
    ok: false,
    reason: `No account is named "${plainText(wanted, 60)}". The accounts are: ${accounts.map((account) => `"${plainText(account.settings.name, 60)}"`).join(', ')}.`,
  };
}

/** Runs `work` with an AbortSignal that follows the token; a cancellation becomes VS Code's own error. */
export async function withCancellation<R>(token: vscode.CancellationToken, work: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const abort = new AbortController();
  const subscription = token.onCancellationRequested(() => abort.abort());
  if (token.isCancellationRequested) abort.abort();
  try {
    return await work(abort.signal);
  } catch (error) {
    if (abort.signal.aborted || isCancellation(error)) throw new vscode.CancellationError();
    throw error;
  } finally {
    subscription.dispose();
  }
}
