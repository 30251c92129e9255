import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileIdOf, type FileRole } from '../../core/batches/batchFacts';
import type { AccountConnection, BatchStore } from '../../core/batches/batchStore';
import { downloadFile } from '../../core/files/download';
import { errorMessage, isCancellation } from '../../core/api/errors';
import { batchLabel } from '../../core/batches/batchDisplay';
import { fileStem, safeFileName } from '../../core/util/fileNames';
import { formatBytes, singleLine } from '../../core/util/text';
import { userDownloadLimit } from '../../core/api/sizeLimit';
import { readSettings } from '../../config';
import type { JoinedResult } from '../../core/results/resultsJoin';
import { type IndexProgress, type ResultDetail, ResultsIndex } from '../../core/results/resultsIndex';
import type { Batch } from '../../core/api/types';
import { CommandId, PanelType } from '../../ids';
import { chainLinks } from '../../core/batches/batchChains';
import { canResubmit } from '../../core/input/resubmit';
import { chainWithResults } from './chainResults';
import type { Logger } from '../../log';
import { WebviewHost } from '../host';
import { pageAssets, WebviewPanels } from '../panels';
import {
  type ExportFormat,
  type HostToPage,
  isResultsPageMessage,
  isResultsPageState,
  type OutcomeFilter,
  type PageToHost,
  type ResultRow,
  type ResultsPageState,
  ROWS_PER_PAGE,
} from './protocol';
import { buildResultsHtml } from './resultsHtml';
import { resultsCostLabel, rowCost } from './resultsCost';
import { readPriceOverrides } from '../../priceSettings';
import type { ErrorFilter } from './protocol';

export interface ResultsPanelDeps {
  extensionUri: vscode.Uri;
  store: BatchStore;
  log: Logger;
  /** The path of an account's copy of a file (downloaded once, shared with "Open Output File"). */
  cachedFile: (account: string, fileId: string) => Promise<string>;
}

const NAME = 'results panel';

function panelTitle(batch: Batch): string {
  return vscode.l10n.t('Results: {0}', singleLine(batchLabel(batch), 40));
}

/**
 * The results panels, one per batch id: each joins a batch's input, output and error files by
 * custom_id and shows one row per request. Restored after a window reload; closed on an account switch.
 */
export class ResultsPanels extends WebviewPanels<ResultsPanel, ResultsPageState> {
  constructor(private readonly deps: ResultsPanelDeps) {
    super({
      viewType: PanelType.results,
      name: NAME,
      extensionUri: deps.extensionUri,
      log: deps.log,
      isState: isResultsPageState,
      keyOf: (state) => state.batchId,
    });
  }

  /**
   * Opens (or reveals) the results of a batch; its files are fetched with the current account.
   * `errorFilter` shows only the failed rows of one error group (from the detail panel's summary).
   */
  show(batch: Batch, errorFilter?: ErrorFilter): void {
    const existing = this.panels.get(batch.id);
    if (existing) {
      existing.reveal();
      if (errorFilter) existing.filterToError(errorFilter);
      return;
    }
    const connection = this.deps.store.requireConnection();
    // Kept behind other tabs, so the search, sort, page and open rows are as they were left.
    const panel = this.createPanel(panelTitle(batch), true);
    const created = new ResultsPanel(panel, batch.id, this.deps, { batch, connection });
    if (errorFilter) created.filterToError(errorFilter);
    this.track(batch.id, created);
  }

  protected revive(panel: vscode.WebviewPanel, state: ResultsPageState): ResultsPanel {
    return new ResultsPanel(panel, state.batchId, this.deps);
  }
}

type PanelState =
  | { kind: 'loading'; message: string }
  | { kind: 'loaded'; title: string; index: ResultsIndex; notes: string[] }
  | { kind: 'failed'; message: string };

