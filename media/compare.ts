// The compare page: two runs' answers side by side, one row per custom_id, with a summary and,
// for label-like answers, an agreement matrix. Every string is written with textContent.
import type {
  AgreementMatrix,
  CompareCell,
  CompareCounts,
  CompareFilter,
  CompareRow,
  ExportFormat,
  HostToPage,
  PageToHost,
  Verdict,
} from '../src/webview/compare/protocol';
import { el } from './dom';
import { isRecord, startPage, vsCodeApi } from './page';
import { bindTable, element, emptyTableView, formatCount as number, renderTable, tableDom, takePage, type TableView } from './tablePage';

interface Detail {
  answerA: string | null;
  answerB: string | null;
  diff: { kind: 'same' | 'removed' | 'added'; text: string }[] | null;
  error?: string;
}

const vscode = vsCodeApi<PageToHost, { a: string; b: string }>();

const FILTERS: readonly CompareFilter[] = ['all', 'different', 'same', 'failedOne', 'onlyA', 'onlyB'];

/** The page's view of the rows: one page of them; the host holds them all and answers numbered queries. */
const view: TableView<CompareRow, Detail> & { counts?: CompareCounts; loaded: boolean; filter: CompareFilter } = {
  ...emptyTableView(),
  counts: undefined,
  loaded: false,
  filter: 'all',
};

const dom = {
  ...tableDom(),
  title: element('title'),
  runs: element('runs'),
  status: element('status'),
  banner: element('banner'),
  bannerText: element('banner-text'),
  notes: element<HTMLUListElement>('notes'),
  summary: element('summary'),
  rule: element('rule'),
  cost: element('cost'),
  matrixBox: element('matrix-box'),
  matrixCaption: element('matrix-caption'),
  matrix: element<HTMLTableElement>('matrix'),
  toolbar: element('toolbar'),
};

const VERDICT_TEXT: Record<Verdict, string> = {
  same: 'same',
  different: 'different',
  pending: 'checking…',
  failedOne: 'failed in one',
  failedBoth: 'failed in both',
  onlyA: 'only in A',
  onlyB: 'only in B',
};

function query(page: number): void {
  view.seq += 1;
  vscode.postMessage({ type: 'query', seq: view.seq, page, filter: view.filter, search: view.search });
}

function requery(): void {
  if (view.loaded) query(0);
}

function cellText(cell: CompareCell | null): { text: string; className: string } {
  if (!cell) return { text: 'not in this run', className: 'absent' };
  if (cell.outcome === 'missing') return { text: 'no result', className: 'missing' };
  return { text: cell.answer, className: cell.outcome === 'failed' ? 'failed' : '' };
}

function verdictText(row: CompareRow): string {
  const text = VERDICT_TEXT[row.verdict] ?? row.verdict;
  return row.similarity === null ? text : `${text} (${row.similarity.toFixed(3)})`;
}

function renderRow(row: CompareRow): HTMLTableRowElement {
  const tr = el('tr', 'row');
  tr.tabIndex = 0;
  tr.dataset.index = String(row.index);
  tr.dataset.verdict = row.verdict;
  tr.setAttribute('aria-expanded', String(view.expanded.has(row.index)));
  const a = cellText(row.a);
  const b = cellText(row.b);
  const answerA = el('td', `answer ${a.className}`, a.text);
  const answerB = el('td', `answer ${b.className}`, b.text);
  answerA.title = a.text;
  answerB.title = b.text;
  const id = el('td', 'id', row.customId);
  id.title = row.customId;
  tr.append(
    id,
    answerA,
    answerB,
    el('td', `verdict ${row.verdict}`, verdictText(row)),
    el('td', 'num', row.a?.totalTokens == null ? '' : number(row.a.totalTokens)),
    el('td', 'num', row.b?.totalTokens == null ? '' : number(row.b.totalTokens)),
    el('td', 'num', row.a?.cost ?? ''),
    el('td', 'num', row.b?.cost ?? ''),
  );
  return tr;
}

function renderDetail(index: number): HTMLTableRowElement {
  const tr = el('tr', 'detail');
  const td = el('td');
  td.colSpan = 8;
  const detail = view.details.get(index);
  if (!detail) {
    td.append(el('p', 'muted', 'Loading…'));
  } else if (detail.error) {
    td.append(el('p', 'failed', detail.error));
  } else {
    const answers = el('div', 'answers');
    for (const [title, text] of [
      ['Answer A', detail.answerA],
      ['Answer B', detail.answerB],
    ] as const) {
      const column = el('div');
      column.append(el('h3', undefined, title), text === null ? el('p', 'muted', 'Not in this run.') : el('pre', undefined, text));
      answers.append(column);
    }
    td.append(answers);
    if (detail.diff) {
      td.append(el('h3', undefined, 'Word diff (A → B)'));
      const pre = el('pre', 'diff');
      for (const part of detail.diff)
        pre.append(part.kind === 'same' ? document.createTextNode(part.text) : el('span', part.kind, part.text));
      td.append(pre);
    }
  }
  tr.append(td);
  return tr;
}

function render(): void {
  renderTable(dom, view, renderRow, renderDetail);
}

function filterCount(filter: CompareFilter, counts: CompareCounts): number {
  return filter === 'all' ? counts.total : counts[filter];
}

