import * as vscode from 'vscode';
import { CommandId, ViewId } from '../../ids';
import type { Services } from '../services';

const VIEW_PROGRESS = { location: { viewId: ViewId.batches } };

/** Brings the list up to date (incrementally once loaded); the current tree stays until the answer arrives. */
export async function refresh({ store }: Pick<Services, 'store'>): Promise<void> {
  if (store.state.kind === 'signedOut') {
    await vscode.commands.executeCommand(CommandId.setApiKey);
    return;
  }
  await vscode.window.withProgress(VIEW_PROGRESS, () => store.refresh());
}

/** Loads exactly one more page; repeated invocations while loading share the one request. */
export async function loadMore({ store }: Pick<Services, 'store'>): Promise<void> {
  await vscode.window.withProgress(VIEW_PROGRESS, () => store.loadMore());
}

/** Drops everything loaded and reloads the first page (the escape hatch when incremental refresh is not wanted). */
export async function reloadAll({ store }: Pick<Services, 'store'>): Promise<void> {
  await vscode.window.withProgress(VIEW_PROGRESS, () => store.reloadAll());
}
