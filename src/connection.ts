import * as vscode from 'vscode';
import type { ApiKeyStore } from './auth/apiKeyStore';
import { CONFIG_SECTION } from './ids';
import { ENV_VARS } from './core/api/environment';
import { environmentKeyFor, implicitSettings, readSettings } from './config';
import type { AccountSettings } from './core/api/accounts';
import { accountId, BatchCache } from './core/batches/batchCache';
import type { BatchCacheSaver } from './core/batches/batchCacheSaver';
import type { BatchStore } from './core/batches/batchStore';
import { BatchApiClient } from './core/api/client';
import { ApiError, errorMessage } from './core/api/errors';
import type { Logger } from './log';

/** Settings that change which account is talked to, or how. */
const CONNECTION_SETTINGS = [
  'baseUrl',
  'pageSize',
  'organization',
  'project',
  'requestTimeoutSeconds',
  'authHeader',
  'apiVersion',
  'useEnvironmentKey',
];

/** Where the key in use comes from: SecretStorage, or `OPENAI_API_KEY` (never stored unless the user says Store It). */
export type KeySource = 'stored' | 'environment';
/** The same for an account of `openaiBatches.accounts` (its own fields change through the registry, which reconnects it). */
const LISTED_ACCOUNT_SETTINGS = ['pageSize', 'requestTimeoutSeconds'];

/**
 * Keeps the store connected to the account the settings and SecretStorage describe: rebuilds
 * the client when the key, base URL or headers change (also from another window), and paints
 * the account's cached batches before any request. Saving them is the {@link BatchCacheSaver}'s.
 */
export class ConnectionManager implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private generation = 0;
  private signature: string | undefined;
  private source: KeySource | undefined;

  constructor(
    private readonly store: BatchStore,
    private readonly keys: ApiKeyStore,
    private readonly log: Logger,
    private readonly cache: BatchCache,
    private readonly saver: BatchCacheSaver,
    /** The account this connection is for, read at each reconnect; by default the implicit one (`openaiBatches.baseUrl`, …). */
    private readonly account: () => AccountSettings = implicitSettings,
  ) {
    const watched = account().implicit ? CONNECTION_SETTINGS : LISTED_ACCOUNT_SETTINGS;
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (watched.some((name) => event.affectsConfiguration(`${CONFIG_SECTION}.${name}`))) void this.reconnect();
      }),
      keys.onDidChange((identity) => {
        if (identity === this.account().keySlot) void this.reconnect();
      }),
    );
  }

  /**
   * Reads settings and the stored key, and points the store at that account. Does nothing when
   * neither changed, so the several events one change raises cost one reconnect.
   */
  async reconnect(): Promise<void> {
    const generation = ++this.generation;
    const settings = { ...readSettings(), ...this.account() };
    const stored = await this.keys.getFor(settings);
    if (generation !== this.generation) return; // a newer reconnect won the race
    const fromEnvironment = stored ? undefined : environmentKeyFor(settings);
    const apiKey = stored ?? fromEnvironment;
    const source: KeySource | undefined = stored ? 'stored' : fromEnvironment ? 'environment' : undefined;
    const signature = JSON.stringify([
      settings.id,
      settings.baseUrl,
      settings.pageSize,
      settings.organization,
      settings.project,
      settings.requestTimeoutSeconds,
      settings.authHeader,
      settings.apiVersion,
      apiKey,
      source,
      settings.hostChosenBy?.scope,
    ]);
    if (signature === this.signature && this.store.state.kind !== 'misconfigured') return;
    this.signature = signature;
    this.source = source;
    // Without a key (cleared here or in another window) the signed-out account's cache is not written back.
    if (apiKey) this.saver.flush();
    else this.saver.cancel();
    // The redactor is shared by every account, and two accounts may hold the same key: an old key stays redacted.
    this.log.redactor.add(apiKey);
    if (!apiKey) {
      this.log.info(`No API key stored for ${settings.implicit ? settings.baseUrl : `account "${settings.name}" (${settings.baseUrl})`}.`);
      if (settings.hostChosenBy && settings.implicit && environmentKeyFor({ ...settings, hostChosenBy: undefined }))
        this.log.info(`${ENV_VARS.apiKey} is not used for ${settings.baseUrl}: this workspace's settings chose that host.`);
      this.store.setConnection({ kind: 'signedOut' });
      return;
    }
    let client: BatchApiClient;
    try {
      client = new BatchApiClient({
        baseUrl: settings.baseUrl,
        apiKey,
        organization: settings.organization || undefined,
        project: settings.project || undefined,
        timeoutMs: settings.requestTimeoutSeconds * 1000,
        authHeader: settings.authHeader,
        apiVersion: settings.apiVersion || undefined,
        log: (line) => this.log.debug(line),
      });
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('insecureUrl', errorMessage(error));
      this.log.warn(apiError.message);
      this.store.setConnection({ kind: 'misconfigured', error: apiError });
      return;
    }
    const account = accountId({ baseUrl: settings.baseUrl, organization: settings.organization, project: settings.project, apiKey });
    const cached = settings.cacheSize > 0 ? await this.cache.load(account) : undefined;
    if (generation !== this.generation) return;
    this.saver.remember(account);
    const keyNote = source === 'environment' ? ` with the API key from the environment (${ENV_VARS.apiKey}; not stored)` : '';
    this.log.info(`Connected to ${client.baseUrl}${keyNote}${cached ? ` (painted ${cached.snapshot.items.length} cached batches)` : ''}.`);
    this.store.setConnection({ kind: 'ready', client, account }, cached);
    // Reconcile the cached tree in the background, after it has been painted.
    if (cached) setTimeout(() => void this.store.refresh(), 0);
  }

  /** Where the key in use comes from; undefined while signed out. */
  get keySource(): KeySource | undefined {
    return this.source;
  }

  /** The account this connection is for, as configured now. */
  get settings(): AccountSettings {
    return this.account();
  }

  /** Deletes the current account's batch cache (its key is being cleared); no later save writes it back. */
  clearCache(): Promise<void> {
    return this.saver.forgetCurrentAccount();
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
