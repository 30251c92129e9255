import * as vscode from 'vscode';
import * as path from 'path';
import { type EnvironmentValues, readEnvironment } from './core/api/environment';
import { type AccountSettings, implicitAccount, parseAccounts, type ParsedAccounts, type WorkspaceOrigin } from './core/api/accounts';
import { expiresAfterHours } from './core/input/batchCreation';
import type { AuthHeaderStyle } from './core/api/client';
import { apiVersionFor } from './core/api/providers';
import type { ExpiresAfter } from './core/api/types';
import { CONFIG_SECTION } from './ids';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface ExplorerSettings {
  baseUrl: string;
  pageSize: number;
  organization: string;
  project: string;
  autoRefreshSeconds: number;
  requestTimeoutSeconds: number;
  authHeader: AuthHeaderStyle;
  apiVersion: string;
  cacheSize: number;
  /** Result files larger than this (bytes) are offered "Save As…" instead of being opened. */
  maxOpenFileBytes: number;
  /** What Create Batch offers first for `output_expires_after`; undefined: keep outputs until deleted. */
  outputExpiresAfter?: ExpiresAfter;
  /** Sent as the upload's `expires_after`; undefined: the API's default (30 days for batch input). */
  inputExpiresAfter?: ExpiresAfter;
  /** Most requests in one batch (`openaiBatches.maxRequestsPerBatch`): larger input files are offered a split. */
  maxRequestsPerBatch: number;
}

/** The API's range for both expiry settings, in hours (1 hour to 30 days); 0 sends nothing. */
export const EXPIRY_HOURS = { min: 0, max: 720 } as const;

/** Reads `openaiBatches.*`, clamping out-of-range values to what the API accepts. */
export function readSettings(): ExplorerSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const value = Math.floor(Number(config.get<number>(name, fallback)));
    return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
  };
  const text = (name: string, fallback = ''): string => String(config.get<string>(name, fallback) ?? fallback).trim();
  // As the OpenAI SDKs do: OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID stand in for settings that are not set.
  const env = environmentValues(config);
  const orEnv = (name: string, fromEnv: string | undefined): string => (isSet(config, name) ? text(name) : (fromEnv ?? ''));
  const baseUrl = orEnv('baseUrl', env.baseUrl) || DEFAULT_BASE_URL;
  return {
    baseUrl,
    pageSize: int('pageSize', 20, 1, 100),
    organization: orEnv('organization', env.organization),
    project: orEnv('project', env.project),
    autoRefreshSeconds: int('autoRefreshSeconds', 30, 0, 3600),
    requestTimeoutSeconds: int('requestTimeoutSeconds', 30, 1, 600),
    authHeader: config.get<string>('authHeader') === 'api-key' ? 'api-key' : 'bearer',
    // Azure's v1 API refuses a dated api-version left over from its dated API.
    apiVersion: apiVersionFor(baseUrl, text('apiVersion')),
    cacheSize: int('cacheSize', 5000, 0, 100_000),
    maxOpenFileBytes: int('maxOpenFileMB', 50, 1, 2048) * 1024 * 1024,
    outputExpiresAfter: expiresAfterHours(int('outputExpiresAfterHours', 0, EXPIRY_HOURS.min, EXPIRY_HOURS.max)),
    inputExpiresAfter: expiresAfterHours(int('inputExpiresAfterHours', 0, EXPIRY_HOURS.min, EXPIRY_HOURS.max)),
    maxRequestsPerBatch: int('maxRequestsPerBatch', 50_000, 1, 100_000),
  };
}

/** The account `openaiBatches.baseUrl`, `.organization`, `.project`, `.authHeader` and `.apiVersion` describe. */
export function implicitSettings(): AccountSettings {
  const { baseUrl, organization, project, authHeader, apiVersion } = readSettings();
  return implicitAccount({ baseUrl, organization, project, authHeader, apiVersion, hostChosenBy: baseUrlChosenBy(baseUrl) });
}

/** Every account: the implicit one first, then `openaiBatches.accounts` (see `parseAccounts`). */
export function readAccounts(): ParsedAccounts {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const implicit = implicitSettings();
  const parsed = parseAccounts(config.get<unknown>('accounts'), implicit);
  const inspected = config.inspect<unknown>('accounts');
  const origin = workspaceOrigin(inspected, config.get<unknown>('accounts'));
  if (!origin) return parsed;
  // Entries the user's own settings list too were chosen by the user; the others by the workspace.
  const own = new Set(parseAccounts(inspected?.globalValue, implicit).accounts.map((account) => account.id));
  return {
    ...parsed,
    accounts: parsed.accounts.map((account) => (account.implicit || own.has(account.id) ? account : { ...account, hostChosenBy: origin })),
  };
}

