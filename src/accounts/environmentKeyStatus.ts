import * as vscode from 'vscode';
import type { StoreSource } from '../contextKeys';
import { accountHost } from '../core/api/accounts';
import { ENV_VARS } from '../core/api/environment';
import { CommandId } from '../ids';

/** A status-bar item while the default account uses the key from the environment; click: Store It. */
export class EnvironmentKeyStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('openaiBatches.environmentKey', vscode.StatusBarAlignment.Left, 49);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly source: StoreSource) {
    this.item.name = vscode.l10n.t('OpenAI Batches: API key from the environment');
    this.item.command = CommandId.storeEnvironmentKey;
    this.subscription = source.onDidChangeAnyStore(() => this.update());
    this.update();
  }

  update(): void {
    const primary = this.source.accounts.find((account) => account.settings?.implicit);
    if (primary?.keySource !== 'environment' || !primary.settings) {
      this.item.hide();
      return;
    }
    // The variable's name only: the key itself is never shown.
    this.item.text = `$(key) ${ENV_VARS.apiKey}`;
    this.item.tooltip = vscode.l10n.t(
      'OpenAI Batches uses the API key from the environment ({0}) for {1}; it is not stored. Click to store it in SecretStorage.',
      ENV_VARS.apiKey,
      accountHost(primary.settings),
    );
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
