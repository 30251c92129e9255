// The results page: a paginated, sortable, filterable table of one batch's requests.
// Every string from the API is written with textContent; nothing is parsed as HTML.
import type {
  ErrorFilter,
  ExportFormat,
  HostToPage,
  OutcomeFilter,
  PageToHost,
  ResultCounts,
  ResultRow,
  ResultsPageState,
  SortKey,
} from '../src/webview/results/protocol';
import { el } from './dom';
import { isRecord, startPage, vsCodeApi } from './page';
import { isHostMessage } from './resultsMessages';
import { bindTable, element, emptyTableView, formatCount as number, renderTable, tableDom, takePage, type TableView } from './tablePage';

const SORT_KEYS: readonly string[] = ['customId', 'line', 'statusCode', 'answer', 'inputTokens', 'outputTokens', 'totalTokens'];

interface Detail {
  answer: string | null;
  request: string | null;
  response: string | null;
  error: string | null;
}

const vscode = vsCodeApi<PageToHost, ResultsPageState>();

/**
 * What the page shows. The host holds the rows and searches, sorts and filters them; the page
 * holds one page of them and asks for another with a numbered `query`, drawing only the answer
 * to the latest one.
 */
interface ViewState extends TableView<ResultRow, Detail> {
  total: number;
  counts: ResultCounts;
  /** Whether `begin` has come: the rows exist in the host. */
  loaded: boolean;
  outcome: OutcomeFilter;
  sortKey: SortKey;
  descending: boolean;
  /** Only the failed rows of this error group (chosen in the detail panel's error summary). */
  errorFilter?: ErrorFilter;
  /** While the host is still indexing: how far it has got. */
  indexing?: { indexed: number; expected: number | null; exact: boolean };
}

const view: ViewState = {
  ...emptyTableView(),
  total: 0,
  counts: { succeeded: 0, failed: 0, missing: 0, unmatched: 0 },
  loaded: false,
  outcome: 'all',
  sortKey: 'line',
  descending: false,
};

const dom = {
  ...tableDom(),
  title: element('title'),
  status: element('status'),
  banner: element('banner'),
  bannerText: element('banner-text'),
  retry: element<HTMLButtonElement>('retry'),
  notes: element<HTMLUListElement>('notes'),
  toolbar: element('toolbar'),
  cost: element('cost'),
  errorFilter: element('error-filter'),
  errorFilterText: element('error-filter-text'),
  errorFilterClear: element<HTMLButtonElement>('error-filter-clear'),
};

/** Asks the host for a page of the rows the current filter, search and sort keep. */
function query(page: number): void {
  view.seq += 1;
  vscode.postMessage({
    type: 'query',
    seq: view.seq,
    page,
    outcome: view.outcome,
    search: view.search,
    sortKey: view.sortKey,
    descending: view.descending,
    ...(view.errorFilter && { errorKey: view.errorFilter.errorKey }),
  });
}

/** Shows only one error group's rows (or all rows again, with `undefined`). */
function setErrorFilter(filter: ErrorFilter | undefined): void {
  view.errorFilter = filter;
  if (filter) view.outcome = 'failed';
  dom.errorFilter.hidden = !filter;
  dom.errorFilterText.textContent = filter ? `Showing the failed requests of one error group: ${filter.label}` : '';
  renderCounts();
}

/** The filter, search or sort changed: back to the first page. */
function requery(): void {
  if (view.loaded) query(0);
}

function render(): void {
  renderTable(dom, view, renderRow, renderDetail);
  dom.empty.textContent = !view.indexing
    ? 'No rows match.'
    : view.outcome === 'missing'
      ? 'Waiting: requests without a result are known when indexing ends.'
      : 'No rows match yet: more are being indexed.';
  renderCounts();
}

