import * as vscode from 'vscode';
import { demoHost } from '../core/api/environment';
import { freeSampleName, sampleBatchInput, SAMPLE_INPUT_FILENAME } from '../core/input/sampleInput';
import { ViewId, WALKTHROUGH_ID } from '../ids';

/** Opens the "Get started" walkthrough (also listed on the Welcome page), pinned. */
export async function openWalkthrough(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  await pinWalkthrough();
}

/**
 * `workbench.action.openWalkthrough` opens the walkthrough as a preview tab (its title is in
 * italics), and the next editor opened in preview in that group replaces it: a file clicked in
 * the Explorer (to paste a copied id into), a file opened from Quick Open. The walkthrough's own
 * buttons pin it (they run `workbench.action.keepEditor`), so it stayed open when a step's button
 * was used and vanished when the palette was. Pinned at once, it stays until the user closes it.
 * The command opens the editor without waiting for it, so this waits for its tab (an editor the
 * API does not know: no `input`) to become active, at most two seconds.
 */
async function pinWalkthrough(): Promise<void> {
  for (let waited = 0; waited <= 2_000; waited += 50) {
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    if (tab && tab.input === undefined) {
      if (tab.isPreview) await vscode.commands.executeCommand('workbench.action.keepEditor');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let demoWalkthroughOpened = false;

/** In `npm run demo`'s window (see `demoHost`), once: shows the Batches view with the walkthrough beside it. */
export async function openDemoWalkthrough(baseUrl: string): Promise<void> {
  if (demoWalkthroughOpened || !demoHost(baseUrl)) return;
  demoWalkthroughOpened = true;
  await vscode.commands.executeCommand(`${ViewId.batches}.focus`);
  await openWalkthrough();
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
