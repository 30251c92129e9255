import * as vscode from 'vscode';
import { BatchFilter, isFilterActive } from '../../core/batches/filter';
import { humanizeStatus } from '../../core/batches/batchDisplay';
import { plainText } from '../../core/util/text';
import { KNOWN_STATUSES } from '../../core/batches/batchFacts';
import { statusOf } from '../../core/batches/grouping';
import { ContextKey } from '../../ids';
import type { Services } from '../services';

interface FacetItem extends vscode.QuickPickItem {
  facet?: { kind: 'status' | 'endpoint'; value: string };
}

/** Two quick steps: pick statuses/endpoints (multi-select), then optional text. Escape keeps the current filter. */
export async function filterBatches(services: Pick<Services, 'store' | 'tree' | 'accounts'>): Promise<void> {
  const current = services.tree.filter ?? {};
  // The filter applies to every account's groups, so it offers what any of them loaded.
  const loaded = services.accounts.multiple
    ? services.accounts.accounts.flatMap((account) => account.store.batches)
    : services.store.batches;
  const statuses = [...new Set([...KNOWN_STATUSES.filter((s) => loaded.some((b) => statusOf(b) === s)), ...loaded.map(statusOf)])];
  const endpoints = [...new Set(loaded.map((b) => b.endpoint).filter((e): e is string => typeof e === 'string' && !!e))].sort();
  const count = (predicate: (value: string) => boolean): number => loaded.filter((b) => predicate(b.endpoint ?? '')).length;

  const items: FacetItem[] = [
    { label: vscode.l10n.t('Status'), kind: vscode.QuickPickItemKind.Separator },
    ...statuses.map((status) => ({
      label: humanizeStatus(status),
      description: vscode.l10n.t('{0} loaded', loaded.filter((b) => statusOf(b) === status).length),
      picked: current.statuses?.includes(status) ?? false,
      facet: { kind: 'status' as const, value: status },
    })),
    { label: vscode.l10n.t('Endpoint'), kind: vscode.QuickPickItemKind.Separator },
    ...endpoints.map((endpoint) => ({
      label: plainText(endpoint),
      description: vscode.l10n.t(
        '{0} loaded',
        count((e) => e === endpoint),
      ),
      picked: current.endpoints?.includes(endpoint) ?? false,
      facet: { kind: 'endpoint' as const, value: endpoint },
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Filter batches (1/2): statuses and endpoints'),
    placeHolder: vscode.l10n.t('Select none to show every status and endpoint; Enter to continue'),
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!picked) return;
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Filter batches (2/2): text'),
    prompt: vscode.l10n.t('Match text in batch ids, metadata values, file ids, endpoint or model (leave empty for none)'),
    value: current.text ?? '',
    ignoreFocusOut: true,
  });
  if (text === undefined) return;
  applyFilter(services, {
    statuses: picked.filter((i) => i.facet?.kind === 'status').map((i) => i.facet!.value),
    endpoints: picked.filter((i) => i.facet?.kind === 'endpoint').map((i) => i.facet!.value),
    text: text.trim() || undefined,
  });
}

export function clearFilter(services: Pick<Services, 'tree'>): void {
  applyFilter(services, undefined);
}

export function applyFilter(services: Pick<Services, 'tree'>, filter: BatchFilter | undefined): void {
  services.tree.setFilter(filter);
  void vscode.commands.executeCommand('setContext', ContextKey.filterActive, isFilterActive(filter));
}