function renderRow(row: ResultRow): HTMLTableRowElement {
  const tr = el('tr', `row ${row.outcome}`);
  tr.tabIndex = 0;
  tr.dataset.index = String(row.index);
  tr.setAttribute('aria-expanded', String(view.expanded.has(row.index)));
  const idCell = el('td', 'id');
  idCell.append(el('span', `dot ${row.outcome}`), document.createTextNode(row.customId));
  idCell.title = `${row.customId} (${row.outcome})`;
  appendAttempt(idCell, row);
  tr.append(
    idCell,
    el('td', 'num', row.line < 0 ? '—' : String(row.line)),
    el('td', 'num', row.statusCode === null ? '' : String(row.statusCode)),
    el('td', 'answer', row.outcome === 'missing' ? 'no result' : row.answer),
    el('td', 'num', row.inputTokens === null ? '' : number(row.inputTokens)),
    el('td', 'num', row.outputTokens === null ? '' : number(row.outputTokens)),
    el('td', 'num', row.totalTokens === null ? '' : number(row.totalTokens)),
    el('td', 'num cost', row.cost ?? ''),
  );
  return tr;
}

/** Combined results of a chain: which attempt (and batch) the outcome comes from. */
function appendAttempt(cell: HTMLElement, row: ResultRow): void {
  if (row.attempt === undefined) return;
  // Only a request that ran more than once says so; every row names its batch in the tooltip.
  if ((row.attempts ?? 1) > 1) cell.append(el('span', 'attempt muted', ` · attempt ${row.attempt} of ${row.attempts ?? 1}`));
  cell.title = `${row.customId} (${row.outcome} in attempt ${row.attempt} of ${row.attempts ?? 1}, batch ${row.batchId ?? ''})`;
}

function renderDetail(index: number): HTMLTableRowElement {
  const tr = el('tr', 'detail');
  const td = el('td');
  td.colSpan = 7;
  const detail = view.details.get(index);
  if (!detail) {
    td.append(el('p', 'muted', 'Loading…'));
  } else {
    const section = (title: string, text: string | null, empty: string): void => {
      td.append(el('h3', undefined, title));
      td.append(text === null ? el('p', 'muted', empty) : el('pre', undefined, text));
    };
    if (detail.answer) section('Answer', detail.answer, '');
    section('Request', detail.request, 'Not in the input file.');
    section('Response', detail.response, 'No response.');
    if (detail.error !== null) section('Error', detail.error, '');
  }
  tr.append(td);
  return tr;
}

/** The count on each filter button; its keys are the filters. */
function filterCounts(): Record<OutcomeFilter, number> {
  const { counts } = view;
  return { all: view.total, succeeded: counts.succeeded, failed: counts.failed, missing: counts.missing };
}

function isOutcomeFilter(value: string | undefined): value is OutcomeFilter {
  return value !== undefined && Object.hasOwn(filterCounts(), value);
}

function renderCounts(): void {
  const values = filterCounts();
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-outcome]')) {
    const outcome = button.dataset.outcome as OutcomeFilter;
    const count = button.querySelector('.count');
    if (count) count.textContent = number(values[outcome]);
    button.setAttribute('aria-checked', String(outcome === view.outcome));
  }
}

function renderSortHeaders(): void {
  for (const th of document.querySelectorAll<HTMLTableCellElement>('th[data-sort]')) {
    th.setAttribute('aria-sort', th.dataset.sort === view.sortKey ? (view.descending ? 'descending' : 'ascending') : 'none');
  }
}

function setNotes(notes: string[]): void {
  dom.notes.replaceChildren(...notes.map((note) => el('li', undefined, String(note))));
  dom.notes.hidden = notes.length === 0;
}

function setStatus(text: string): void {
  dom.status.textContent = text;
}

/** `12,000 of ~50,000 indexed`, while the host indexes. */
function indexingText(indexing: NonNullable<ViewState['indexing']>): string {
  if (indexing.expected === null) return indexing.indexed ? `${number(indexing.indexed)} indexed…` : 'Indexing…';
  return `${number(indexing.indexed)} of ${indexing.exact ? '' : '~'}${number(indexing.expected)} indexed`;
}

function summary(): string {
  if (view.indexing) return indexingText(view.indexing);
  const { counts } = view;
  const parts = [
    `${number(view.total)} request${view.total === 1 ? '' : 's'}`,
    `${number(counts.succeeded)} succeeded`,
    `${number(counts.failed)} failed`,
  ];
  if (counts.missing) parts.push(`${number(counts.missing)} without a result`);
  return parts.join(' · ');
}

