import * as vscode from 'vscode';
import { BatchCreationError, fileBlob, uploadAndCreateBatch } from '../core/batchCreation';
import { formatBytes, plainText } from '../core/format';
import { ApiError, errorMessage } from '../core/errors';
import { groupByStatus, statusOf } from '../core/grouping';
import { errorCount, formatProblem, validateBatchInput } from '../core/jsonlValidation';
import type { Batch } from '../core/types';
import { BatchNode, StatusGroupNode } from '../tree/nodes';
import { CommandId } from '../ids';
import type { Services } from './services';

/** What creating a batch uses: the store's account and client, the tree to reveal it, its panel, the log. */
type CreateServices = Pick<Services, 'store' | 'log' | 'panels' | 'tree' | 'treeView'>;

/** How many problems the refusal lists before "…and N more". */
const PROBLEMS_SHOWN = 5;

interface FilePickItem extends vscode.QuickPickItem {
  uri: vscode.Uri;
}

/** What a retry needs to skip the steps that already succeeded. */
interface Prepared {
  uri: vscode.Uri;
  filename: string;
  bytes: number;
  endpoint: string;
  description: string;
  uploadedFileId?: string;
  /** The account the first attempt ran in: a retry must not move the batch (or reuse its upload) elsewhere. */
  account?: string;
}

/**
 * Creates a batch from a `.jsonl` file: from the CodeLens, editor title or explorer (a Uri), or
 * from the palette (a pick of workspace files). Validates first, then uploads and creates; every
 * failure names its step and keeps what succeeded (an uploaded file is reused by "Retry").
 */
export async function createBatch(services: CreateServices, argument?: unknown): Promise<void> {
  const uri = argument instanceof vscode.Uri ? argument : await pickJsonlFile();
  if (!uri) return;
  if (uri.scheme === 'untitled') {
    void vscode.window.showInformationMessage('Save this file as a .jsonl file first: the batch is created from the file on disk.');
    return;
  }
  const name = uri.path.split('/').pop() || 'input';
  // The Files API only takes batch input named *.jsonl.
  const filename = /\.jsonl$/i.test(name) ? name : `${name}.jsonl`;

  if (!(await saveIfDirty(uri, name))) return;
  const bytes = await vscode.workspace.fs.readFile(uri);
  const result = validateBatchInput(new TextDecoder('utf-8').decode(bytes));
  if (result.requests === 0) {
    void vscode.window.showErrorMessage(`"${plainText(name)}" holds no requests: a batch input file has one JSON request per line.`);
    return;
  }
  const errors = errorCount(result);
  if (errors > 0 || !result.endpoint) {
    await refuseWithProblems(uri, name, result.problems.filter((p) => p.severity === 'error').map(formatProblem), errors);
    return;
  }
  const warnings = result.problems.filter((p) => p.severity === 'warning');
  if (warnings.length > 0) {
    const answer = await vscode.window.showWarningMessage(
      `"${plainText(name)}" has ${warnings.length} warning${warnings.length === 1 ? '' : 's'}. Create the batch anyway?`,
      { modal: true, detail: problemList(warnings.map(formatProblem), warnings.length) },
      'Create Anyway',
    );
    if (answer !== 'Create Anyway') return;
  }
  // Fails with "Set API Key" before asking anything more when there is no key.
  services.store.requireClient();

  const description = await vscode.window.showInputBox({
    title: `Create batch from ${plainText(filename)}`,
    prompt: `${result.requests.toLocaleString('en-US')} request${result.requests === 1 ? '' : 's'} to ${result.endpoint}, completion window 24h. Describe the batch (stored as metadata.description; the Batches view shows it as its name).`,
    value: filename.replace(/\.jsonl$/i, ''),
    valueSelection: [0, filename.replace(/\.jsonl$/i, '').length],
    validateInput: (text) => (text.length > 512 ? 'At most 512 characters.' : undefined),
    ignoreFocusOut: true,
  });
  if (description === undefined) return;

  await submit(services, { uri, filename, bytes: bytes.byteLength, endpoint: result.endpoint, description });
}

