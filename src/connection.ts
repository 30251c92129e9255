import * as vscode from 'vscode';
import type { ApiKeyStore } from './auth/apiKeyStore';
import { CONFIG_SECTION } from './ids';
import { implicitSettings, readSettings } from './config';
import type { AccountSettings } from './core/api/accounts';
import { accountId, BatchCache } from './core/batches/batchCache';
import type { BatchCacheSaver } from './core/batches/batchCacheSaver';
import type { BatchStore } from './core/batches/batchStore';
import { BatchApiClient } from './core/api/client';
import { ApiError, errorMessage } from './core/api/errors';
import type { Logger } from './log';

/** Settings that change which account is talked to, or how. */
const CONNECTION_SETTINGS = ['baseUrl', 'pageSize', 'organization', 'project', 'requestTimeoutSeconds', 'authHeader', 'apiVersion'];
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
    const apiKey = await this.keys.getFor(settings);
    if (generation !== this.generation) return; // a newer reconnect won the race
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
    ]);
    if (signature === this.signature && this.store.state.kind !== 'misconfigured') return;
    this.signature = signature;
    // Without a key (cleared here or in another window) the signed-out account's cache is not written back.
    if (apiKey) this.saver.flush();
    else this.saver.cancel();
    // The redactor is shared by every account, and two accounts may hold the same key: an old key stays redacted.
    this.log.redactor.add(apiKey);
    if (!apiKey) {
      this.log.info(`No API key stored for ${settings.implicit ? settings.baseUrl : `account "${settings.name}" (${settings.baseUrl})`}.`);
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
    this.log.info(`Connected to ${client.baseUrl}${cached ? ` (painted ${cached.snapshot.items.length} cached batches)` : ''}.`);
    this.store.setConnection({ kind: 'ready', client, account }, cached);
    // Reconcile the cached tree in the background, after it has been painted.
    if (cached) setTimeout(() => void this.store.refresh(), 0);
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
