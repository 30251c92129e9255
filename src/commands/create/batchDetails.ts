import * as vscode from 'vscode';
import { EXPIRES_AFTER_SECONDS, expiresAfterHours } from '../../core/input/batchCreation';
import { plainText } from '../../core/util/text';
import type { ExpiresAfter } from '../../core/api/types';

/** How many problems the refusal lists before "…and N more". */
const PROBLEMS_SHOWN = 5;

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
export function describeExpiry(expiry: ExpiresAfter | undefined): string {
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

/** The first problems, one a line, then how many more: the detail of a modal. Problems quote the file, so each line is sanitised. */
export function problemList(lines: string[], total: number): string {
  const shown = lines.slice(0, PROBLEMS_SHOWN).map((line) => plainText(line));
  if (total > shown.length) shown.push(vscode.l10n.t('…and {0} more.', (total - shown.length).toLocaleString('en-US')));
  return shown.join('\n');
}