/** Uploads and creates (or only creates, when a retry has the upload), then shows the new batch. */
async function submit(services: CreateServices, prepared: Prepared): Promise<void> {
  const { client, account } = services.store.requireConnection();
  const { uri, filename } = prepared;
  if (prepared.account !== undefined && prepared.account !== account) {
    void vscode.window.showWarningMessage(
      `The account changed since ${plainText(filename)} was first sent. Run Create Batch again to create the batch in this account.`,
    );
    return;
  }
  const attempt = { ...prepared, account };
  let created: { fileId: string; batch: Batch };
  try {
    created = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Creating batch from ${plainText(filename)}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          return await uploadAndCreateBatch(client, {
            data: async () => (uri.scheme === 'file' ? fileBlob(uri.fsPath) : new Blob([await vscode.workspace.fs.readFile(uri)])),
            filename,
            endpoint: prepared.endpoint,
            description: prepared.description,
            uploadedFileId: prepared.uploadedFileId,
            signal: controller.signal,
            onStep: (step) =>
              progress.report({ message: step === 'upload' ? `uploading ${formatBytes(prepared.bytes)}…` : 'creating the batch…' }),
          });
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    await reportCreationFailure(services, attempt, error);
    return;
  }
  const { fileId, batch } = created;
  services.log.info(
    `Created batch ${batch.id} from ${uri.toString(true)} (input file ${fileId}, ${prepared.endpoint}) at ${client.baseUrl}.`,
  );
  // Signed out or switched meanwhile: the batch is the old account's and stays out of this one's tree, cache and panels.
  if (!services.store.recordBatch(batch, { prependIfNew: true, account })) {
    void reportElsewhere(batch, client.baseUrl, filename);
    return;
  }
  await reveal(services, batch);
  services.panels.show(batch);
  vscode.window.setStatusBarMessage(`$(check) Created batch ${plainText(batch.id)}`, 5000);
}

async function reportElsewhere(batch: Batch, baseUrl: string, filename: string): Promise<void> {
  const choice = await vscode.window.showInformationMessage(
    `Created batch ${plainText(batch.id)} from ${plainText(filename)} in the account it was started in (${plainText(baseUrl)}). The Batches view now shows another account, so the batch is not listed there.`,
    'Copy Batch ID',
  );
  if (!choice) return;
  await vscode.env.clipboard.writeText(batch.id);
  vscode.window.setStatusBarMessage(`$(check) Copied batch ID ${plainText(batch.id)}`, 4000);
}

async function reportCreationFailure(services: CreateServices, prepared: Prepared, error: unknown): Promise<void> {
  const failure =
    error instanceof BatchCreationError
      ? error
      : new BatchCreationError(prepared.uploadedFileId ? 'create' : 'upload', error, prepared.uploadedFileId, prepared.filename);
  const uploadedFileId = failure.uploadedFileId;
  if (failure.cancelled) {
    services.log.info(
      `Creating a batch from ${prepared.filename} was cancelled during ${failure.step}${uploadedFileId ? ` (uploaded as ${uploadedFileId})` : ''}.`,
    );
    if (!uploadedFileId) return;
    const choice = await vscode.window.showWarningMessage(
      `Uploaded ${plainText(prepared.filename)} as ${plainText(uploadedFileId)}; creating the batch was cancelled. If the request had already reached the API, the batch may exist: refresh the Batches view before retrying.`,
      'Retry',
      'Refresh',
      'Copy File ID',
    );
    await followUp(services, prepared, uploadedFileId, choice);
    return;
  }
  const message = services.log.redactor.redact(failure.message);
  services.log.error(
    `${CommandId.createBatch} failed at ${failure.step}: ${message}${failure.cause instanceof ApiError ? ` [${failure.cause.kind}]` : ''}`,
  );
  const actions = [
    'Retry',
    ...(uploadedFileId ? ['Copy File ID'] : []),
    ...(failure.cause instanceof ApiError && failure.cause.kind === 'auth' ? ['Set API Key'] : []),
    'Show Log',
  ];
  const choice = await vscode.window.showErrorMessage(plainText(message, 500), ...actions);
  await followUp(services, prepared, uploadedFileId, choice);
}

