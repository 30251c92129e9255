import * as vscode from 'vscode';
import { CommandId } from '../ids';
import { classifyJsonl, errorCount, type Problem, validateBatchInput, type ValidationResult } from '../core/input/jsonlValidation';

/** Quiet time after the last edit before a document is checked again. */
const DEBOUNCE_MS = 300;
/** VS Code keeps at most 1,000 diagnostics per file anyway; building more only costs time. */
const MAX_DIAGNOSTICS = 1000;

/** Whether a document may be Batch input: `.jsonl` by name, or a language VS Code gives JSON Lines. */
function isJsonlDocument(document: vscode.TextDocument): boolean {
  return /\.jsonl$/i.test(document.uri.path) || document.languageId === 'jsonl' || document.languageId === 'jsonlines';
}

/**
 * Checks Batch API input files while they are edited: problems go to the Problems view
 * (`openaiBatches`), and line 1 gets a "Create batch" lens and a summary lens.
 */
export class BatchInputDiagnostics implements vscode.CodeLensProvider, vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('openaiBatches');
  private readonly results = new Map<string, ValidationResult>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];

  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  /** Creates the checker, registers its listeners and CodeLens provider, and checks open documents. */
  static register(): BatchInputDiagnostics {
    const diagnostics = new BatchInputDiagnostics();
    diagnostics.disposables.push(
      vscode.workspace.onDidOpenTextDocument((document) => diagnostics.check(document)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) diagnostics.schedule(event.document);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => diagnostics.forget(document.uri)),
      vscode.languages.registerCodeLensProvider([{ pattern: '**/*.jsonl' }, { language: 'jsonl' }, { language: 'jsonlines' }], diagnostics),
    );
    for (const document of vscode.workspace.textDocuments) diagnostics.check(document);
    return diagnostics;
  }

  private constructor() {}

  /** Checks now (cancelling a pending debounced check). */
  check(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.cancelTimer(key);
    if (!isJsonlDocument(document)) return;
    const text = document.getText();
    // Once recognised, a file stays checked while its first line is broken: that is when it needs it most.
    const kind = classifyJsonl(text);
    if (kind === 'other' || (kind === 'undecided' && !this.results.has(key))) {
      if (this.results.has(key)) this.forget(document.uri);
      return;
    }
    const result = validateBatchInput(text);
    this.results.set(key, result);
    this.collection.set(document.uri, toDiagnostics(document, result.problems));
    this.lensesChanged.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const result = this.results.get(document.uri.toString());
    if (!result) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    const errors = errorCount(result);
    const warnings = result.problems.length - errors;
    const count = (n: number): string => n.toLocaleString('en-US');
    const requests =
      result.requests === 1 ? vscode.l10n.t('{0} request', count(result.requests)) : vscode.l10n.t('{0} requests', count(result.requests));
    const summary = [requests];
    if (result.endpoint) summary.push(result.endpoint);
    if (errors) summary.push(errors === 1 ? vscode.l10n.t('{0} problem', count(errors)) : vscode.l10n.t('{0} problems', count(errors)));
    if (warnings)
      summary.push(warnings === 1 ? vscode.l10n.t('{0} warning', count(warnings)) : vscode.l10n.t('{0} warnings', count(warnings)));
    if (!errors && !warnings) summary.push(vscode.l10n.t('no problems'));
    return [
      new vscode.CodeLens(range, {
        title: vscode.l10n.t('$(cloud-upload) Create batch from this file'),
        tooltip: vscode.l10n.t('Validate, upload (purpose "batch") and create a 24h batch'),
        command: CommandId.createBatch,
        arguments: [document.uri],
      }),
      new vscode.CodeLens(
        range,
        result.problems.length
          ? { title: summary.join(' · '), tooltip: vscode.l10n.t('Show the problems'), command: 'workbench.actions.view.problems' }
          : { title: summary.join(' · '), command: '' },
      ),
    ];
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.collection.dispose();
    this.lensesChanged.dispose();
    this.results.clear();
  }

  private schedule(document: vscode.TextDocument): void {
    if (!isJsonlDocument(document)) return;
    const key = document.uri.toString();
    this.cancelTimer(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!document.isClosed) this.check(document);
      }, DEBOUNCE_MS),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.cancelTimer(key);
    this.collection.delete(uri);
    if (this.results.delete(key)) this.lensesChanged.fire();
  }

  private cancelTimer(key: string): void {
    const timer = this.timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(key);
  }
}

function toDiagnostics(document: vscode.TextDocument, problems: readonly Problem[]): vscode.Diagnostic[] {
  const diagnostics: vscode.Diagnostic[] = [];
  for (const problem of problems.slice(0, MAX_DIAGNOSTICS)) {
    const diagnostic = new vscode.Diagnostic(
      rangeOf(document, problem),
      problem.message,
      problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
    );
    diagnostic.source = 'OpenAI Batch';
    diagnostic.code = problem.code;
    if (problem.relatedLine !== undefined && problem.relatedLine < document.lineCount) {
      const label =
        problem.code === 'duplicateCustomId'
          ? problem.relatedLine < problem.line
            ? vscode.l10n.t('First use of this custom_id')
            : vscode.l10n.t('Used again here')
          : vscode.l10n.t('Compare with this line');
      diagnostic.relatedInformation = [
        new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, rangeOf(document, { line: problem.relatedLine })), label),
      ];
    }
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

/** The problem's columns, or its whole line (from the first non-blank character). */
function rangeOf(document: vscode.TextDocument, problem: Pick<Problem, 'line' | 'column' | 'endColumn'>): vscode.Range {
  const line = document.lineAt(Math.min(problem.line, document.lineCount - 1));
  const length = line.text.length;
  if (problem.column === undefined)
    return new vscode.Range(line.lineNumber, line.firstNonWhitespaceCharacterIndex, line.lineNumber, length);
  // A problem at the very end (JSON cut short) marks the last character, so it stays visible.
  const start = Math.max(0, Math.min(problem.column, length - 1));
  const end = Math.max(start, Math.min(problem.endColumn ?? start + 1, length));
  return new vscode.Range(line.lineNumber, start, line.lineNumber, end);
}
