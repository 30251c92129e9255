import { createHash } from 'node:crypto';
import { baseUrlIdentity } from './baseUrl';
import type { AuthHeaderStyle } from './client';
import { plainText } from '../util/text';
import { isRecord } from '../util/json';
import { apiVersionFor } from './providers';

/** The id of the account the single-account settings (`openaiBatches.baseUrl`, …) describe. */
export const IMPLICIT_ACCOUNT_ID = 'default';

/** What `openaiBatches.accounts` may hold at most; the rest is reported, not connected. */
export const MAX_ACCOUNTS = 20;

/** Longest account name kept; longer ones are cut (names are labels, not data). */
export const MAX_ACCOUNT_NAME = 60;

/** The connection settings of one account. */
export interface AccountSettings {
  /**
   * Stable across restarts and edits of the other fields: {@link IMPLICIT_ACCOUNT_ID} for the
   * implicit account, else derived from the name and the base URL, so that pointing an entry at
   * another provider never reuses the key stored for the first one.
   */
  id: string;
  name: string;
  baseUrl: string;
  organization: string;
  project: string;
  authHeader: AuthHeaderStyle;
  apiVersion: string;
  /**
   * The SecretStorage identity its key is stored under. The implicit account keeps the one it
   * always had (the base URL's identity), so keys stored before accounts existed still work.
   */
  keySlot: string;
  /** True for the account the single-account settings describe. */
  implicit: boolean;
  /** Set when a workspace's settings, not the user's, chose this account's base URL (or listed the account). */
  hostChosenBy?: WorkspaceOrigin;
}

/** Which workspace settings chose a host: the scope, and the file as it is shown (`.vscode/settings.json`, `x.code-workspace`). */
export interface WorkspaceOrigin {
  scope: 'workspace' | 'workspaceFolder';
  file: string;
}

/** The single-account settings as they are read from `openaiBatches.*`. */
export interface ImplicitAccountSettings {
  baseUrl: string;
  organization: string;
  project: string;
  authHeader: AuthHeaderStyle;
  apiVersion: string;
  hostChosenBy?: WorkspaceOrigin;
}

/** The accounts to show, and one line per entry of the setting that was skipped or corrected. */
export interface ParsedAccounts {
  accounts: AccountSettings[];
  problems: string[];
}

/** The implicit first account: today's settings, its key where it always was. */
export function implicitAccount(settings: ImplicitAccountSettings, name = 'Default'): AccountSettings {
  return { ...settings, id: IMPLICIT_ACCOUNT_ID, name, keySlot: baseUrlIdentity(settings.baseUrl), implicit: true };
}

/** The id of a listed account: its name (case-insensitive) and its provider. */
export function listedAccountId(name: string, baseUrl: string): string {
  const hash = createHash('sha256')
    .update(`${name.trim().toLowerCase()}\n${baseUrlIdentity(baseUrl.trim())}`)
    .digest('hex');
  return `acct-${hash.slice(0, 16)}`;
}

/** The key slot of a listed account: never a base URL identity (those start with a scheme), so never the implicit account's. */
export function listedKeySlot(id: string): string {
  return `account/${id}`;
}

/**
 * Reads `openaiBatches.accounts` defensively: anything that is not a usable entry is skipped with
 * a problem line (never thrown), duplicates (same name, case-insensitive, including the implicit
 * account's) are skipped after the first, and at most {@link MAX_ACCOUNTS} entries are kept. Base
 * URLs are not checked for safety here: the connection refuses an unsafe one with an error node
 * under that account, as it does for `openaiBatches.baseUrl`.
 */
