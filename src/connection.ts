import * as vscode from 'vscode';
import type { ApiKeyStore } from './auth/apiKeyStore';
import { ContextKey } from './commands/commandIds';
import { CONFIG_SECTION, readSettings } from './config';
import type { BatchStore } from './core/batchStore';
import { BatchApiClient } from './core/client';
import { ApiError } from './core/errors';
import type { Logger } from './log';

/**
 * Keeps the store connected to the account the settings and SecretStorage describe:
 * rebuilds the client when the key, base URL or headers change (also from another window)
 * and mirrors state into context keys for `when` clauses.
 */
export class ConnectionManager implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private generation = 0;
  private currentKey: string | undefined;

  constructor(
    private readonly store: BatchStore,
    private readonly keys: ApiKeyStore,
    private readonly log: Logger,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration(CONFIG_SECTION)) return;
        if (event.affectsConfiguration(`${CONFIG_SECTION}.autoRefreshSeconds`) && !this.affectsConnection(event)) return;
        void this.reconnect();
      }),
      keys.onDidChange((identity) => {
        if (keys.isFor(identity, readSettings().baseUrl)) void this.reconnect();
      }),
      store.onDidChange(() => void vscode.commands.executeCommand('setContext', ContextKey.hasMore, store.hasLoaded && store.hasMore)),
    );
  }

  /** Reads settings and the stored key, and points the store at that account. */
  async reconnect(): Promise<void> {
    const generation = ++this.generation;
    const settings = readSettings();
    const apiKey = await this.keys.get(settings.baseUrl);
    if (generation !== this.generation) return; // a newer reconnect won the race
    this.log.redactor.remove(this.currentKey);
    this.currentKey = apiKey;
    this.log.redactor.add(apiKey);
    await vscode.commands.executeCommand('setContext', ContextKey.hasApiKey, !!apiKey);
    if (!apiKey) {
      this.log.info(`No API key stored for ${settings.baseUrl}.`);
      this.store.setConnection({ kind: 'signedOut' });
      return;
    }
    try {
      const client = new BatchApiClient({
        baseUrl: settings.baseUrl,
        apiKey,
        organization: settings.organization || undefined,
        project: settings.project || undefined,
        timeoutMs: settings.requestTimeoutSeconds * 1000,
        authHeader: settings.authHeader,
        apiVersion: settings.apiVersion || undefined,
        log: (line) => this.log.debug(line),
      });
      this.log.info(`Connected to ${client.baseUrl}.`);
      this.store.setConnection({ kind: 'ready', client });
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('insecureUrl', String(error));
      this.log.warn(apiError.message);
      this.store.setConnection({ kind: 'misconfigured', error: apiError });
    }
  }

  private affectsConnection(event: vscode.ConfigurationChangeEvent): boolean {
    return ['baseUrl', 'pageSize', 'organization', 'project', 'requestTimeoutSeconds', 'authHeader', 'apiVersion'].some((name) =>
      event.affectsConfiguration(`${CONFIG_SECTION}.${name}`),
    );
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
