// What the Results and Compare pages share: the host holds every row and answers numbered queries
// with one page of them; rows expand into a detail row; a search box (debounced) and a pager ask
// again. Each page keeps its own columns, filters and summary.

/** The element with this id; a page without it is a build error worth a loud failure. */
export function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing`);
  return found as T;
}

export const formatCount = (value: number): string => value.toLocaleString('en-US');

/** The elements of the table, its pager and its search box (the same ids on both pages). */
export interface TableDom {
  table: HTMLTableElement;
  body: HTMLTableSectionElement;
  empty: HTMLElement;
  pager: HTMLElement;
  prev: HTMLButtonElement;
  next: HTMLButtonElement;
  range: HTMLElement;
  search: HTMLInputElement;
}

export function tableDom(): TableDom {
  return {
    table: element<HTMLTableElement>('table'),
    body: element<HTMLTableSectionElement>('rows'),
    empty: element('empty'),
    pager: element('pager'),
    prev: element<HTMLButtonElement>('prev'),
    next: element<HTMLButtonElement>('next'),
    range: element('range'),
    search: element<HTMLInputElement>('search'),
  };
}

/** The page's share of the rows: one page of them, and which are expanded. */
export interface TableView<Row extends { index: number }, Detail> {
  rows: Row[];
  /** Rows the query keeps, on all pages. */
  matched: number;
  page: number;
  /** Rows per page: the host decides. */
  pageSize: number;
  /** Whether the answer to the latest query has come. */
  answered: boolean;
  search: string;
  /** The number of the latest query sent. */
  seq: number;
  /** Row indexes whose detail is open. */
  expanded: Set<number>;
  details: Map<number, Detail>;
}

/** The view before the first page has come. */
export function emptyTableView<Row extends { index: number }, Detail>(): TableView<Row, Detail> {
  return { rows: [], matched: 0, page: 0, pageSize: 1, answered: false, search: '', seq: 0, expanded: new Set(), details: new Map() };
}

/** A page of rows from the host. */
export interface PageMessage<Row> {
  seq: number;
  rows: Row[];
  matched: number;
  page: number;
  pageSize: number;
}

/**
 * Takes the host's answer to a query; false (and nothing changes) when it answers a query since
 * replaced (typing, paging quickly).
 */
export function takePage<Row extends { index: number }, Detail>(view: TableView<Row, Detail>, message: PageMessage<Row>): boolean {
  if (message.seq !== view.seq) return false;
  view.rows = message.rows;
  view.matched = message.matched;
  view.page = message.page;
  view.pageSize = message.pageSize;
  view.answered = true;
  return true;
}

/** Draws the rows, each followed by its detail row while expanded, and the pager. */
export function renderTable<Row extends { index: number }, Detail>(
  dom: TableDom,
  view: TableView<Row, Detail>,
  renderRow: (row: Row) => HTMLTableRowElement,
  renderDetail: (index: number) => HTMLTableRowElement,
): void {
  const fragment = document.createDocumentFragment();
  for (const row of view.rows) {
    fragment.append(renderRow(row));
    if (view.expanded.has(row.index)) fragment.append(renderDetail(row.index));
  }
  dom.body.replaceChildren(fragment);
  const start = view.page * view.pageSize;
  const pages = Math.max(1, Math.ceil(view.matched / view.pageSize));
  dom.table.hidden = view.rows.length === 0;
  dom.empty.hidden = !view.answered || view.rows.length > 0;
  dom.pager.hidden = pages <= 1;
  dom.prev.disabled = view.page === 0;
  dom.next.disabled = view.page >= pages - 1;
  dom.range.textContent = view.rows.length
    ? `${formatCount(start + 1)}–${formatCount(start + view.rows.length)} of ${formatCount(view.matched)}`
    : '';
}

/** What the shared controls ask of the page. */
export interface TableActions {
  /** Asks the host for this page of the current query. */
  query(page: number): void;
  /** The search changed: back to the first page (once there are rows). */
  requery(): void;
  render(): void;
  /** Asks the host for a row's detail. */
  askDetail(index: number): void;
}

/**
 * Wires the rows (click or Enter/Space expands; a click that selected text does not), the search
 * box (150 ms after the last key) and the pager.
 */
export function bindTable<Row extends { index: number }, Detail>(dom: TableDom, view: TableView<Row, Detail>, actions: TableActions): void {
  const toggle = (index: number): void => {
    if (view.expanded.has(index)) view.expanded.delete(index);
    else {
      view.expanded.add(index);
      if (!view.details.has(index)) actions.askDetail(index);
    }
    actions.render();
  };
  dom.body.addEventListener('click', (event) => {
    const row = (event.target as HTMLElement).closest<HTMLTableRowElement>('tr.row');
    // Let people select text in an expanded row without collapsing it.
    if (row && !window.getSelection()?.toString()) toggle(Number(row.dataset.index));
  });
  dom.body.addEventListener('keydown', (event) => {
    const row = (event.target as HTMLElement).closest<HTMLTableRowElement>('tr.row');
    if (!row || (event.key !== 'Enter' && event.key !== ' ')) return;
    event.preventDefault();
    const index = Number(row.dataset.index);
    toggle(index);
    document.querySelector<HTMLElement>(`tr.row[data-index="${index}"]`)?.focus();
  });

  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  dom.search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      view.search = dom.search.value;
      actions.requery();
    }, 150);
  });

  dom.prev.addEventListener('click', () => {
    actions.query(Math.max(0, view.page - 1));
    window.scrollTo(0, 0);
  });
  dom.next.addEventListener('click', () => {
    actions.query(view.page + 1);
    window.scrollTo(0, 0);
  });
}
