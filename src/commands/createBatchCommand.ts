import * as vscode from 'vscode';
import { readSettings } from '../config';
import { BatchCreationError, EXPIRES_AFTER_SECONDS, expiresAfterHours, fileBlob, uploadAndCreateBatch } from '../core/batchCreation';
import { formatBytes, plainText } from '../core/format';
import { ApiError, errorMessage } from '../core/errors';
import { groupByStatus, statusOf } from '../core/grouping';
import { errorCount, formatProblem, validateBatchInput } from '../core/jsonlValidation';
import type { Batch, ExpiresAfter } from '../core/types';
import { BatchNode, StatusGroupNode } from '../tree/nodes';
import { CommandId } from '../ids';
import type { Services } from './services';
import { markBatchCreated } from '../contextKeys';
import { overLimitReasons, splitLimits, splitOversized } from './splitCommand';
import { copyToClipboard } from '../clipboard';
import { createEstimateLine } from './createEstimate';
import type { Logger } from '../log';

/** What creating a batch uses: the store's account and client, the tree to reveal it, its panel, the log. */
type CreateServices = Pick<Services, 'store' | 'log' | 'panels' | 'tree' | 'treeView' | 'storage'>;

/** How many problems the refusal lists before "…and N more". */
const PROBLEMS_SHOWN = 5;

interface FilePickItem extends vscode.QuickPickItem {
  uri: vscode.Uri;
}

/** What a retry needs to skip the steps that already succeeded. */
export interface Prepared {
  uri: vscode.Uri;
  filename: string;
  bytes: number;
  endpoint: string;
  description: string;
  /** The batch's `output_expires_after`; absent: outputs are kept until deleted. */
  outputExpiresAfter?: ExpiresAfter;
  uploadedFileId?: string;
  /** The account the first attempt ran in: a retry must not move the batch (or reuse its upload) elsewhere. */
  account?: string;
  /** More metadata for the new batch (a resubmission's `resubmit_of`). */
  metadata?: Record<string, string>;
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

  await submit(services, { uri, filename, bytes: bytes.byteLength, endpoint: result.endpoint, ...answers });
}

/** What the person chose for a new batch. */
export interface BatchDetails {
  description: string;
  outputExpiresAfter?: ExpiresAfter;
}

/**
 * Asks for the batch's description in one input box (Enter creates the batch); its clock button
 * changes when the output files expire, which starts from `openaiBatches.outputExpiresAfterHours`.
 */
export async function askForDetails(initial: { title: string; summary: string } & BatchDetails): Promise<BatchDetails | undefined> {
  let details: BatchDetails = { description: initial.description, outputExpiresAfter: initial.outputExpiresAfter };
  let selectAll = true;
  for (;;) {
    const answer = await descriptionBox(initial.title, initial.summary, details, selectAll);
    if (answer.kind === 'cancelled') return undefined;
    details = { ...details, description: answer.value };
    if (answer.kind === 'accepted') return details;
    selectAll = false;
    const expiry = await pickOutputExpiry(details.outputExpiresAfter);
    if (expiry) details = { ...details, outputExpiresAfter: expiry.value };
  }
}

type BoxAnswer = { kind: 'accepted' | 'expiry'; value: string } | { kind: 'cancelled' };

function descriptionBox(title: string, summary: string, details: BatchDetails, selectAll: boolean): Promise<BoxAnswer> {
  const box = vscode.window.createInputBox();
  box.title = title;
  box.prompt = vscode.l10n.t(
    '{0} Output files: {1} (clock button to change). Describe the batch (stored as metadata.description; the Batches view shows it as its name).',
    summary,
    describeExpiryShown(details.outputExpiresAfter),
  );
  box.value = details.description;
  if (selectAll) box.valueSelection = [0, details.description.length];
  box.ignoreFocusOut = true;
  box.buttons = [
    {
      iconPath: new vscode.ThemeIcon('clock'),
      tooltip: vscode.l10n.t('When output files expire: {0}', describeExpiryShown(details.outputExpiresAfter)),
    },
  ];
  const validate = (text: string): string | undefined => (text.length > 512 ? vscode.l10n.t('At most {0} characters.', 512) : undefined);
  return new Promise<BoxAnswer>((resolve) => {
    let answered = false;
    const answer = (result: BoxAnswer): void => {
      if (answered) return;
      answered = true;
      resolve(result);
      box.hide();
    };
    box.onDidChangeValue((text) => (box.validationMessage = validate(text)));
    box.onDidAccept(() => {
      if (!validate(box.value)) answer({ kind: 'accepted', value: box.value });
    });
    box.onDidTriggerButton(() => answer({ kind: 'expiry', value: box.value }));
    box.onDidHide(() => {
      answer({ kind: 'cancelled' });
      box.dispose();
    });
    box.show();
  });
}

