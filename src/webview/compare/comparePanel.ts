import * as vscode from 'vscode';
import { errorMessage, isCancellation } from '../../core/api/errors';
import { sleep } from '../../core/api/retry';
import type { Batch } from '../../core/api/types';
import { batchLabel } from '../../core/batches/batchDisplay';
import type { AccountConnection, BatchStore } from '../../core/batches/batchStore';
import { type ComparedRow, Comparison, type CompareRun } from '../../core/compare/comparison';
import { COMPARE_ROWS_PER_PAGE } from '../../core/compare/compareTypes';
import type { JoinedResult } from '../../core/results/resultsJoin';
import { fileStem, safeFileName } from '../../core/util/fileNames';
import { isRecord } from '../../core/util/json';
import { singleLine } from '../../core/util/text';
import { PanelType } from '../../ids';
import type { Logger } from '../../log';
import { readPriceOverrides } from '../../priceSettings';
import { exportWithDialog } from '../exportDialog';
import { AccountPanel } from '../accountPanel';
import { pageAssets, WebviewPanels } from '../panels';
import { type LoadedResults, loadResults } from '../results/loadResults';
import type { IndexingStatus } from '../../core/results/progressiveIndex';
import { resultsCostLabel, rowCost } from '../results/resultsCost';
import { buildCompareHtml } from './compareHtml';
import {
  type CompareCell,
  type CompareFilter,
  type CompareRow,
  type CompareSummary,
  type ExportFormat,
  type HostToPage,
  isComparePageMessage,
  type PageToHost,
} from './protocol';

export interface ComparePanelDeps {
  extensionUri: vscode.Uri;
  store: BatchStore;
  log: Logger;
  /** The path of an account's copy of a file (shared with the results view). */
  cachedFile: (account: string, fileId: string) => Promise<string>;
}

/** What the page keeps with `setState`: the two batch ids, A first. */
export interface ComparePageState {
  a: string;
  b: string;
}

function isComparePageState(value: unknown): value is ComparePageState {
  return isRecord(value) && typeof value.a === 'string' && value.a !== '' && typeof value.b === 'string' && value.b !== '';
}

const NAME = 'compare panel';

/** The compare panels, one per ordered pair of batches; closed on an account switch. */
export class ComparePanels extends WebviewPanels<ComparePanel, ComparePageState> {
  constructor(private readonly deps: ComparePanelDeps) {
    super({
      viewType: PanelType.compare,
      name: NAME,
      extensionUri: deps.extensionUri,
      log: deps.log,
      isState: isComparePageState,
      keyOf: (state) => `${state.a}\n${state.b}`,
    });
  }

  /** Opens (or reveals) the comparison of A's results with B's, fetched with the current account. */
  show(a: Batch, b: Batch): void {
    const key = `${a.id}\n${b.id}`;
    const existing = this.panels.get(key);
    if (existing) return existing.reveal();
    const connection = this.deps.store.requireConnection();
    const panel = this.createPanel(vscode.l10n.t('Compare: {0} ↔ {1}', singleLine(batchLabel(a), 24), singleLine(batchLabel(b), 24)), true);
    this.track(key, new ComparePanel(panel, { a: a.id, b: b.id }, this.deps, { a, b, connection }));
  }

  protected revive(panel: vscode.WebviewPanel, state: ComparePageState): ComparePanel {
    return new ComparePanel(panel, state, this.deps);
  }
}

/** How soon the first rows are looked for while both runs are indexed, and how often they are refreshed after. */
const FIRST_ROWS_POLL_MS = 150;
const PARTIAL_REFRESH_MS = 2000;

/** One side, loaded: `run()` gives its rows for a comparison (all of them, or those given). */
interface LoadedRun {
  title: string;
  loaded: LoadedResults;
  run: (rows?: readonly JoinedResult[]) => CompareRun;
}

