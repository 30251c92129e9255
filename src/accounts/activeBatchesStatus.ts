import * as vscode from 'vscode';
import type { StoreSource } from '../contextKeys';
import { isActive } from '../core/batches/grouping';
import { ViewId } from '../ids';

/** The status-bar count of active batches, summed over every account; click to show them. */
export class ActiveBatchesStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('openaiBatches.active', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly source: StoreSource) {
    this.item.name = vscode.l10n.t('OpenAI Batches: active batches');
    this.item.command = `${ViewId.batches}.focus`;
    this.item.tooltip = vscode.l10n.t('OpenAI batches still running — click to show them');
    this.subscription = source.onDidChangeAnyStore(() => this.update());
  }

  update(): void {
    let active = 0;
    for (const { store } of this.source.accounts) active += store.batches.filter(isActive).length;
    this.item.text =
      active === 1 ? vscode.l10n.t('$(sync~spin) {0} active batch', active) : vscode.l10n.t('$(sync~spin) {0} active batches', active);
    if (active > 0) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