function receive(message: HostToPage): void {
  switch (message.type) {
    case 'batch':
      // Kept so the panel comes back after a window reload.
      vscode.setState({ batchId: message.batchId });
      return;
    case 'loading':
      dom.banner.hidden = true;
      setStatus(message.message);
      return;
    case 'error':
      dom.bannerText.textContent = message.message;
      dom.banner.hidden = false;
      setStatus('Could not load the results.');
      return;
    case 'begin':
      dom.banner.hidden = true;
      dom.title.textContent = message.title === message.batchId ? `Results of ${message.batchId}` : `Results of ${message.title}`;
      dom.title.title = message.batchId;
      view.rows = [];
      view.total = message.total;
      view.counts = message.counts;
      view.indexing = isRecord(message.indexing) ? message.indexing : undefined;
      view.loaded = true;
      view.answered = false;
      view.expanded.clear();
      view.details.clear();
      setNotes(message.notes);
      dom.toolbar.hidden = false;
      element('resubmit').hidden = message.resubmittable !== true;
      dom.cost.textContent = typeof message.cost === 'string' ? message.cost : '';
      dom.cost.hidden = typeof message.cost !== 'string';
      setErrorFilter(isRecord(message.errorFilter) ? message.errorFilter : undefined);
      setStatus(summary());
      query(0);
      return;
    case 'errorFilter':
      setErrorFilter({ errorKey: message.errorKey, label: message.label });
      requery();
      return;
    case 'progress':
      view.total = message.total;
      view.counts = message.counts;
      view.indexing = message.done ? undefined : { indexed: message.indexed, expected: message.expected, exact: message.exact };
      if (message.notes) setNotes(message.notes);
      if (typeof message.cost === 'string') {
        dom.cost.textContent = message.cost;
        dom.cost.hidden = false;
      }
      setStatus(summary());
      // The same page of the same query, with the rows that came in.
      if (view.loaded) query(view.page);
      return;
    case 'page':
      if (takePage(view, message)) render();
      return;
    case 'detail':
      view.details.set(message.index, {
        answer: message.answer,
        request: message.request,
        response: message.response,
        error: message.error,
      });
      if (view.expanded.has(message.index)) render();
      return;
  }
}

bindTable(dom, view, { query, requery, render, askDetail: (index) => vscode.postMessage({ type: 'detail', index }) });

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-outcome]')) {
  button.addEventListener('click', () => {
    const outcome = button.dataset.outcome;
    if (!isOutcomeFilter(outcome)) return;
    // Another outcome leaves the error group.
    if (view.errorFilter && outcome !== 'failed') setErrorFilter(undefined);
    view.outcome = outcome;
    renderCounts();
    requery();
  });
}

for (const th of document.querySelectorAll<HTMLTableCellElement>('th[data-sort]')) {
  th.querySelector('button')?.addEventListener('click', () => {
    const key = th.dataset.sort ?? '';
    if (!SORT_KEYS.includes(key)) return;
    if (view.sortKey === key) view.descending = !view.descending;
    else {
      view.sortKey = key as SortKey;
      view.descending = false;
    }
    renderSortHeaders();
    requery();
  });
}

dom.errorFilterClear.addEventListener('click', () => {
  view.outcome = 'all';
  setErrorFilter(undefined);
  requery();
});

const exportAs = (format: ExportFormat): void => vscode.postMessage({ type: 'export', format, outcome: view.outcome });
element('export-csv').addEventListener('click', () => exportAs('csv'));
element('export-jsonl').addEventListener('click', () => exportAs('jsonl'));
element('resubmit').addEventListener('click', () => vscode.postMessage({ type: 'resubmit' }));
element('compare').addEventListener('click', () => vscode.postMessage({ type: 'compare' }));
dom.retry.addEventListener('click', () => {
  dom.banner.hidden = true;
  vscode.postMessage({ type: 'retry' });
});

startPage(vscode, isHostMessage, receive);
