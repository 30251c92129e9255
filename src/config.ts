import * as vscode from 'vscode';
import { type AccountSettings, implicitAccount, parseAccounts, type ParsedAccounts } from './core/api/accounts';
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
  const baseUrl = text('baseUrl', DEFAULT_BASE_URL) || DEFAULT_BASE_URL;
  return {
    baseUrl,
    pageSize: int('pageSize', 20, 1, 100),
    organization: text('organization'),
    project: text('project'),
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
  return implicitAccount({ baseUrl, organization, project, authHeader, apiVersion });
}

/** Every account: the implicit one first, then `openaiBatches.accounts` (see `parseAccounts`). */
export function readAccounts(): ParsedAccounts {
  return parseAccounts(vscode.workspace.getConfiguration(CONFIG_SECTION).get<unknown>('accounts'), implicitSettings());
}
