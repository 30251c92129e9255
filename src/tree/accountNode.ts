import * as vscode from 'vscode';
import { workspaceHostNote } from '../auth/workspaceHost';
import { ENV_VARS } from '../core/api/environment';
import { accountDescription, type AccountSettings } from '../core/api/accounts';
import type { ConnectionState } from '../core/batches/batchStore';
import { NodeContext } from './contextValues';
import type { TreeNode } from './nodes';

/** A root of the tree when several accounts are shown: its status groups, load more and errors are its children. */
export class AccountNode implements TreeNode {
  readonly id: string;

  constructor(
    readonly account: AccountSettings,
    private readonly state: ConnectionState['kind'],
    /** Loaded batches, or undefined before the first page. */
    private readonly loaded: number | undefined,
    private readonly failed: boolean,
    /** Where its key comes from: the environment is said on the node. */
    private readonly keySource?: 'stored' | 'environment',
  ) {
    this.id = `account/${account.id}`;
  }

  get accountId(): string {
    return this.account.id;
  }

  toTreeItem(): vscode.TreeItem {
    const account = this.account;
    // The name is sanitised where the setting is read (parseAccounts); the description here.
    const item = new vscode.TreeItem(account.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    const description = accountDescription(account);
    const status =
      this.state === 'signedOut'
        ? vscode.l10n.t('no API key')
        : this.state === 'misconfigured'
          ? vscode.l10n.t('misconfigured')
          : this.failed
            ? vscode.l10n.t('failing')
            : undefined;
    const hostNote = workspaceHostNote(account);
    const keyNote = this.keySource === 'environment' ? vscode.l10n.t('key from {0}', ENV_VARS.apiKey) : undefined;
    item.description = [
      hostNote ? vscode.l10n.t('{0}, chosen by this workspace', description) : description,
      keyNote,
      status ?? (this.loaded !== undefined ? vscode.l10n.t('{0} loaded', this.loaded) : undefined),
    ]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = new vscode.ThemeIcon(
      status || hostNote ? 'warning' : 'account',
      status || hostNote ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    item.tooltip = [
      account.implicit ? vscode.l10n.t('{0} (the openaiBatches.baseUrl settings)', account.name) : account.name,
      description,
      hostNote,
      keyNote && vscode.l10n.t('The API key comes from the environment ({0}); it is not stored.', ENV_VARS.apiKey),
      status,
    ]
      .filter(Boolean)
      .join('\n');
    item.contextValue = account.implicit ? NodeContext.account : `${NodeContext.account} removable`;
    item.accessibilityInformation = { label: vscode.l10n.t('Account {0}, {1}', account.name, String(item.description)) };
    return item;
  }
}
