import type * as vscode from 'vscode';
import type { BatchStore } from '../core/batchStore';
import { describeFilter, matchesFilter } from '../core/filter';
import { plainText, relativeTime } from '../core/format';
import type { BatchTreeProvider } from './batchTreeProvider';

/** The text beside the view title: whether the tree is filtered, and whether it shows cached data not yet reconciled. */
function viewDescription(store: BatchStore, tree: BatchTreeProvider, nowMs = Date.now()): string | undefined {
  const parts: string[] = [];
  // Filters name statuses and endpoints the API sent.
  if (tree.filter) parts.push(`Filtered: ${plainText(describeFilter(tree.filter))}`);
  if (store.cachedAt !== undefined) parts.push(`cached, updated ${relativeTime(store.cachedAt / 1000, nowMs)}`);
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
    parts.push(`Filtered: ${plainText(describeFilter(filter))} — ${shown} of ${store.batches.length} loaded batches`);
  }
  if (store.cachedAt !== undefined) parts.push(`Cached from ${relativeTime(store.cachedAt / 1000, nowMs)}; updating…`);
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