interface ExpiryItem extends vscode.QuickPickItem {
  value?: ExpiresAfter;
  custom?: boolean;
}

/** `7 days`, `36 hours`. */
function expirySpan(expiry: ExpiresAfter): string {
  const hours = expiry.seconds / 3600;
  return hours % 24 === 0 ? `${hours / 24} day${hours === 24 ? '' : 's'}` : `${hours} hour${hours === 1 ? '' : 's'}`;
}

/** `7 days`, `36 hours`, as the user reads it. */
function expirySpanShown(expiry: ExpiresAfter): string {
  const hours = expiry.seconds / 3600;
  if (hours % 24 === 0) return hours === 24 ? vscode.l10n.t('{0} day', hours / 24) : vscode.l10n.t('{0} days', hours / 24);
  return hours === 1 ? vscode.l10n.t('{0} hour', hours) : vscode.l10n.t('{0} hours', hours);
}

/** `kept until deleted`, `expire 7 days after they are written` (the API counts from each file's creation, not the batch's); for the log. */
function describeExpiry(expiry: ExpiresAfter | undefined): string {
  return expiry ? `expire ${expirySpan(expiry)} after they are written` : 'kept until deleted';
}

/** {@link describeExpiry} as the user reads it. */
function describeExpiryShown(expiry: ExpiresAfter | undefined): string {
  return expiry ? vscode.l10n.t('expire {0} after they are written', expirySpanShown(expiry)) : vscode.l10n.t('kept until deleted');
}

/** The output expiry choices; resolves `{ value }` (undefined value: keep until deleted), or undefined when dismissed. */
async function pickOutputExpiry(current: ExpiresAfter | undefined): Promise<{ value?: ExpiresAfter } | undefined> {
  const choices: (ExpiresAfter | undefined)[] = [undefined, ...[24, 24 * 7, 24 * 30].map((hours) => expiresAfterHours(hours))];
  const items: ExpiryItem[] = choices.map((value) => ({
    label: value ? vscode.l10n.t('After {0}', expirySpanShown(value)) : vscode.l10n.t('Keep until deleted'),
    description: value?.seconds === current?.seconds ? vscode.l10n.t('current') : undefined,
    value,
  }));
  items.push({ label: vscode.l10n.t('Other…'), description: vscode.l10n.t('a number of hours, 1 to 720'), custom: true });
  const chosen = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('When the output and error files expire'),
    placeHolder: vscode.l10n.t(
      'Counted from when each file is written (output_expires_after); the default is openaiBatches.outputExpiresAfterHours',
    ),
    ignoreFocusOut: true,
  });
  if (!chosen) return undefined;
  if (!chosen.custom) return { value: chosen.value };
  const { min, max } = EXPIRES_AFTER_SECONDS;
  const hours = await vscode.window.showInputBox({
    title: vscode.l10n.t('Output files expire after how many hours?'),
    value: String(current ? current.seconds / 3600 : 24),
    validateInput: (text) => {
      const n = Number(text);
      return Number.isInteger(n) && n * 3600 >= min && n * 3600 <= max
        ? undefined
        : vscode.l10n.t('A whole number of hours from {0} to {1}.', min / 3600, max / 3600);
    },
    ignoreFocusOut: true,
  });
  return hours === undefined ? undefined : { value: expiresAfterHours(Number(hours)) };
}

