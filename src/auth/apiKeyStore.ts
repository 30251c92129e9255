import * as vscode from 'vscode';
import { baseUrlIdentity } from '../core/api/baseUrl';

const SECRET_PREFIX = 'openaiBatches.apiKey:';

/**
 * API keys in SecretStorage, one entry per base URL, so switching providers never sends
 * one provider's key to another.
 */
export class ApiKeyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the base URL identity whose key changed (also when another window changed it). */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((event) => {
      if (event.key.startsWith(SECRET_PREFIX)) this.changed.fire(event.key.slice(SECRET_PREFIX.length));
    });
  }

  async get(baseUrl: string): Promise<string | undefined> {
    const key = await this.secrets.get(secretName(baseUrl));
    return key?.trim() || undefined;
  }

  async set(baseUrl: string, apiKey: string): Promise<void> {
    await this.secrets.store(secretName(baseUrl), apiKey.trim());
  }

  async clear(baseUrl: string): Promise<void> {
    await this.secrets.delete(secretName(baseUrl));
  }

  /** The key of an account (see `AccountSettings.keySlot`: the implicit account's slot is its base URL identity). */
  async getFor(account: { keySlot: string }): Promise<string | undefined> {
    const key = await this.secrets.get(SECRET_PREFIX + account.keySlot);
    return key?.trim() || undefined;
  }

  async setFor(account: { keySlot: string }, apiKey: string): Promise<void> {
    await this.secrets.store(SECRET_PREFIX + account.keySlot, apiKey.trim());
  }

  async clearFor(account: { keySlot: string }): Promise<void> {
    await this.secrets.delete(SECRET_PREFIX + account.keySlot);
  }

  isFor(identity: string, baseUrl: string): boolean {
    return identity === baseUrlIdentity(baseUrl);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function secretName(baseUrl: string): string {
  return SECRET_PREFIX + baseUrlIdentity(baseUrl);
}
