import * as vscode from 'vscode';
import type { BatchStore } from '../core/batches/batchStore';
import { batchLabel, compareNewestFirst, createdAgo, humanizeStatus } from '../core/batches/batchDisplay';
import { ID_MAX, plainText } from '../core/util/text';
import { statusOf } from '../core/batches/grouping';
import { isRecord } from '../core/util/json';
import type { Batch } from '../core/api/types';
import { ViewId } from '../ids';
import { BatchNode } from '../tree/nodes';

/**
 * What a batch command is invoked with: a tree node (context menus), a batch id (what the
 * extension passes), or nothing (palette). A command link or another extension can pass
 * anything, so only the batch id it names is ever used.
 */
export type BatchArgument = unknown;

interface BatchPickItem extends vscode.QuickPickItem {
  batch?: Batch;
  typedId?: string;
}

export interface PickOptions {
  title: string;
  placeHolder: string;
  /** Only batches this accepts are offered. */
  include?: (batch: Batch) => boolean;
  /** Shown as the detail line of each item (e.g. the file id the command will copy). */
  detail?: (batch: Batch) => string | undefined;
  /** Said when no loaded batch qualifies. */
  emptyMessage: string;
  /** Lets the user paste a batch id that is not loaded. */
  allowTypedId?: boolean;
}

/**
 * Resolves a command argument to a batch of the store (or fetched by its id), asking with a quick
 * pick when invoked from the palette. An object passed in is never used as the batch: a forged
 * one could name any file id to open, download or copy.
 */
export async function resolveBatch(store: BatchStore, argument: BatchArgument, pick: PickOptions): Promise<Batch | undefined> {
  const id = batchIdOf(argument);
  if (id === undefined) return pickBatch(store, pick);
  return store.get(id) ?? fetchWithProgress(store, id);
}

/** The batch id an argument names: a string, a tree node's batch, or an object's `id`. */
function batchIdOf(argument: unknown): string | undefined {
  if (argument instanceof BatchNode) return argument.batch.id;
  const id = isRecord(argument) ? argument.id : argument;
  return typeof id === 'string' && id.trim() ? id.trim() : undefined;
}

async function fetchWithProgress(store: BatchStore, id: string): Promise<Batch> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Loading batch {0}…', plainText(id, ID_MAX)) },
    () => store.fetchBatch(id),
  );
}

/** A quick pick of loaded batches, most recent first, filterable by label, id, status and detail. */
async function pickBatch(store: BatchStore, options: PickOptions): Promise<Batch | undefined> {
  if (!store.hasLoaded && store.state.kind === 'ready') {
    await vscode.window.withProgress({ location: { viewId: ViewId.batches } }, () => store.refresh());
  }
  const candidates = [...store.batches].filter((b) => options.include?.(b) ?? true).sort(compareNewestFirst);
  if (candidates.length === 0 && !options.allowTypedId) {
    void vscode.window.showInformationMessage(options.emptyMessage);
    return undefined;
  }
  const items: BatchPickItem[] = candidates.map((batch) => {
    const label = batchLabel(batch);
    const id = plainText(batch.id, ID_MAX);
    return {
      label,
      description: `${humanizeStatus(statusOf(batch))} · ${id !== label ? `${id} · ` : ''}${createdAgo(batch)}`,
      detail: plainText(options.detail?.(batch), ID_MAX) || undefined,
      batch,
    };
  });

  const quickPick = vscode.window.createQuickPick<BatchPickItem>();
  quickPick.title = options.title;
  quickPick.placeholder = candidates.length ? options.placeHolder : vscode.l10n.t('{0} Paste a batch id to open it.', options.emptyMessage);
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.items = items;
  if (options.allowTypedId) {
    quickPick.onDidChangeValue((value) => {
      const id = value.trim();
      const typed: BatchPickItem[] =
        // OpenAI's ids, or the long base64 ones of proxies such as LiteLLM.
        (/^batch_[\w-]+$/.test(id) || /^[\w+/=-]{100,1000}$/.test(id)) && !store.get(id)
          ? [
              {
                label: vscode.l10n.t('$(search) Open {0}', id),
                description: vscode.l10n.t('fetch this batch by id'),
                alwaysShow: true,
                typedId: id,
              },
            ]
          : [];
      quickPick.items = [...typed, ...items];
    });
  }
  const chosen = await new Promise<BatchPickItem | undefined>((resolve) => {
    quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
    quickPick.onDidHide(() => resolve(undefined));
    quickPick.show();
  });
  quickPick.dispose();
  if (chosen?.typedId) return fetchWithProgress(store, chosen.typedId);
  return chosen?.batch;
}
