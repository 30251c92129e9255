import * as vscode from 'vscode';
import type { AccountConnection, BatchStore } from '../../core/batches/batchStore';
import { errorMessage, isCancellation } from '../../core/api/errors';
import { batchLabel } from '../../core/batches/batchDisplay';
import { fileStem, safeFileName } from '../../core/util/fileNames';
import { singleLine } from '../../core/util/text';
import type { JoinedResult } from '../../core/results/resultsJoin';
import type { ResultDetail, ResultsIndex } from '../../core/results/resultsIndex';
import type { IndexingStatus } from '../../core/results/progressiveIndex';
import type { Batch } from '../../core/api/types';
import { CommandId, PanelType } from '../../ids';
import { chainLinks } from '../../core/batches/batchChains';
import { canResubmit } from '../../core/input/resubmit';
import { loadResults } from './loadResults';
import type { Logger } from '../../log';
import { exportWithDialog } from '../exportDialog';
import { AccountPanel, type PendingState } from '../accountPanel';
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

/** How often the page hears that more rows are in: each time, it asks for its page again. */
const PROGRESS_POST_MS = 300;

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

/** `indexing`: the rows so far, while a worker reads the rest (see core/results/progressiveIndex.ts). */
type LoadedState = { kind: 'loaded'; title: string; index: ResultsIndex; notes: string[]; indexing?: IndexingStatus };
type PanelState = PendingState | LoadedState;

/** Its account's connection fetches the batch's files and caches them in the account's folder. */
class ResultsPanel extends AccountPanel<HostToPage, PageToHost, LoadedState> {
  private batch: Batch | undefined;
  /** The error group to show first: sent with `begin`, or at once when the rows are already shown. */
  private errorFilter: ErrorFilter | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly batchId: string,
    private readonly deps: ResultsPanelDeps,
    opened?: { batch: Batch; connection: AccountConnection },
  ) {
    super(panel, { name: NAME, isMessage: isResultsPageMessage, log: deps.log }, deps.store, opened?.connection);
    this.batch = opened?.batch;
    panel.webview.html = buildResultsHtml(pageAssets(panel.webview, deps.extensionUri, 'results'));
    this.start();
  }

  protected closingNote(): string {
    return `Closed the results of ${this.batchId}: they belong to the account that was signed out or switched.`;
  }

  protected async handle(message: PageToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        void this.post({ type: 'batch', batchId: this.batchId });
        return this.postState();
      case 'retry':
        return this.retry();
      case 'query':
        return this.postPage(message);
      case 'detail':
        return this.postDetail(message.index);
      case 'export':
        return this.export(message.format, message.outcome);
      case 'resubmit':
        await vscode.commands.executeCommand(CommandId.resubmitFailed, this.batchId);
        return;
      case 'compare':
        await vscode.commands.executeCommand(CommandId.compareResults, this.batchId);
        return;
    }
  }

  /** Shows only the failed rows of one error group. */
  filterToError(filter: ErrorFilter): void {
    this.errorFilter = filter;
    if (this.state.kind === 'loaded' && this.pageListening) void this.post({ type: 'errorFilter', ...filter });
  }

  protected async load(connection: AccountConnection): Promise<void> {
    try {
      const report = await this.fetchAndJoin(connection);
      if (this.disposed || this.state === report) return;
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
    let posted = 0;
    /** The index the panel shows while it grows: progress of any other is not this panel's. */
    const shown: { index?: ResultsIndex } = {};
    const loaded = await loadResults(batch, connection, {
      ...this.deps,
      onRows: (status) => {
        if (this.state.kind !== 'loaded' || this.state.index !== shown.index) return;
        this.state.indexing = status;
        if (status.done || Date.now() - posted < PROGRESS_POST_MS) return;
        posted = Date.now();
        void this.postProgress();
      },
      signal: this.abort.signal,
      onStatus: (message) => {
        if (this.state.kind === 'loading') this.setState({ kind: 'loading', message });
      },
    });
    const { title, index, notes } = loaded;
    if (index.complete) return { kind: 'loaded', title, index, notes };
    // Rows show as they are indexed: the panel is `loaded` at once, and the page hears (at most
    // every PROGRESS_POST_MS) that more rows are in.
    shown.index = index;
    this.setState({ kind: 'loaded', title, index, notes, indexing: loaded.status() });
    await loaded.done;
    // Shown already: the page keeps its search, sort, page and open rows, and takes the notes.
    const state: PanelState = { kind: 'loaded', title, index, notes };
    this.state = state;
    if (this.pageListening) await this.postProgress();
    return state;
  }

  protected postLoaded(state: LoadedState): Promise<void> {
    const { total, counts, cost } = this.shownCounts(state.index);
    const errorFilter = this.errorFilter;
    const indexing = state.indexing && !state.indexing.done ? state.indexing : undefined;
    // The page answers with a `query` for the rows it wants to see.
    return this.post({
      type: 'begin',
      title: state.title,
      batchId: this.batchId,
      total,
      counts,
      notes: state.notes,
      resubmittable: this.resubmittable(),
      ...(cost && { cost }),
      ...(errorFilter && { errorFilter }),
      ...(indexing && { indexing: { indexed: indexing.indexed, expected: indexing.expected ?? null, exact: indexing.exact } }),
    });
  }

  /** While indexing, only rows with their result count (and no cost yet: it would grow). */
  private shownCounts(index: ResultsIndex): Pick<HostToPage & { type: 'begin' }, 'total' | 'counts' | 'cost'> {
    const { rows, counts } = index.report;
    if (!index.complete) return { total: counts.succeeded + counts.failed, counts: { ...counts, missing: 0 } };
    return { total: rows.length, counts, cost: resultsCostLabel(rows, this.batch?.model, readPriceOverrides()) };
  }

  /** Tells the page how far indexing has got; it asks for its page again. */
  private postProgress(): Promise<void> {
    const state = this.state;
    if (state.kind !== 'loaded' || !this.pageListening) return Promise.resolve();
    const status = state.indexing;
    const done = state.index.complete;
    const { total, counts, cost } = this.shownCounts(state.index);
    return this.post({
      type: 'progress',
      indexed: status?.indexed ?? total,
      expected: status?.expected ?? (done ? total : null),
      exact: status?.exact ?? done,
      done,
      total,
      counts,
      ...(done && { notes: state.notes }),
      ...(cost && { cost }),
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
    if (!index.complete) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The results are still being indexed: export them when all rows are in.'));
      return;
    }
    // In input order, like the table's default sort.
    const rows = index.find({ outcome, search: '', sortKey: 'line', descending: false });
    if (rows.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No {0} rows to export.', outcome));
      return;
    }
    const count = rows.length.toLocaleString('en-US');
    await exportWithDialog({
      format,
      rows: rows.length,
      fileName: safeFileName(`${fileStem(this.batchId)}-results${outcome === 'all' ? '' : `-${outcome}`}.${format}`),
      title:
        outcome === 'all'
          ? vscode.l10n.t('Export {0} rows as {1}', count, format.toUpperCase())
          : vscode.l10n.t('Export {0} {1} rows as {2}', count, outcome, format.toUpperCase()),
      write: async (path, signal, onProgress) => {
        await index.exportRows(rows, format, path, { signal, onProgress });
      },
      closed: this.abort.signal,
      log: this.deps.log,
      what: `result rows of ${this.batchId}`,
    });
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
