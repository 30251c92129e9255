import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { cachedFilePath } from '../fileCache';
import { type BatchArgument, resolveBatch } from '../commands/batchPicker';
import type { Services } from '../commands/services';
import { downloadFile } from '../core/download';
import { formatBytes } from '../core/format';
import { errorMessage, isCancellation } from '../core/errors';
import { batchLabel, singleLine, statusPhrase } from '../core/format';
import { readLines } from '../core/lineReader';
import { type JoinedResult, type JoinReport, joinResults, toCsv, toJsonl } from '../core/resultsJoin';
import { limitDepth } from '../core/jsonDepth';
import type { BatchApiClient } from '../core/client';
import type { Batch } from '../core/types';
import { buildResultsHtml } from './resultsHtml';
import { ANSWER_PREVIEW_CHARS, type ExportFormat, type HostToPage, isResultsPageMessage, type OutcomeFilter, type PageToHost, ROWS_PER_MESSAGE, type ResultRow } from './resultsProtocol';
import { PanelType } from '../ids';
import { reportFailure } from '../failures';

const VIEW_TYPE = PanelType.results;

/** Open panels by batch id: one per batch, revealed when opened again. */
const panels = new Map<string, ResultsPanel>();

function hasResults(batch: Batch): boolean {
  return !!batch.output_file_id || !!batch.error_file_id;
}

/**
 * `openaiBatches.openResults`: joins a batch's input, output and error files by custom_id and
 * shows one row per request. Files are downloaded once into the extension's cache.
 */
export async function openResults(services: Services, argument: BatchArgument): Promise<void> {
  const batch = await resolveBatch(services.store, argument, {
    title: 'Open results',
    placeHolder: 'Pick a batch to see its results, one row per request',
    include: hasResults,
    detail: (b) => [b.output_file_id && `output ${b.output_file_id}`, b.error_file_id && `errors ${b.error_file_id}`].filter(Boolean).join(' · '),
    emptyMessage: 'No loaded batch has results yet (an output or error file).',
  });
  if (!batch) return;
  if (!hasResults(batch)) {
    void vscode.window.showInformationMessage(`Batch "${batchLabel(batch)}" has no results yet (status: ${statusPhrase(batch)}). They appear when it completes, expires or is cancelled.`);
    return;
  }
  const existing = panels.get(batch.id);
  if (existing) {
    existing.reveal();
    return;
  }
  services.store.requireClient();
  const panel = new ResultsPanel(services, batch);
  panels.set(batch.id, panel);
}

type PanelState = { kind: 'loading'; message: string } | { kind: 'loaded'; report: JoinReport; notes: string[] } | { kind: 'failed'; message: string };

class ResultsPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  /** The account the batch belongs to: its files are fetched with its client and cached in its folder. */
  private readonly client: BatchApiClient;
  private readonly account: string;
  private readonly abort = new AbortController();
  private readonly disposables: vscode.Disposable[] = [];
  private state: PanelState = { kind: 'loading', message: 'Loading…' };
  private pageReady = false;
  private disposed = false;
  /** Bumped on each (re)post of the rows, so a stale posting loop stops. */
  private generation = 0;

  constructor(
    private readonly services: Services,
    private readonly batch: Batch,
  ) {
    ({ client: this.client, account: this.account } = services.store.requireConnection());
    const extensionUri = services.context.extensionUri;
    this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, `Results: ${singleLine(batchLabel(batch), 40)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      // Re-sending 50,000 rows on every tab switch would cost more than keeping the page.
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    });
    const { webview } = this.panel;
    const asset = (...segments: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
    webview.html = buildResultsHtml({ cspSource: webview.cspSource, scriptUri: asset('dist', 'results.js'), styleUri: asset('media', 'results.css') });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => void this.onMessage(message)),
      this.panel.onDidDispose(() => this.dispose()),
      services.store.onDidChangeAccount(() => {
        services.log.info(`Closed the results of ${batch.id}: they belong to the account that was signed out or switched.`);
        this.dispose();
      }),
    );
    void this.load();
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    if (panels.get(this.batch.id) === this) panels.delete(this.batch.id);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }

  private async load(): Promise<void> {
    try {
      const report = await this.fetchAndJoin();
      if (this.disposed) return;
      this.setState(report);
    } catch (error) {
      if (this.disposed || isCancellation(error)) return;
      const message = this.services.log.redactor.redact(errorMessage(error));
      this.services.log.error(`Loading the results of ${this.batch.id} failed: ${message}`);
      this.setState({ kind: 'failed', message });
    }
  }

  private async fetchAndJoin(): Promise<PanelState> {
    const { batch } = this;
    const notes: string[] = [];
    const output = batch.output_file_id ? await this.cached(batch.output_file_id, 'output') : undefined;
    const errors = batch.error_file_id ? await this.cached(batch.error_file_id, 'error') : undefined;
    let input: string | undefined;
    if (batch.input_file_id) {
      try {
        input = await this.cached(batch.input_file_id, 'input');
      } catch (error) {
        if (isCancellation(error)) throw error;
        // Some providers do not serve batch input files back; results alone are still worth showing.
        notes.push(`The input file ${batch.input_file_id} could not be downloaded (${errorMessage(error)}), so rows follow the result files and show no requests.`);
      }
    } else {
      notes.push('This batch names no input file, so rows follow the result files and show no requests.');
    }
    this.setState({ kind: 'loading', message: 'Joining results by custom_id…' });
    const started = Date.now();
    const report = await joinResults(input ? readLines(input) : undefined, output ? readLines(output) : undefined, errors ? readLines(errors) : undefined);
    this.services.log.info(`Joined ${report.rows.length} results of ${batch.id} in ${Date.now() - started} ms.`);
    if (report.counts.unmatched && input) notes.push(`${report.counts.unmatched.toLocaleString('en-US')} result${report.counts.unmatched === 1 ? ' has a custom_id' : 's have custom_ids'} not in the input file (shown last, line -1).`);
    if (report.skippedCount) {
      const listed = report.skipped.slice(0, 5).map((s) => `${s.file} line ${s.line}: ${s.reason}`);
      notes.push(`Skipped ${report.skippedCount.toLocaleString('en-US')} line${report.skippedCount === 1 ? '' : 's'} that could not be joined (${listed.join('; ')}${report.skippedCount > 5 ? '; …' : ''}).`);
    }
    return { kind: 'loaded', report, notes };
  }

  /** The local copy of a file in the cache, downloading it first if needed. */
  private async cached(fileId: string, role: string): Promise<string> {
    const path = await cachedFilePath(this.services.context, this.account, fileId);
    if (await stat(path).then((s) => s.isFile(), () => false)) return path;
    const label = `Downloading the ${role} file ${fileId}…`;
    this.setState({ kind: 'loading', message: label });
    const { bytes } = await downloadFile(this.client, fileId, path, {
      signal: this.abort.signal,
      onProgress: ({ received, total }) => this.setState({ kind: 'loading', message: `${label} ${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''}` }),
    });
    this.services.log.info(`Cached ${role} file ${fileId} (${bytes} bytes) for the results view.`);
    return path;
  }

  private setState(state: PanelState): void {
    this.state = state;
    if (this.pageReady) void this.postState();
  }

  private async postState(): Promise<void> {
    const state = this.state;
    const generation = ++this.generation;
    if (state.kind === 'loading') return this.post({ type: 'loading', message: state.message });
    if (state.kind === 'failed') return this.post({ type: 'error', message: state.message });
    const { rows, counts } = state.report;
    await this.post({ type: 'begin', title: batchLabel(this.batch), batchId: this.batch.id, total: rows.length, counts, notes: state.notes });
    for (let start = 0; start < rows.length; start += ROWS_PER_MESSAGE) {
      if (generation !== this.generation || this.disposed) return;
      await this.post({ type: 'rows', rows: rows.slice(start, start + ROWS_PER_MESSAGE).map((row, i) => toRow(row, start + i)) });
    }
    await this.post({ type: 'end' });
  }

  private async post(message: HostToPage): Promise<void> {
    if (this.disposed) return;
    try {
      await this.panel.webview.postMessage(message);
    } catch (error) {
      this.services.log.debug(`Results panel post failed: ${errorMessage(error)}`);
    }
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isResultsPageMessage(message)) {
      this.services.log.warn('Ignored an unexpected message from a results panel.');
      return;
    }
    try {
      await this.handle(message);
    } catch (error) {
      reportFailure(this.services.log, `Results panel action "${message.type}"`, error);
    }
  }

  private async handle(message: PageToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.pageReady = true;
        return this.postState();
      case 'retry':
        if (this.state.kind !== 'failed') return;
        this.setState({ kind: 'loading', message: 'Loading…' });
        return this.load();
      case 'detail':
        return this.postDetail(message.index);
      case 'export':
        return this.export(message.format, message.outcome);
    }
  }

  private postDetail(index: number): Promise<void> {
    if (this.state.kind !== 'loaded') return Promise.resolve();
    const row = this.state.report.rows[index];
    if (!row) return Promise.resolve();
    return this.post({ type: 'detail', index, answer: row.answer ?? null, request: pretty(row.request), response: pretty(row.response), error: pretty(row.error) });
  }

  private async export(format: ExportFormat, outcome: OutcomeFilter): Promise<void> {
    if (this.state.kind !== 'loaded') return;
    const rows = outcome === 'all' ? this.state.report.rows : this.state.report.rows.filter((row) => row.outcome === outcome);
    if (rows.length === 0) {
      void vscode.window.showInformationMessage(`No ${outcome} rows to export.`);
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${this.batch.id.replace(/[^\w.-]/g, '_')}-results${outcome === 'all' ? '' : `-${outcome}`}.${format}`;
    const destination = await vscode.window.showSaveDialog({
      title: `Export ${rows.length.toLocaleString('en-US')} ${outcome === 'all' ? '' : `${outcome} `}rows as ${format.toUpperCase()}`,
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl'] },
      saveLabel: 'Export',
    });
    if (!destination) return;
    const text = format === 'csv' ? toCsv(rows) : toJsonl(rows);
    await vscode.workspace.fs.writeFile(destination, Buffer.from(text, 'utf8'));
    this.services.log.info(`Exported ${rows.length} result rows of ${this.batch.id} to ${destination.toString(true)}.`);
    const open = await vscode.window.showInformationMessage(`Exported ${rows.length.toLocaleString('en-US')} rows to ${vscode.workspace.asRelativePath(destination)}.`, 'Open');
    if (open) await vscode.window.showTextDocument(destination, { preview: false });
  }
}

function toRow(row: JoinedResult, index: number): ResultRow {
  const answer = row.answer ?? '';
  return {
    index,
    customId: row.customId,
    line: row.line,
    statusCode: row.statusCode ?? null,
    outcome: row.outcome,
    answer: answer.length > ANSWER_PREVIEW_CHARS ? `${answer.slice(0, ANSWER_PREVIEW_CHARS - 1)}…` : answer,
    inputTokens: row.usage?.input_tokens ?? null,
    outputTokens: row.usage?.output_tokens ?? null,
    totalTokens: row.usage?.total_tokens ?? null,
  };
}

/** Long number arrays (embeddings) are shortened for reading; exports keep them whole. */
function pretty(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(
    limitDepth(value),
    (_key, item: unknown) => {
      if (Array.isArray(item) && item.length > 16 && item.every((n) => typeof n === 'number')) {
        return `[${item.slice(0, 8).join(', ')}, … ${item.length} numbers in all]`;
      }
      return item;
    },
    2,
  );
}
