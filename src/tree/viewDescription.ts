import * as vscode from 'vscode';
import type { StoreSource } from '../contextKeys';
import { demoHost } from '../core/api/environment';
import type { BatchStore } from '../core/batches/batchStore';
import { describeFilter, matchesFilter } from '../core/batches/filter';
import { relativeTime } from '../core/util/time';
import { plainText } from '../core/util/text';
import type { BatchTreeProvider } from './batchTreeProvider';

/** What the view's description and message are drawn from. */
interface ViewState {
  stores: readonly BatchStore[];
  tree: BatchTreeProvider;
  demo: string | undefined;
  nowMs: number;
}

/** The text beside the view title: whether the tree is filtered, and whether it shows cached data not yet reconciled. */
function viewDescription({ stores, tree, demo, nowMs }: ViewState): string | undefined {
  const parts: string[] = [];
  if (demo) parts.push(vscode.l10n.t('Demo'));
  // Filters name statuses and endpoints the API sent.
  if (tree.filter) parts.push(vscode.l10n.t('Filtered: {0}', plainText(describeFilter(tree.filter))));
  const cachedAt = oldestCache(stores);
  if (cachedAt !== undefined) parts.push(vscode.l10n.t('cached, updated {0}', relativeTime(cachedAt / 1000, nowMs)));
  return parts.length ? parts.join(' · ') : undefined;
}

/**
 * The line above the tree while a filter is active or cached batches are shown. The description
 * alone is not enough: in the default layout (the only view of its container) VS Code merges the
 * view's header into the container's title and the description is not shown at all.
 */
function viewMessage({ stores, tree, demo, nowMs }: ViewState): string | undefined {
  const parts: string[] = [];
  if (demo) parts.push(demo);
  const filter = tree.filter;
  const loaded = stores.filter((store) => store.hasLoaded);
  if (filter && loaded.length) {
    let shown = 0;
    let total = 0;
    for (const store of loaded) {
      shown += store.batches.filter((batch) => matchesFilter(batch, filter)).length;
      total += store.batches.length;
    }
    parts.push(vscode.l10n.t('Filtered: {0} — {1} of {2} loaded batches', plainText(describeFilter(filter)), shown, total));
  }
  const cachedAt = oldestCache(stores);
  if (cachedAt !== undefined) parts.push(vscode.l10n.t('Cached from {0}; updating…', relativeTime(cachedAt / 1000, nowMs)));
  return parts.length ? parts.join('\n') : undefined;
}

/** The oldest cache still shown unreconciled, over every account. */
function oldestCache(stores: readonly BatchStore[]): number | undefined {
  const times = stores.map((store) => store.cachedAt).filter((at): at is number => at !== undefined);
  return times.length ? Math.min(...times) : undefined;
}

/**
 * "Demo API on 127.0.0.1:8080 — fake data, its clock advances" while `npm run demo` started this
 * window (OPENAI_BATCHES_DEMO=1) and the default account talks to its loopback API.
 */
function demoNote(source: StoreSource): string | undefined {
  const primary = source.accounts.find((account) => account.settings?.implicit);
  const host = primary?.settings && demoHost(primary.settings.baseUrl);
  return host ? vscode.l10n.t('Demo API on {0} — fake data, its clock advances', host) : undefined;
}

/** Keeps the view's description (and, while filtered, its message) current as the stores and the filter change. */
export function bindViewDescription(view: vscode.TreeView<unknown>, source: StoreSource, tree: BatchTreeProvider): vscode.Disposable {
  const update = (): void => {
    const state: ViewState = { stores: source.accounts.map((account) => account.store), tree, demo: demoNote(source), nowMs: Date.now() };
    view.description = viewDescription(state);
    view.message = viewMessage(state);
  };
  update();
  const subscriptions = [source.onDidChangeAnyStore(update), tree.onDidChangeTreeData(update)];
  return {
    dispose: () => {
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}