class ResultsPanel extends WebviewHost<HostToPage, PageToHost> {
  private batch: Batch | undefined;
  /**
   * The account the batch belongs to: its files are fetched with its client and cached in its
   * folder. A panel restored after a reload takes the first account that connects.
   */
  private connection: AccountConnection | undefined;
  private state: PanelState = { kind: 'loading', message: vscode.l10n.t('Loading…') };
  /** The error group to show first: sent with `begin`, or at once when the rows are already shown. */
  private errorFilter: ErrorFilter | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly batchId: string,
    private readonly deps: ResultsPanelDeps,
    opened?: { batch: Batch; connection: AccountConnection },
  ) {
    super(panel, { name: NAME, isMessage: isResultsPageMessage, log: deps.log });
    this.batch = opened?.batch;
    this.connection = opened?.connection ?? (deps.store.state.kind === 'ready' ? deps.store.requireConnection() : undefined);
    panel.webview.html = buildResultsHtml(pageAssets(panel.webview, deps.extensionUri, 'results'));
    this.disposables.push(deps.store.onDidChangeAccount((account) => this.followAccount(account)));
    if (this.connection) void this.load(this.connection);
    else this.setState({ kind: 'loading', message: vscode.l10n.t('Waiting for a connection to the API…') });
  }

  protected async handle(message: PageToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        void this.post({ type: 'batch', batchId: this.batchId });
        return this.postState();
      case 'retry':
        if (this.state.kind !== 'failed' || !this.connection) return Promise.resolve();
        this.setState({ kind: 'loading', message: vscode.l10n.t('Loading…') });
        return this.load(this.connection);
      case 'query':
        return this.postPage(message);
      case 'detail':
        return this.postDetail(message.index);
      case 'export':
        return this.export(message.format, message.outcome);
      case 'resubmit':
        await vscode.commands.executeCommand(CommandId.resubmitFailed, this.batchId);
        return;
    }
  }

  /** Shows only the failed rows of one error group. */
  filterToError(filter: ErrorFilter): void {
    this.errorFilter = filter;
    if (this.state.kind === 'loaded' && this.pageListening) void this.post({ type: 'errorFilter', ...filter });
  }

  /** Another account must not be queried for this batch's files: the panel closes. */
  private followAccount(account: string | undefined): void {
    if (!this.connection) {
      if (account === undefined) return;
      this.connection = this.deps.store.requireConnection();
      void this.load(this.connection);
      return;
    }
    this.deps.log.info(`Closed the results of ${this.batchId}: they belong to the account that was signed out or switched.`);
    this.dispose();
  }

  private async load(connection: AccountConnection): Promise<void> {
    try {
      const report = await this.fetchAndJoin(connection);
      if (this.disposed) return;
      this.setState(report);
    } catch (error) {
      if (this.disposed || isCancellation(error)) return;
      const message = this.deps.log.redactor.redact(errorMessage(error));
      this.deps.log.error(`Loading the results of ${this.batchId} failed: ${message}`);
      this.setState({ kind: 'failed', message });
    }
  }

  private async fetchAndJoin(connection: AccountConnection): Promise<PanelState> {
    // A restored panel knows only the batch id.
    const batch = (this.batch ??= this.deps.store.get(this.batchId) ?? (await this.deps.store.fetchBatch(this.batchId, this.abort.signal)));
    this.panel.title = panelTitle(batch);
    const notes: string[] = [];
    const chain = await chainWithResults(batch, this.deps.store.batches, connection.client, this.abort.signal);
    if (chain.length <= 1)
      return { kind: 'loaded', title: batchLabel(batch), index: await this.joinBatch(connection, batch, notes), notes };
    const parts: Parameters<typeof ResultsIndex.combine>[0][number][] = [];
    for (const member of chain) {
      const own: string[] = [];
      parts.push({ index: await this.joinBatch(connection, member.batch, own), attempt: member.attempt, batchId: member.batch.id });
      notes.push(...own.map((note) => `${member.batch.id}: ${note}`));
    }
    const attempts = Math.max(...chain.map((member) => member.attempt));
    notes.unshift(
      attempts > 1
        ? vscode.l10n.t(
            'Combined results of {0} batches ({1}): one row per custom_id with its latest outcome, over {2} attempts. A request that ran more than once says which attempt its outcome comes from.',
            chain.length,
            chain.map((m) => m.batch.id).join(', '),
            attempts,
          )
        : vscode.l10n.t(
            'Combined results of {0} batches ({1}): one row per custom_id with its latest outcome. A request that ran more than once says which attempt its outcome comes from.',
            chain.length,
            chain.map((m) => m.batch.id).join(', '),
          ),
    );
    return {
      kind: 'loaded',
      title: vscode.l10n.t('{0} · {1} batches combined', batchLabel(batch), chain.length),
      index: ResultsIndex.combine(parts),
      notes,
    };
  }

  /** Downloads (once) and joins one batch's files; notes about them are added to `notes`. */
  private async joinBatch(connection: AccountConnection, batch: Batch, notes: string[]): Promise<ResultsIndex> {
    const outputId = fileIdOf(batch, 'output');
    const errorId = fileIdOf(batch, 'error');
    const inputId = fileIdOf(batch, 'input');
    const output = outputId ? await this.cached(connection, outputId, 'output') : undefined;
    const errors = errorId ? await this.cached(connection, errorId, 'error') : undefined;
    let input: string | undefined;
    if (inputId) {
      try {
        input = await this.cached(connection, inputId, 'input');
      } catch (error) {
        if (isCancellation(error)) throw error;
        // Some providers do not serve batch input files back; results alone are still worth showing.
        notes.push(
          vscode.l10n.t(
            'The input file {0} could not be downloaded ({1}), so rows follow the result files and show no requests.',
            inputId,
            errorMessage(error),
          ),
        );
      }
    } else {
      notes.push(vscode.l10n.t('This batch names no input file, so rows follow the result files and show no requests.'));
    }
    const started = Date.now();
    const index = await ResultsIndex.open(
      { input, output, error: errors },
      {
        endpoint: batch.endpoint,
        signal: this.abort.signal,
        onProgress: (progress) => this.setState({ kind: 'loading', message: readingMessage(progress) }),
      },
    );
    const { report } = index;
    this.deps.log.info(`Indexed ${report.rows.length} results of ${batch.id} in ${Date.now() - started} ms.`);
    if (report.counts.unmatched && input) {
      notes.push(
        report.counts.unmatched === 1
          ? vscode.l10n.t(
              '{0} result has a custom_id not in the input file (shown last, line -1).',
              report.counts.unmatched.toLocaleString('en-US'),
            )
          : vscode.l10n.t(
              '{0} results have custom_ids not in the input file (shown last, line -1).',
              report.counts.unmatched.toLocaleString('en-US'),
            ),
      );
    }
    if (report.skippedCount) {
      const listed = report.skipped.slice(0, 5).map((s) => vscode.l10n.t('{0} line {1}: {2}', s.file, s.line, s.reason));
      notes.push(
        report.skippedCount === 1
          ? vscode.l10n.t(
              'Skipped {0} line that could not be joined ({1}).',
              report.skippedCount.toLocaleString('en-US'),
              listed.join('; '),
            )
          : vscode.l10n.t(
              'Skipped {0} lines that could not be joined ({1}).',
              report.skippedCount.toLocaleString('en-US'),
              `${listed.join('; ')}${report.skippedCount > 5 ? '; …' : ''}`,
            ),
      );
    }
    if (report.overLimit) {
      notes.push(
        vscode.l10n.t(
          'Only the first {0} rows are shown: {1} more requests or results are in the files (Open Output File shows them all).',
          report.rows.length.toLocaleString('en-US'),
          report.overLimit.toLocaleString('en-US'),
        ),
      );
    }
    return index;
  }

  /** The local copy of a file in the account's cache, downloading it first if needed. */
  private async cached({ client, account }: AccountConnection, fileId: string, role: FileRole): Promise<string> {
    const path = await this.deps.cachedFile(account, fileId);
    if (await isFile(path)) return path;
    const label = vscode.l10n.t('Downloading the {0} file {1}…', role, fileId);
    this.setState({ kind: 'loading', message: label });
    const { bytes } = await downloadFile(client, fileId, path, userDownloadLimit(), {
      signal: this.abort.signal,
      onProgress: ({ received, total }) =>
        this.setState({
          kind: 'loading',
          message: total
            ? vscode.l10n.t('{0} {1} of {2}', label, formatBytes(received), formatBytes(total))
            : `${label} ${formatBytes(received)}`,
        }),
    });
    this.deps.log.info(`Cached ${role} file ${fileId} (${bytes} bytes) for the results view.`);
    return path;
  }

  private setState(state: PanelState): void {
    this.state = state;
    if (this.pageListening) void this.postState();
  }

  private postState(): Promise<void> {
    const state = this.state;
    if (state.kind === 'loading') return this.post({ type: 'loading', message: state.message });
    if (state.kind === 'failed') return this.post({ type: 'error', message: state.message });
    const { rows, counts } = state.index.report;
    const cost = resultsCostLabel(rows, this.batch?.model, readPriceOverrides());
    const errorFilter = this.errorFilter;
    // The page answers with a `query` for the rows it wants to see.
    return this.post({
      type: 'begin',
      title: state.title,
      batchId: this.batchId,
      total: rows.length,
      counts,
      notes: state.notes,
      resubmittable: this.resubmittable(),
      ...(cost && { cost }),
      ...(errorFilter && { errorFilter }),
    });
  }

  /** Resubmit applies to this batch, and it was not resubmitted already (then its resubmission is the one to retry). */
  private resubmittable(): boolean {
    const batch = this.batch;
    if (!batch || !canResubmit(batch)) return false;
    return !this.deps.store.batches.some((other) => chainLinks(other).resubmitOf === batch.id);
  }

  private postPage(query: Extract<PageToHost, { type: 'query' }>): Promise<void> {
    if (this.state.kind !== 'loaded') return Promise.resolve();
    const { seq, page: wanted, ...rowQuery } = query;
    const { rows, page, matched } = this.state.index.page(rowQuery, wanted, ROWS_PER_PAGE);
    const overrides = readPriceOverrides();
    const model = this.batch?.model;
    const rowsOfPage = rows.map(({ index, row }) => toRow(row, index, rowCost(row, model, overrides)));
    return this.post({ type: 'page', seq, page, pageSize: ROWS_PER_PAGE, matched, rows: rowsOfPage });
  }

  private async postDetail(index: number): Promise<void> {
    if (this.state.kind !== 'loaded') return;
    let detail: ResultDetail | undefined;
    try {
      detail = await this.state.index.detail(index);
    } catch (error) {
      const message = errorMessage(error);
      this.deps.log.warn(`Reading row ${index} of the results of ${this.batchId} failed: ${message}`);
      detail = {
        answer: null,
        request: null,
        response: null,
        error: vscode.l10n.t('Could not read this row from the downloaded files: {0}', message),
      };
    }
    if (detail) await this.post({ type: 'detail', index, ...detail });
  }

  private async export(format: ExportFormat, outcome: OutcomeFilter): Promise<void> {
    if (this.state.kind !== 'loaded') return;
    const index = this.state.index;
    // In input order, like the table's default sort.
    const rows = index.find({ outcome, search: '', sortKey: 'line', descending: false });
    if (rows.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No {0} rows to export.', outcome));
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = safeFileName(`${fileStem(this.batchId)}-results${outcome === 'all' ? '' : `-${outcome}`}.${format}`);
    const count = rows.length.toLocaleString('en-US');
    const destination = await vscode.window.showSaveDialog({
      title:
        outcome === 'all'
          ? vscode.l10n.t('Export {0} rows as {1}', count, format.toUpperCase())
          : vscode.l10n.t('Export {0} {1} rows as {2}', count, outcome, format.toUpperCase()),
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl'] },
      saveLabel: vscode.l10n.t('Export'),
    });
    if (!destination) return;
    const exported = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Exporting {0} rows', count), cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const cancelled = token.onCancellationRequested(() => abort.abort());
        const closed = this.abort.signal;
        const onClose = (): void => abort.abort();
        closed.addEventListener('abort', onClose);
        let shown = 0;
        try {
          // Written straight to a local file; a destination on another file system gets a copy of a temporary one.
          const local =
            destination.scheme === 'file' ? destination.fsPath : join(tmpdir(), `obe-export-${randomBytes(8).toString('hex')}.${format}`);
          try {
            await index.exportRows(rows, format, local, {
              signal: abort.signal,
              onProgress: (written, total) => {
                const percent = Math.floor((written / total) * 100);
                if (percent > shown) {
                  progress.report({
                    increment: percent - shown,
                    message: vscode.l10n.t('{0} of {1}', written.toLocaleString('en-US'), count),
                  });
                  shown = percent;
                }
              },
            });
            if (destination.scheme !== 'file') await vscode.workspace.fs.copy(vscode.Uri.file(local), destination, { overwrite: true });
          } finally {
            if (destination.scheme !== 'file') await rm(local, { force: true });
          }
          return true;
        } catch (error) {
          if (isCancellation(error)) return false;
          throw error;
        } finally {
          cancelled.dispose();
          closed.removeEventListener('abort', onClose);
        }
      },
    );
    if (!exported) return;
    this.deps.log.info(`Exported ${rows.length} result rows of ${this.batchId} to ${destination.toString(true)}.`);
    const { size } = await vscode.workspace.fs.stat(destination);
    const where = `${vscode.workspace.asRelativePath(destination)} (${formatBytes(size)})`;
    // An export of a large batch is no file for an editor (openaiBatches.maxOpenFileMB, as for output files).
    const openLabel = vscode.l10n.t('Open');
    const actions = size <= readSettings().maxOpenFileBytes ? [openLabel] : [];
    const open = await vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} rows to {1}.', count, where), ...actions);
    if (open) await vscode.window.showTextDocument(destination, { preview: false });
  }
}

function readingMessage({ file, bytes, total }: IndexProgress): string {
  const percent = total ? Math.floor((bytes / total) * 100) : 100;
  return vscode.l10n.t('Reading the {0} file… {1}% ({2} of {3})', file, percent, formatBytes(bytes), formatBytes(total));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function toRow(row: JoinedResult, index: number, cost: string | null): ResultRow {
  return {
    index,
    customId: row.customId,
    line: row.line,
    statusCode: row.statusCode ?? null,
    outcome: row.outcome,
    answer: row.answer ?? '',
    inputTokens: row.usage?.input_tokens ?? null,
    outputTokens: row.usage?.output_tokens ?? null,
    totalTokens: row.usage?.total_tokens ?? null,
    ...(row.attempt !== undefined && { attempt: row.attempt, attempts: row.attempts ?? 1, batchId: row.batchId ?? '' }),
    cost,
  };
}