export function parseAccounts(raw: unknown, implicit: AccountSettings): ParsedAccounts {
  const accounts: AccountSettings[] = [implicit];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { accounts, problems };
  if (!Array.isArray(raw)) {
    problems.push('openaiBatches.accounts must be a list of accounts; it was ignored.');
    return { accounts, problems };
  }
  const names = new Set([implicit.name.toLowerCase()]);
  raw.forEach((entry: unknown, index) => {
    const where = `openaiBatches.accounts[${index}]`;
    if (!isRecord(entry)) {
      problems.push(`${where} is not an object; skipped.`);
      return;
    }
    const rawName = typeof entry.name === 'string' ? entry.name.trim() : '';
    // Shown on every surface: sanitised once here (the id keeps the name as typed).
    const name = plainText(rawName, MAX_ACCOUNT_NAME).trim();
    if (!name) {
      problems.push(`${where} has no "name"; skipped.`);
      return;
    }
    const shown = `${where} ("${name}")`;
    const baseUrl = typeof entry.baseUrl === 'string' ? entry.baseUrl.trim() : '';
    if (!baseUrl) {
      problems.push(`${shown} has no "baseUrl"; skipped.`);
      return;
    }
    if (names.has(rawName.toLowerCase())) {
      problems.push(`${shown}: another account already has this name; skipped.`);
      return;
    }
    if (accounts.length > MAX_ACCOUNTS) {
      problems.push(`${shown}: at most ${MAX_ACCOUNTS} accounts are shown; skipped.`);
      return;
    }
    const text = (field: 'organization' | 'project' | 'apiVersion'): string => {
      const value = entry[field];
      if (value === undefined || value === null) return '';
      if (typeof value === 'string') return value.trim();
      problems.push(`${shown}: "${field}" must be a string; ignored.`);
      return '';
    };
    let authHeader: AuthHeaderStyle = 'bearer';
    if (entry.authHeader === 'api-key') authHeader = 'api-key';
    else if (entry.authHeader !== undefined && entry.authHeader !== 'bearer')
      problems.push(`${shown}: "authHeader" must be "bearer" or "api-key"; using "bearer".`);
    const id = listedAccountId(rawName, baseUrl);
    names.add(rawName.toLowerCase());
    accounts.push({
      id,
      name,
      baseUrl,
      organization: text('organization'),
      project: text('project'),
      authHeader,
      // Azure's v1 API refuses a dated api-version left over from its dated API.
      apiVersion: apiVersionFor(baseUrl, text('apiVersion')),
      keySlot: listedKeySlot(id),
      implicit: false,
    });
  });
  return { accounts, problems };
}

/** What an account's node says under its name: the host, then organization and project when set. */
export function accountDescription(account: AccountSettings): string {
  return plainText([accountHost(account), account.organization, account.project].filter(Boolean).join(' · '), 200);
}

/** The host of an account's base URL (sanitised), or the URL as typed when it does not parse. */
export function accountHost(account: Pick<AccountSettings, 'baseUrl'>): string {
  let host = account.baseUrl;
  try {
    host = new URL(account.baseUrl).host;
  } catch {
    // An invalid URL is shown as typed (sanitised); its connection shows why it is refused.
  }
  return plainText(host, 200);
}

/**
 * An entry for `openaiBatches.accounts` as Add Account writes it: optional fields only when set,
 * so the user's settings stay as short as they would type them.
 */
export function accountEntry(account: Omit<AccountSettings, 'id' | 'keySlot' | 'implicit'>): Record<string, string> {
  const entry: Record<string, string> = { name: account.name, baseUrl: account.baseUrl };
  if (account.organization) entry.organization = account.organization;
  if (account.project) entry.project = account.project;
  if (account.authHeader !== 'bearer') entry.authHeader = account.authHeader;
  if (account.apiVersion) entry.apiVersion = account.apiVersion;
  return entry;
}

/** The setting's entries without the one that parses to `id` (Remove Account); other entries are kept exactly as they were. */
export function withoutAccount(raw: unknown, id: string): unknown[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((entry: unknown) => {
    if (!isRecord(entry) || typeof entry.name !== 'string' || typeof entry.baseUrl !== 'string') return true;
    return listedAccountId(entry.name, entry.baseUrl) !== id;
  });
}