function indexingText(status: IndexingStatus): string {
  const indexed = status.indexed.toLocaleString('en-US');
  if (status.expected === undefined) return vscode.l10n.t('{0} indexed', indexed);
  const expected = status.expected.toLocaleString('en-US');
  return status.exact ? vscode.l10n.t('{0} of {1} indexed', indexed, expected) : vscode.l10n.t('{0} of ~{1} indexed', indexed, expected);
}

interface Loaded {
  comparison: Comparison;
  summary: CompareSummary;
  models: { a: unknown; b: unknown };
}

class ComparePanel extends AccountPanel<HostToPage, PageToHost, { kind: 'loaded'; loaded: Loaded }> {
  private batches: { a?: Batch; b?: Batch };

  constructor(
    panel: vscode.WebviewPanel,
    private readonly ids: ComparePageState,
    private readonly deps: ComparePanelDeps,
    opened?: { a: Batch; b: Batch; connection: AccountConnection },
  ) {
    super(panel, { name: NAME, isMessage: isComparePageMessage, log: deps.log }, deps.store, opened?.connection);
    this.batches = { a: opened?.a, b: opened?.b };
    panel.webview.html = buildCompareHtml(pageAssets(panel.webview, deps.extensionUri, 'compare'));
    this.start();
  }

  protected closingNote(): string {
    return `Closed the comparison of ${this.ids.a} and ${this.ids.b}: the account was signed out or switched.`;
  }

