import type * as vscode from 'vscode';
import type { BatchStore } from '../core/batchStore';
import { describeFilter } from '../core/filter';
import { relativeTime } from '../core/format';
import type { BatchTreeProvider } from './batchTreeProvider';

/** The text beside the view title: whether the tree is filtered, and whether it shows cached data not yet reconciled. */
export function viewDescription(store: BatchStore, tree: BatchTreeProvider, nowMs = Date.now()): string | undefined {
  const parts: string[] = [];
  if (tree.filter) parts.push(`Filtered: ${describeFilter(tree.filter)}`);
  if (store.cachedAt !== undefined) parts.push(`cached, updated ${relativeTime(store.cachedAt / 1000, nowMs)}`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** Keeps the view's description current as the store and the filter change. */
export function bindViewDescription(view: vscode.TreeView<unknown>, store: BatchStore, tree: BatchTreeProvider): vscode.Disposable {
  const update = (): void => {
    view.description = viewDescription(store, tree);
  };
  const subscriptions = [store.onDidChange(update), tree.onDidChangeTreeData(update)];
  return {
    dispose: () => {
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}