async function followUp(
  services: CreateServices,
  prepared: Prepared,
  uploadedFileId: string | undefined,
  choice: string | undefined,
): Promise<void> {
  switch (choice) {
    case 'Retry':
      return submit(services, { ...prepared, uploadedFileId });
    case 'Copy File ID':
      if (uploadedFileId) {
        await vscode.env.clipboard.writeText(uploadedFileId);
        vscode.window.setStatusBarMessage(`$(check) Copied file ID ${plainText(uploadedFileId)}`, 4000);
      }
      return;
    case 'Refresh':
      await vscode.commands.executeCommand(CommandId.refresh);
      return;
    case 'Set API Key':
      await vscode.commands.executeCommand(CommandId.setApiKey);
      return;
    case 'Show Log':
      services.log.show();
      return;
  }
}

async function pickJsonlFile(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.jsonl', '**/node_modules/**', 200);
  if (files.length === 0) {
    const choice = await vscode.window.showInformationMessage(
      'No .jsonl files in this workspace. A batch input file has one JSON request per line.',
      'Open File…',
    );
    if (!choice) return undefined;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'JSON Lines': ['jsonl'] },
      openLabel: 'Create Batch',
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
    title: 'Create batch from a JSONL file',
    placeHolder: 'Pick the batch input file (one request per line)',
    matchOnDescription: true,
  });
  return chosen?.uri;
}

/** An open document with unsaved edits: the upload reads the disk, so offer to save first. */
async function saveIfDirty(uri: vscode.Uri, filename: string): Promise<boolean> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!document?.isDirty) return true;
  const answer = await vscode.window.showWarningMessage(
    `"${plainText(filename)}" has unsaved changes.`,
    { modal: true, detail: 'The batch is created from the file on disk.' },
    'Save and Continue',
  );
  if (answer !== 'Save and Continue') return false;
  return document.save();
}

/** The file cannot become a batch: says why, and offers the Problems view. */
async function refuseWithProblems(uri: vscode.Uri, filename: string, problems: string[], errors: number): Promise<void> {
  const answer = await vscode.window.showErrorMessage(
    `"${plainText(filename)}" has ${errors} problem${errors === 1 ? '' : 's'} to fix before it can become a batch.`,
    { modal: true, detail: problemList(problems, errors) },
    'Show Problems',
  );
  if (answer !== 'Show Problems') return;
  // Opening the file is what makes its diagnostics appear in the Problems view.
  await vscode.window.showTextDocument(uri, { preview: false });
  await vscode.commands.executeCommand('workbench.actions.view.problems');
}

/** The first problems, one a line, then how many more: the detail of a modal. */
function problemList(lines: string[], total: number): string {
  const shown = lines.slice(0, PROBLEMS_SHOWN);
  if (total > shown.length) shown.push(`…and ${(total - shown.length).toLocaleString('en-US')} more.`);
  return shown.join('\n');
}

/** Selects the new batch in the tree once it has re-rendered with it. */
async function reveal(services: CreateServices, batch: Batch): Promise<void> {
  // The store's change event re-renders the tree asynchronously; let that happen first.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const node = services.tree.findBatchNode(batch.id) ?? buildNode(services, batch);
  if (!node) return;
  try {
    await services.treeView.reveal(node, { select: true, focus: false, expand: true });
  } catch (error) {
    services.log.debug(`Could not reveal ${batch.id} in the tree: ${errorMessage(error)}`);
  }
}

/** The node the tree will show for a batch, when it has not rendered it yet (e.g. the view is hidden). */
function buildNode(services: CreateServices, batch: Batch): BatchNode | undefined {
  const group = groupByStatus(services.store.batches).find((g) => g.status === statusOf(batch));
  return group ? new BatchNode(services.store.get(batch.id) ?? batch, new StatusGroupNode(group)) : undefined;
}