  protected async handle(message: PageToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.postState();
      case 'retry':
        return this.retry();
      case 'query':
        return this.postPage(message.seq, message.page, message.filter, message.search);
      case 'detail':
        return this.postDetail(message.index);
      case 'export':
        return this.export(message.format, message.filter);
    }
  }

  protected async load(connection: AccountConnection): Promise<void> {
    // This load's own signal: closing the panel stops it, and so does a failure of either run, so
    // the other run is not left indexing for a comparison that will not come (Retry starts afresh).
    const loading = new AbortController();
    const stop = (): void => loading.abort();
    this.abort.signal.addEventListener('abort', stop);
    try {
      const started = Date.now();
      // A's files are downloaded first (the runs often share their input file: it is downloaded
      // once), then B's while A is indexed; both are indexed in one shared worker, taking turns,
      // and the first rows show once both have some.
      const runA = await this.loadRun(connection, 'a', loading.signal);
      const runB = await this.loadRun(connection, 'b', loading.signal);
      if (this.disposed) return;
      await this.whileIndexing(runA, runB);
      if (this.disposed) return;
      const comparison = new Comparison(runA.run(), runB.run());
      const summary = this.summarize(comparison, runA, runB);
      const pending = summary.counts.pending;
      if (pending) summary.checking = checkingText(0, pending);
      this.deps.log.info(`Compared ${this.ids.a} with ${this.ids.b}: ${summary.counts.total} rows in ${Date.now() - started} ms.`);
      this.setState({ kind: 'loaded', loaded: { comparison, summary, models: this.models() } });
      if (pending) void this.settle(comparison, summary);
    } catch (error) {
      loading.abort();
      if (this.disposed || isCancellation(error)) return;
      const message = this.deps.log.redactor.redact(errorMessage(error));
      this.deps.log.error(`Comparing ${this.ids.a} with ${this.ids.b} failed: ${message}`);
      this.setState({ kind: 'failed', message });
    } finally {
      this.abort.signal.removeEventListener('abort', stop);
    }
  }

  private models(): Loaded['models'] {
    return { a: this.batches.a?.model, b: this.batches.b?.model };
  }

  private summarize(comparison: Comparison, runA: LoadedRun, runB: LoadedRun): CompareSummary {
    const models = this.models();
    const overrides = readPriceOverrides();
    const rowsA = comparison.runA.rows;
    const rowsB = comparison.runB.rows;
    const summary: CompareSummary = {
      titleA: runA.title,
      titleB: runB.title,
      counts: comparison.counts(),
      rule: comparison.ruleText,
      notes: [...runA.loaded.notes.map((note) => `A: ${note}`), ...runB.loaded.notes.map((note) => `B: ${note}`)],
    };
    const matrix = comparison.agreement();
    if (matrix) summary.matrix = matrix;
    const costA = resultsCostLabel(rowsA, models.a, overrides);
    const costB = resultsCostLabel(rowsB, models.b, overrides);
    if (costA) summary.costA = costA;
    if (costB) summary.costB = costB;
    return summary;
  }

  /**
   * Until both runs are indexed, shows the comparison of the rows both have so far (soon after
   * opening, then every {@link PARTIAL_REFRESH_MS}), with how far each run's indexing has got.
   */
  private async whileIndexing(runA: LoadedRun, runB: LoadedRun): Promise<void> {
    const both = Promise.all([runA.loaded.done, runB.loaded.done]);
    both.catch(() => undefined);
    let shown = false;
    while (!(runA.loaded.index.complete && runB.loaded.index.complete) && !this.disposed) {
      const ended = await Promise.race([both.then(() => true), sleep(shown ? PARTIAL_REFRESH_MS : FIRST_ROWS_POLL_MS).then(() => false)]);
      if (ended || this.disposed) break;
      shown = this.showPartial(runA, runB) || shown;
    }
    await both;
  }

  /** The comparison of the rows both runs have indexed so far; false while they have none in common. */
  private showPartial(runA: LoadedRun, runB: LoadedRun): boolean {
    // While indexing, the rows with their result so far.
    const rowsA = runA.loaded.index.inInputOrder();
    const rowsB = runB.loaded.index.inInputOrder();
    const idsA = new Set(rowsA.map((row) => row.customId));
    const idsB = new Set(rowsB.map((row) => row.customId));
    const common = { a: rowsA.filter((row) => idsB.has(row.customId)), b: rowsB.filter((row) => idsA.has(row.customId)) };
    if (common.a.length === 0) return false;
    const comparison = new Comparison(runA.run(common.a), runB.run(common.b));
    const summary = this.summarize(comparison, runA, runB);
    summary.indexing = vscode.l10n.t(
      'Comparing the rows both runs have so far (A: {0}; B: {1}). Export waits for all rows.',
      indexingText(runA.loaded.status()),
      indexingText(runB.loaded.status()),
    );
    this.setState({ kind: 'loaded', loaded: { comparison, summary, models: this.models() } });
    return true;
  }

  /** One side's results (a batch alone or its chain combined), as the results view builds them: a batch alone still being indexed. */
  private async loadRun(connection: AccountConnection, side: 'a' | 'b', signal: AbortSignal): Promise<LoadedRun> {
    const id = this.ids[side];
    const batch = (this.batches[side] ??= this.deps.store.get(id) ?? (await this.deps.store.fetchBatch(id, signal)));
    const letter = side.toUpperCase();
    const loaded = await loadResults(batch, connection, {
      ...this.deps,
      signal,
      onStatus: (message) => {
        if (this.state.kind !== 'loaded') this.setState({ kind: 'loading', message: `${letter}: ${message}` });
      },
    });
    return {
      title: `${letter}: ${loaded.title}`,
      loaded,
      run: (rows) => ({ rows: rows ?? loaded.index.inInputOrder(), sources: loaded.sources, endpoint: batch.endpoint }),
    };
  }

  /** Reads back what the previews could not judge, posting the summary as verdicts settle. */
  private async settle(comparison: Comparison, summary: CompareSummary): Promise<void> {
    try {
      await comparison.settlePending(this.abort.signal, (done, total) => {
        summary.counts = comparison.counts();
        if (done < total) summary.checking = checkingText(done, total);
        else delete summary.checking;
        if (this.pageListening) void this.postState();
      });
    } catch (error) {
      if (this.disposed) return;
      const message = errorMessage(error);
      this.deps.log.warn(`Checking the long answers of ${this.ids.a} and ${this.ids.b} failed: ${message}`);
      delete summary.checking;
      summary.notes.push(vscode.l10n.t('Some rows stay "pending": their answers could not be read back ({0}).', message));
      summary.counts = comparison.counts();
      if (this.pageListening) void this.postState();
    }
  }

  protected postLoaded(state: { kind: 'loaded'; loaded: Loaded }): Promise<void> {
    // The page keeps the ids (its saved state) and answers with a `query` for the rows it wants.
    return this.post({ type: 'summary', ...state.loaded.summary, ids: { ...this.ids } });
  }

  private postPage(seq: number, wanted: number, filter: CompareFilter, search: string): Promise<void> {
    if (this.state.kind !== 'loaded') return Promise.resolve();
    const { comparison, models } = this.state.loaded;
    const { rows, page, matched } = comparison.page(filter, search, wanted, COMPARE_ROWS_PER_PAGE);
    const overrides = readPriceOverrides();
    const cell = (row: JoinedResult | undefined, model: unknown): CompareCell | null =>
      row
        ? {
            outcome: row.outcome,
            answer: row.answer ?? '',
            totalTokens: row.usage?.total_tokens ?? null,
            cost: rowCost(row, model, overrides),
          }
        : null;
    const toRow = (row: ComparedRow): CompareRow => ({
      index: row.index,
      customId: row.customId,
      verdict: row.verdict,
      similarity: Number.isNaN(row.similarity) ? null : row.similarity,
      a: cell(row.a, models.a),
      b: cell(row.b, models.b),
    });
    return this.post({ type: 'page', seq, page, pageSize: COMPARE_ROWS_PER_PAGE, matched, rows: rows.map(toRow) });
  }

  private async postDetail(index: number): Promise<void> {
    if (this.state.kind !== 'loaded') return;
    try {
      const detail = await this.state.loaded.comparison.detail(index);
      if (detail) await this.post({ type: 'detail', index, ...detail });
    } catch (error) {
      const message = errorMessage(error);
      this.deps.log.warn(`Reading row ${index} of the comparison of ${this.ids.a} and ${this.ids.b} failed: ${message}`);
      await this.post({
        type: 'detail',
        index,
        answerA: null,
        answerB: null,
        diff: null,
        error: vscode.l10n.t('Could not read this row from the downloaded files: {0}', message),
      });
    }
  }

  private async export(format: ExportFormat, filter: CompareFilter): Promise<void> {
    if (this.state.kind !== 'loaded') return;
    if (this.state.loaded.summary.indexing) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The results are still being indexed: export them when all rows are in.'));
      return;
    }
    const { comparison, models } = this.state.loaded;
    const rows = comparison.find(filter, '');
    if (rows.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No rows to export.'));
      return;
    }
    const overrides = readPriceOverrides();
    const count = rows.length.toLocaleString('en-US');
    await exportWithDialog({
      format,
      rows: rows.length,
      fileName: safeFileName(
        `compare-${fileStem(this.ids.a).slice(0, 60)}-${fileStem(this.ids.b).slice(0, 60)}${filter === 'all' ? '' : `-${filter}`}.${format}`,
      ),
      title: vscode.l10n.t('Export {0} compared rows as {1}', count, format.toUpperCase()),
      write: (path, signal, onProgress) =>
        comparison.exportRows(rows, format, path, {
          signal,
          onProgress,
          cost: (side, row) => rowCost(row, models[side], overrides),
        }),
      closed: this.abort.signal,
      log: this.deps.log,
      what: `compared rows of ${this.ids.a} and ${this.ids.b}`,
    });
  }
}

function checkingText(done: number, total: number): string {
  return vscode.l10n.t(
    'Reading back {0} of {1} answers the previews cannot judge (long answers, embeddings)…',
    done.toLocaleString('en-US'),
    total.toLocaleString('en-US'),
  );
}