/** Uploads and creates (or only creates, when a retry has the upload), then shows the new batch. */
export async function submit(services: CreateServices, prepared: Prepared): Promise<void> {
  const { client, account } = services.store.requireConnection();
  const { uri, filename } = prepared;
  if (prepared.account !== undefined && prepared.account !== account) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'The account changed since {0} was first sent. Run Create Batch again to create the batch in this account.',
        plainText(filename),
      ),
    );
    return;
  }
  const attempt = { ...prepared, account };
  let created: { fileId: string; batch: Batch };
  try {
    created = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Creating batch from {0}', plainText(filename)),
        cancellable: true,
      },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          return await uploadAndCreateBatch(client, {
            data: async () => (uri.scheme === 'file' ? fileBlob(uri.fsPath) : new Blob([await vscode.workspace.fs.readFile(uri)])),
            filename,
            endpoint: prepared.endpoint,
            description: prepared.description,
            metadata: prepared.metadata,
            outputExpiresAfter: prepared.outputExpiresAfter,
            inputExpiresAfter: readSettings().inputExpiresAfter,
            uploadedFileId: prepared.uploadedFileId,
            signal: controller.signal,
            onStep: (step) =>
              progress.report({
                message:
                  step === 'upload' ? vscode.l10n.t('uploading {0}…', formatBytes(prepared.bytes)) : vscode.l10n.t('creating the batch…'),
              }),
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
    `Created batch ${batch.id} from ${uri.toString(true)} (input file ${fileId}, ${prepared.endpoint}, output files ${describeExpiry(prepared.outputExpiresAfter)}) at ${client.baseUrl}.`,
  );
  // Signed out or switched meanwhile: the batch is the old account's and stays out of this one's tree, cache and panels.
  markBatchCreated();
  if (!services.store.recordBatch(batch, { prependIfNew: true, account })) {
    void reportElsewhere(services.log, batch, client.baseUrl, filename);
    return;
  }
  await reveal(services, batch);
  services.panels.show(batch);
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(check) Created batch {0}', plainText(batch.id)), 5000);
}

async function reportElsewhere(log: Logger, batch: Batch, baseUrl: string, filename: string): Promise<void> {
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Created batch {0} from {1} in the account it was started in ({2}). The Batches view now shows another account, so the batch is not listed there.',
      plainText(batch.id),
      plainText(filename),
      plainText(baseUrl),
    ),
    vscode.l10n.t('Copy Batch ID'),
  );
  if (!choice) return;
  await copyToClipboard(log, vscode.l10n.t('batch ID'), batch.id);
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
      vscode.l10n.t(
        'Uploaded {0} as {1}; creating the batch was cancelled. If the request had already reached the API, the batch may exist: refresh the Batches view before retrying.',
        plainText(prepared.filename),
        plainText(uploadedFileId),
      ),
      vscode.l10n.t('Retry'),
      vscode.l10n.t('Refresh'),
      vscode.l10n.t('Copy File ID'),
    );
    await followUp(services, prepared, uploadedFileId, choice);
    return;
  }
  const message = services.log.redactor.redact(failure.message);
  services.log.error(
    `${CommandId.createBatch} failed at ${failure.step}: ${message}${failure.cause instanceof ApiError ? ` [${failure.cause.kind}]` : ''}`,
  );
  const actions = [
    vscode.l10n.t('Retry'),
    ...(uploadedFileId ? [vscode.l10n.t('Copy File ID')] : []),
    ...(failure.cause instanceof ApiError && failure.cause.kind === 'auth' ? [vscode.l10n.t('Set API Key')] : []),
    vscode.l10n.t('Show Log'),
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
  // The buttons' labels, translated as they were offered.
  switch (choice) {
    case vscode.l10n.t('Retry'):
      return submit(services, { ...prepared, uploadedFileId });
    case vscode.l10n.t('Copy File ID'):
      if (uploadedFileId) {
        await copyToClipboard(services.log, vscode.l10n.t('file ID'), uploadedFileId);
      }
      return;
    case vscode.l10n.t('Refresh'):
      await vscode.commands.executeCommand(CommandId.refresh);
      return;
    case vscode.l10n.t('Set API Key'):
      await vscode.commands.executeCommand(CommandId.setApiKey);
      return;
    case vscode.l10n.t('Show Log'):
      services.log.show();
      return;
  }
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

/** The first problems, one a line, then how many more: the detail of a modal. Problems quote the file, so each line is sanitised. */
export function problemList(lines: string[], total: number): string {
  const shown = lines.slice(0, PROBLEMS_SHOWN).map((line) => plainText(line));
  if (total > shown.length) shown.push(vscode.l10n.t('…and {0} more.', (total - shown.length).toLocaleString('en-US')));
  return shown.join('\n');
}

/** Selects the new batch in the tree once it has re-rendered with it. */
export async function reveal(services: CreateServices, batch: Batch): Promise<void> {
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
