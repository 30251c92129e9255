import * as vscode from 'vscode';
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
    item.description = [description, status ?? (this.loaded !== undefined ? vscode.l10n.t('{0} loaded', this.loaded) : undefined)]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = new vscode.ThemeIcon(
      status ? 'warning' : 'account',
      status ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    item.tooltip = `${account.implicit ? vscode.l10n.t('{0} (the openaiBatches.baseUrl settings)', account.name) : account.name}\n${description}${status ? `\n${status}` : ''}`;
    item.contextValue = account.implicit ? NodeContext.account : `${NodeContext.account} removable`;
    item.accessibilityInformation = { label: vscode.l10n.t('Account {0}, {1}', account.name, String(item.description)) };
    return item;
  }
}
