import * as vscode from 'vscode';
import type { BatchStore } from '../core/batchStore';
import { describeFilter, matchesFilter } from '../core/filter';
import { plainText, relativeTime } from '../core/format';
import type { BatchTreeProvider } from './batchTreeProvider';

/** The text beside the view title: whether the tree is filtered, and whether it shows cached data not yet reconciled. */
function viewDescription(store: BatchStore, tree: BatchTreeProvider, nowMs = Date.now()): string | undefined {
  const parts: string[] = [];
  // Filters name statuses and endpoints the API sent.
  if (tree.filter) parts.push(vscode.l10n.t('Filtered: {0}', plainText(describeFilter(tree.filter))));
  if (store.cachedAt !== undefined) parts.push(vscode.l10n.t('cached, updated {0}', relativeTime(store.cachedAt / 1000, nowMs)));
  return parts.length ? parts.join(' · ') : undefined;
}

/**
 * The line above the tree while a filter is active or cached batches are shown. The description
 * alone is not enough: in the default layout (the only view of its container) VS Code merges the
 * view's header into the container's title and the description is not shown at all.
 */
function viewMessage(store: BatchStore, tree: BatchTreeProvider, nowMs = Date.now()): string | undefined {
  const parts: string[] = [];
  const filter = tree.filter;
  if (filter && store.hasLoaded) {
    const shown = store.batches.filter((batch) => matchesFilter(batch, filter)).length;
    parts.push(vscode.l10n.t('Filtered: {0} — {1} of {2} loaded batches', plainText(describeFilter(filter)), shown, store.batches.length));
  }
  if (store.cachedAt !== undefined) parts.push(vscode.l10n.t('Cached from {0}; updating…', relativeTime(store.cachedAt / 1000, nowMs)));
  return parts.length ? parts.join('\n') : undefined;
}

/** Keeps the view's description (and, while filtered, its message) current as the store and the filter change. */
export function bindViewDescription(view: vscode.TreeView<unknown>, store: BatchStore, tree: BatchTreeProvider): vscode.Disposable {
  const update = (): void => {
    view.description = viewDescription(store, tree);
    view.message = viewMessage(store, tree);
  };
  const subscriptions = [store.onDidChange(update), tree.onDidChangeTreeData(update)];
  return {
    dispose: () => {
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}