/**
 * Whether `openaiBatches.useEnvironmentKey` is on. Only the user settings keep it on (a cloned
 * repository must not send the environment's key anywhere); any scope can turn it off.
 */
export function environmentEnabled(config = vscode.workspace.getConfiguration(CONFIG_SECTION)): boolean {
  const inspected = config.inspect<boolean>('useEnvironmentKey');
  if (inspected?.workspaceValue === false || inspected?.workspaceFolderValue === false) return false;
  return inspected?.globalValue ?? true;
}

/** The OPENAI_* variables, or nothing when `openaiBatches.useEnvironmentKey` is off. */
export function environmentValues(config = vscode.workspace.getConfiguration(CONFIG_SECTION)): EnvironmentValues {
  return environmentEnabled(config) ? readEnvironment() : {};
}

/**
 * The environment's key (`OPENAI_API_KEY`) for `account`: only the default account, only while
 * `openaiBatches.useEnvironmentKey` is on, never for a host a workspace's settings chose.
 */
export function environmentKeyFor(account: AccountSettings): string | undefined {
  return account.implicit && !account.hostChosenBy ? environmentValues().apiKey : undefined;
}

/** True when a setting has a value in any settings file (not only its default). */
function isSet(config: vscode.WorkspaceConfiguration, name: string): boolean {
  const inspected = config.inspect(name);
  return [inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue].some((value) => value !== undefined);
}

/**
 * The workspace settings that chose the effective base URL, when they chose another host than the
 * user's settings (or the environment, or the default) would have: undefined when the user chose it.
 */
export function baseUrlChosenBy(baseUrl: string): WorkspaceOrigin | undefined {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const inspected = config.inspect<string>('baseUrl');
  const origin = workspaceOrigin(inspected, config.get<string>('baseUrl'));
  if (!origin) return undefined;
  const userChoice = inspected?.globalValue?.trim() || environmentValues(config).baseUrl || DEFAULT_BASE_URL;
  return sameHost(userChoice, baseUrl) ? undefined : origin;
}

/** Same scheme and host: a key the user would send to one goes to the same server with the other. */
function sameHost(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a.trim()), new URL(b.trim())];
    return x.protocol === y.protocol && x.host.toLowerCase() === y.host.toLowerCase();
  } catch {
    return a.trim() === b.trim();
  }
}

/** The workspace scope whose value is the effective one, and the file it lives in as shown to the user. */
function workspaceOrigin(
  inspected: { workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined,
  effective: unknown,
): WorkspaceOrigin | undefined {
  const same = (value: unknown): boolean => value !== undefined && JSON.stringify(value) === JSON.stringify(effective);
  if (same(inspected?.workspaceFolderValue)) return { scope: 'workspaceFolder', file: '.vscode/settings.json' };
  if (!same(inspected?.workspaceValue)) return undefined;
  const workspaceFile = vscode.workspace.workspaceFile;
  const file = workspaceFile && workspaceFile.scheme !== 'untitled' ? path.basename(workspaceFile.fsPath) : '.vscode/settings.json';
  return { scope: 'workspace', file };
}

/** The queue's and the expiry guardian's settings (`enqueuedTokenLimits`, `archiveFolder`, `expiryWarningDays`). */
export interface AutopilotSettings {
  /** Model → enqueued-token limit; entries that are not positive numbers are left out. */
  enqueuedTokenLimits: Record<string, number>;
  /** Empty: archiving is off. */
  archiveFolder: string;
  /** 0: no warning. */
  expiryWarningDays: number;
}

export function readAutopilotSettings(): AutopilotSettings {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const raw: unknown = config.get('enqueuedTokenLimits', {});
  const enqueuedTokenLimits: Record<string, number> = {};
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [model, value] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof value === 'number' && Number.isFinite(value) && value > 0) enqueuedTokenLimits[model] = Math.floor(value);
    }
  }
  const days = Math.floor(Number(config.get<number>('expiryWarningDays', 3)));
  return {
    enqueuedTokenLimits,
    archiveFolder: String(config.get<string>('archiveFolder', '') ?? '').trim(),
    expiryWarningDays: Number.isFinite(days) ? Math.min(60, Math.max(0, days)) : 3,
  };
}