function renderFilters(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-filter]')) {
    const filter = button.dataset.filter as CompareFilter;
    const count = button.querySelector('.count');
    if (count && view.counts) count.textContent = number(filterCount(filter, view.counts));
    button.setAttribute('aria-checked', String(filter === view.filter));
  }
}

function renderMatrix(matrix: AgreementMatrix | undefined): void {
  dom.matrixBox.hidden = !matrix;
  if (!matrix) return dom.matrix.replaceChildren();
  const percent = matrix.total ? ((matrix.agreeing / matrix.total) * 100).toFixed(1) : '0';
  dom.matrixCaption.textContent = `${number(matrix.agreeing)} of ${number(matrix.total)} rows answered by both agree (${percent}%).`;
  const head = el('tr');
  head.append(
    el('th', undefined, 'A \\ B'),
    ...matrix.labels.map((label) => Object.assign(el('th', undefined, label), { scope: 'col', title: label })),
  );
  const rows = matrix.labels.map((label, i) => {
    const tr = el('tr');
    const th = el('th', undefined, label);
    th.scope = 'row';
    th.title = label;
    tr.append(th, ...matrix.counts[i].map((count, j) => el('td', i === j ? 'agree' : undefined, number(count))));
    return tr;
  });
  dom.matrix.replaceChildren(el('thead'), el('tbody'));
  dom.matrix.tHead?.append(head);
  dom.matrix.tBodies[0].append(...rows);
}

function receiveSummary(message: Extract<HostToPage, { type: 'summary' }>): void {
  vscode.setState({ a: message.ids.a, b: message.ids.b });
  dom.banner.hidden = true;
  dom.title.textContent = 'Compare results';
  dom.runs.replaceChildren(el('span', undefined, message.titleA), el('br'), el('span', undefined, message.titleB));
  const { counts } = message;
  view.counts = counts;
  const judged = counts.same + counts.different + counts.pending;
  const identical = judged ? `${((counts.same / judged) * 100).toFixed(1)}%` : '—';
  const values: Record<string, string> = {
    'count-both': number(counts.both),
    'count-onlyA': number(counts.onlyA),
    'count-onlyB': number(counts.onlyB),
    identical: counts.pending ? `${identical} so far` : identical,
    'count-different': number(counts.different),
    'count-failedOne': number(counts.failedOne),
    'count-failedBoth': number(counts.failedBoth),
  };
  for (const [id, text] of Object.entries(values)) element(id).textContent = text;
  element('identical').title = `${number(counts.same)} of ${number(judged)} rows both runs answered`;
  dom.rule.textContent = message.rule;
  const cost = [message.costA && `A: ${message.costA}`, message.costB && `B: ${message.costB}`].filter(Boolean).join(' · ');
  dom.cost.textContent = cost;
  dom.cost.hidden = !cost;
  renderMatrix(isRecord(message.matrix) ? message.matrix : undefined);
  dom.notes.replaceChildren(...message.notes.map((note) => el('li', undefined, note)));
  dom.notes.hidden = message.notes.length === 0;
  dom.summary.hidden = false;
  dom.toolbar.hidden = false;
  dom.status.textContent = message.indexing ?? message.checking ?? `${number(counts.total)} custom_ids in either run`;
  renderFilters();
  view.loaded = true;
  // Verdicts may have changed: the rows are asked for again, on the page shown.
  query(view.page);
}

function isHostMessage(value: unknown): value is HostToPage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'loading':
    case 'error':
      return typeof value.message === 'string';
    case 'summary':
      return isRecord(value.counts) && isRecord(value.ids) && typeof value.rule === 'string' && Array.isArray(value.notes);
    case 'page':
      return typeof value.seq === 'number' && typeof value.pageSize === 'number' && value.pageSize > 0 && Array.isArray(value.rows);
    case 'detail':
      return typeof value.index === 'number';
    default:
      return false;
  }
}

function receive(message: HostToPage): void {
  switch (message.type) {
    case 'loading':
      dom.banner.hidden = true;
      dom.status.textContent = message.message;
      return;
    case 'error':
      dom.bannerText.textContent = message.message;
      dom.banner.hidden = false;
      dom.status.textContent = 'Could not compare the results.';
      return;
    case 'summary':
      return receiveSummary(message);
    case 'page':
      if (takePage(view, message)) render();
      return;
    case 'detail':
      view.details.set(message.index, message);
      if (view.expanded.has(message.index)) render();
      return;
  }
}

bindTable(dom, view, { query, requery, render, askDetail: (index) => vscode.postMessage({ type: 'detail', index }) });

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-filter]')) {
  button.addEventListener('click', () => {
    const filter = button.dataset.filter as CompareFilter;
    if (!FILTERS.includes(filter)) return;
    view.filter = filter;
    renderFilters();
    requery();
  });
}

const exportAs = (format: ExportFormat): void => vscode.postMessage({ type: 'export', format, filter: view.filter });
element('export-csv').addEventListener('click', () => exportAs('csv'));
element('export-jsonl').addEventListener('click', () => exportAs('jsonl'));
element('retry').addEventListener('click', () => {
  dom.banner.hidden = true;
  vscode.postMessage({ type: 'retry' });
});

startPage(vscode, isHostMessage, receive);
