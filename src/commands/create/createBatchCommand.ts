import * as vscode from 'vscode';
import { readSettings } from '../../config';
import { formatBytes, plainText } from '../../core/util/text';
import { errorCount, formatProblem, validateBatchInput } from '../../core/input/jsonlValidation';
import { overLimitReasons, splitLimits, splitOversized } from './splitCommand';
import { createEstimateLine } from './createEstimate';
import { askForDetails, problemList } from './batchDetails';
import { type CreateServices, submit } from './submit';
import type { Services } from '../services';
import { queueIfOverLimit } from '../queue/enqueueParts';

interface FilePickItem extends vscode.QuickPickItem {
  uri: vscode.Uri;
}

/**
 * Creates a batch from a `.jsonl` file: from the CodeLens, editor title or explorer (a Uri), or
 * from the palette (a pick of workspace files). Validates first, then uploads and creates; every
 * failure names its step and keeps what succeeded (an uploaded file is reused by "Retry").
 */
export async function createBatch(services: CreateServices & Pick<Services, 'queues'>, argument?: unknown): Promise<void> {
  const uri = argument instanceof vscode.Uri ? argument : await pickJsonlFile();
  if (!uri) return;
  if (uri.scheme === 'untitled') {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Save this file as a .jsonl file first: the batch is created from the file on disk.'),
    );
    return;
  }
  const name = uri.path.split('/').pop() || 'input';
  // The Files API only takes batch input named *.jsonl.
  const filename = /\.jsonl$/i.test(name) ? name : `${name}.jsonl`;

  if (!(await saveIfDirty(uri, name))) return;
  const limits = splitLimits();
  const size = (await vscode.workspace.fs.stat(uri)).size;
  if (size > limits.maxBytes) {
    // Too large to read whole; the splitter checks it line by line.
    await splitOversized(services, uri, filename, [
      vscode.l10n.t('The file is {0}: a batch input file may be at most {1}.', formatBytes(size), formatBytes(limits.maxBytes)),
    ]);
    return;
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  const text = new TextDecoder('utf-8').decode(bytes);
  const result = validateBatchInput(text, { maxRequests: limits.maxRequests });
  if (result.requests === 0) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('"{0}" holds no requests: a batch input file has one JSON request per line.', plainText(name)),
    );
    return;
  }
  const errors = errorCount(result);
  const overLimits = overLimitReasons(result);
  const tooManyInputs = result.problems.filter((p) => p.code === 'tooManyInputs').length;
  if (overLimits.length > 0 && errors === tooManyInputs && result.endpoint) {
    await splitOversized(services, uri, filename, overLimits);
    return;
  }
  if (errors > 0 || !result.endpoint) {
    await refuseWithProblems(uri, name, result.problems.filter((p) => p.severity === 'error').map(formatProblem), errors);
    return;
  }
  const warnings = result.problems.filter((p) => p.severity === 'warning');
  if (warnings.length > 0) {
    const createAnyway = vscode.l10n.t('Create Anyway');
    const answer = await vscode.window.showWarningMessage(
      warnings.length === 1
        ? vscode.l10n.t('"{0}" has {1} warning. Create the batch anyway?', plainText(name), warnings.length)
        : vscode.l10n.t('"{0}" has {1} warnings. Create the batch anyway?', plainText(name), warnings.length),
      { modal: true, detail: problemList(warnings.map(formatProblem), warnings.length) },
      createAnyway,
    );
    if (answer !== createAnyway) return;
  }
  // Fails with "Set API Key" before asking anything more when there is no key.
  services.store.requireClient();

  const estimate = await createEstimateLine(text, result.requests, services.log);
  const requests = result.requests.toLocaleString('en-US');
  const answers = await askForDetails({
    title: vscode.l10n.t('Create batch from {0}', plainText(filename)),
    summary: `${
      result.requests === 1
        ? vscode.l10n.t('{0} request to {1}, completion window 24h.', requests, result.endpoint)
        : vscode.l10n.t('{0} requests to {1}, completion window 24h.', requests, result.endpoint)
    }${estimate ? ` ${estimate}` : ''}`,
    description: filename.replace(/\.jsonl$/i, ''),
    outputExpiresAfter: readSettings().outputExpiresAfter,
  });
  if (!answers) return;

  if (
    uri.scheme === 'file' &&
    (await queueIfOverLimit(services, {
      path: uri.fsPath,
      filename,
      requests: result.requests,
      bytes: bytes.byteLength,
      endpoint: result.endpoint,
      source: 'create',
      ...answers,
    }))
  )
    return;
  await submit(services, { uri, filename, bytes: bytes.byteLength, endpoint: result.endpoint, ...answers });
}

async function pickJsonlFile(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.jsonl', '**/node_modules/**', 200);
  if (files.length === 0) {
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('No .jsonl files in this workspace. A batch input file has one JSON request per line.'),
      vscode.l10n.t('Open File…'),
    );
    if (!choice) return undefined;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { [vscode.l10n.t('JSON Lines')]: ['jsonl'] },
      openLabel: vscode.l10n.t('Create Batch'),
    });
    return picked?.[0];
  }
  const active = vscode.window.activeTextEditor?.document.uri.toString();
  const items: FilePickItem[] = files
    .map((uri) => {
      const relative = vscode.workspace.asRelativePath(uri);
      const slash = relative.lastIndexOf('/');
      return {
        uri,
        label: `$(file) ${plainText(relative.slice(slash + 1))}`,
        description: slash >= 0 ? plainText(relative.slice(0, slash)) : undefined,
      };
    })
    .sort(
      (a, b) =>
        Number(b.uri.toString() === active) - Number(a.uri.toString() === active) ||
        vscode.workspace.asRelativePath(a.uri).localeCompare(vscode.workspace.asRelativePath(b.uri)),
    );
  const chosen = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Create batch from a JSONL file'),
    placeHolder: vscode.l10n.t('Pick the batch input file (one request per line)'),
    matchOnDescription: true,
  });
  return chosen?.uri;
}

/** An open document with unsaved edits: the upload reads the disk, so offer to save first. */
async function saveIfDirty(uri: vscode.Uri, filename: string): Promise<boolean> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!document?.isDirty) return true;
  const save = vscode.l10n.t('Save and Continue');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('"{0}" has unsaved changes.', plainText(filename)),
    { modal: true, detail: vscode.l10n.t('The batch is created from the file on disk.') },
    save,
  );
  if (answer !== save) return false;
  return document.save();
}

/** The file cannot become a batch: says why, and offers the Problems view. */
async function refuseWithProblems(uri: vscode.Uri, filename: string, problems: string[], errors: number): Promise<void> {
  const show = vscode.l10n.t('Show Problems');
  const answer = await vscode.window.showErrorMessage(
    errors === 1
      ? vscode.l10n.t('"{0}" has {1} problem to fix before it can become a batch.', plainText(filename), errors)
      : vscode.l10n.t('"{0}" has {1} problems to fix before it can become a batch.', plainText(filename), errors),
    { modal: true, detail: problemList(problems, errors) },
    show,
  );
  if (answer !== show) return;
  // Opening the file is what makes its diagnostics appear in the Problems view.
  await vscode.window.showTextDocument(uri, { preview: false });
  await vscode.commands.executeCommand('workbench.actions.view.problems');
}
