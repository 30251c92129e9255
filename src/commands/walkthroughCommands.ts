import * as vscode from 'vscode';
import { freeSampleName, sampleBatchInput, SAMPLE_INPUT_FILENAME } from '../core/input/sampleInput';
import { WALKTHROUGH_ID } from '../ids';

/** Opens the "Get started" walkthrough (also listed on the Welcome page). */
export async function openWalkthrough(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

/**
 * Writes a small, valid batch input file and opens it, for the walkthrough's create step: into
 * the first workspace folder (never over an existing file), or where the person chooses when no
 * folder is open. Batches are created from a file on disk, so an untitled document would not do.
 */
export async function createSampleInput(): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let target: vscode.Uri | undefined;
  if (folder) {
    const existing = new Set((await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name));
    target = vscode.Uri.joinPath(
      folder,
      freeSampleName((name) => existing.has(name)),
    );
  } else {
    target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save the sample batch input file'),
      defaultUri: vscode.Uri.file(SAMPLE_INPUT_FILENAME),
      filters: { JSONL: ['jsonl'] },
    });
  }
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(sampleBatchInput()));
  await vscode.window.showTextDocument(target, { preview: false });
  return target;
}
