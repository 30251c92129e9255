import * as vscode from 'vscode';
import { fileLabel, fileUsage } from '../../core/files/files';
import type { FileStore } from '../../core/files/fileStore';
import { relativeTime, unixSeconds } from '../../core/util/time';
import { plainText, shortId } from '../../core/util/text';
import { isRecord } from '../../core/util/json';
import type { FileObject } from '../../core/api/types';
import { ViewId } from '../../ids';
import { FileNode } from '../../tree/files/fileNodes';
import type { Services } from '../services';

/**
 * What a file command is invoked with: a Files view node (context menus), a file id (what the
 * extension passes), or nothing (palette). Like batch arguments, only the id it names is used:
 * the file itself is looked up in the account's list, or fetched.
 */
export type FileArgument = unknown;

export type FilesServices = Pick<Services, 'store' | 'fileStores' | 'log'>;

export function filesOf(services: Pick<Services, 'store' | 'fileStores'>): FileStore {
  return services.fileStores.for(services.store);
}

/** The file id an argument names: a node's file, a string, or an object's `id`. */
export function fileIdOf(argument: unknown): string | undefined {
  if (argument instanceof FileNode) return argument.file.id;
  const id = isRecord(argument) ? argument.id : argument;
  return typeof id === 'string' && id.trim() ? id.trim() : undefined;
}

/** The ids of a multi-selection (VS Code passes the clicked node, then every selected node). */
export function selectionOf(args: unknown[]): string[] | undefined {
  const selected = args[1];
  if (!Array.isArray(selected) || selected.length < 2) return undefined;
  return [...new Set(selected.map(fileIdOf).filter((id): id is string => id !== undefined))];
}

/** Resolves an argument to a file of the store's account (loaded, else fetched), or asks with a quick pick. */
export async function resolveFile(
  services: FilesServices,
  argument: FileArgument,
  pick: { title: string; include?: (file: FileObject) => boolean; emptyMessage: string },
): Promise<FileObject | undefined> {
  const id = fileIdOf(argument);
  if (id === undefined) return pickFile(services, pick);
  const known = filesOf(services).get(id);
  if (known) return known;
  const client = services.store.requireClient();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Loading file {0}…', plainText(shortId(id))) },
    () => client.getFile(id),
  );
}

interface FilePickItem extends vscode.QuickPickItem {
  file: FileObject;
}

async function pickFile(
  services: FilesServices,
  options: { title: string; include?: (file: FileObject) => boolean; emptyMessage: string },
): Promise<FileObject | undefined> {
  const files = filesOf(services);
  services.store.requireConnection();
  if (!files.hasLoaded) await vscode.window.withProgress({ location: { viewId: ViewId.files } }, () => files.refresh());
  const usage = fileUsage(services.store.batches);
  const candidates = files.files.filter((file) => options.include?.(file) ?? true);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(options.emptyMessage);
    return undefined;
  }
  const items: FilePickItem[] = candidates.map((file) => {
    const created = unixSeconds(file.created_at);
    const uses = usage.get(file.id)?.length ?? 0;
    return {
      label: fileLabel(file),
      description: [
        plainText(shortId(file.id)),
        created !== undefined ? relativeTime(created) : '',
        uses ? vscode.l10n.t('used by {0}', uses) : vscode.l10n.t('unused'),
      ]
        .filter(Boolean)
        .join(' · '),
      file,
    };
  });
  const chosen = await vscode.window.showQuickPick(items, { title: options.title, matchOnDescription: true });
  return chosen?.file;
}
