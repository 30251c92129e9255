// The batch detail page. Every value from the API is treated as text: nodes are built with
// createElement and filled with textContent (or append(string), which makes Text nodes);
// nothing from a batch becomes markup, an attribute that loads something, or a style.
// Labels, status, counts and times come formatted from the host (DetailView); the raw batch is
// drawn only where it is shown as data (detailData.ts): usage, details, metadata and the JSON.
import type {
  Batch,
  DetailView,
  ErrorGroupsView,
  FileRow,
  HostToPage,
  PageState,
  PageToHost,
  RecoveryView,
} from '../src/webview/detail/protocol';
import { isRecord, startPage, vsCodeApi } from './page';
import { costSection, errorGroupsSection } from './detailInsight';
import { details, errors, json, metadata, usage } from './detailData';
import { progressSection, timeline, timestampCell } from './detailTime';
import { data, el, formatNumber, muted, section } from './dom';

const vscode = vsCodeApi<PageToHost, PageState>();
const content = document.getElementById('content') ?? document.body.appendChild(document.createElement('main'));
const banner = document.getElementById('banner') ?? document.body.insertBefore(document.createElement('div'), content);

let shown: { batch: Batch; view: DetailView & Partial<RecoveryView> } | undefined;
let loading = false;
let refreshButton: HTMLButtonElement | undefined;
/** The error summary section's state, from the host (not saved: the host re-sends it). */
let errorGroupsView: ErrorGroupsView | undefined;

function actionKey(message: PageToHost): string {
  if (message.type === 'showFile') return `showFile:${message.role}`;
  return message.type === 'copy' ? `copy:${message.what}` : message.type;
}

function button(label: string, message: PageToHost, options: { secondary?: boolean; title?: string } = {}): HTMLButtonElement {
  const element = el('button', options.secondary ? 'secondary' : undefined, label);
  element.type = 'button';
  element.dataset.action = actionKey(message);
  if (options.title) element.title = options.title;
  element.addEventListener('click', () => vscode.postMessage(message));
  return element;
}

// Theme colour ids from format.batchPresentation, mapped to a fixed set of CSS classes.
const TONES: Record<string, string> = {
  'charts.blue': 'tone-info',
  'charts.purple': 'tone-purple',
  'charts.orange': 'tone-orange',
  'charts.yellow': 'tone-yellow',
  'testing.iconPassed': 'tone-success',
  'testing.iconFailed': 'tone-error',
  'list.warningForeground': 'tone-warning',
  disabledForeground: 'tone-muted',
};

function header(batch: Batch, view: DetailView): HTMLElement {
  const tone = (view.color && Object.hasOwn(TONES, view.color) && TONES[view.color]) || 'tone-default';
  return el(
    'header',
    'header',
    el('div', 'title-row', el('h1', 'data', view.label), el('span', `chip ${tone}`, view.status)),
    el(
      'div',
      'id-row',
      data(batch.id, 'code'),
      button('Copy ID', { type: 'copy', what: 'batchId' }, { secondary: true, title: 'Copy the batch ID' }),
    ),
  );
}

function hasFile(view: DetailView, role: FileRow['role']): boolean {
  return view.files.some((file) => file.role === role && file.id);
}

function toolbar(view: DetailView & Partial<RecoveryView>): HTMLElement {
  refreshButton = button(loading ? 'Refreshing…' : 'Refresh', { type: 'refresh' });
  refreshButton.disabled = loading;
  const bar = el('div', 'toolbar', refreshButton);
  if (view.cancellable) bar.append(button('Cancel batch…', { type: 'cancel' }, { secondary: true }));
  if (hasFile(view, 'output')) bar.append(button('Open output file', { type: 'openOutput' }, { secondary: true }));
  if (hasFile(view, 'error')) bar.append(button('Open error file', { type: 'openError' }, { secondary: true }));
  bar.append(button('Open JSON in editor', { type: 'openJson' }, { secondary: true }));
  if (view.resubmittable) bar.append(resubmitButton());
  return bar;
}

function resubmitButton(): HTMLButtonElement {
  return button(
    'Resubmit failed requests…',
    { type: 'resubmit' },
    { secondary: true, title: 'Send the failed, missing or expired requests again as a new batch' },
  );
}

/** The batches this one is linked to: its original, its resubmissions, the other parts of its group. */
function chain(view: DetailView & Partial<RecoveryView>): HTMLElement | undefined {
  const links = view.links ?? [];
  if (links.length === 0 && !view.group) return undefined;
  const list = el('ul', 'chain');
  links.forEach((link, index) => {
    const open = el('button', 'link', link.label ? `${link.label} (${link.id})` : link.id);
    open.type = 'button';
    open.dataset.action = `openLinked:${index}`;
    open.title = `Open ${link.id}`;
    open.addEventListener('click', () => vscode.postMessage({ type: 'openLinked', index }));
    list.append(el('li', undefined, `${link.relation[0].toUpperCase()}${link.relation.slice(1)} `, open));
  });
  return section('Chain', ...(view.group ? [el('p', 'data', view.group)] : []), list);
}

function alerts({ failures }: DetailView): HTMLElement[] {
  if (!failures) return [];
  if (failures.kind === 'all') {
    return [el('div', 'banner warning', 'All requests failed: only an error file was produced. Open the error file to see why.')];
  }
  if (failures.kind === 'unreported') {
    return [
      el(
        'div',
        'banner warning',
        `Some requests failed: the provider reported no request counts, but the error file holds ${failures.errorFileSize} of errors.`,
      ),
    ];
  }
  return [
    el(
      'div',
      'banner warning',
      `${formatNumber(failures.failed)} of ${formatNumber(failures.total)} requests failed; their errors are in the error file.`,
    ),
  ];
}

function requests(view: DetailView): HTMLElement {
  if (!view.requests) return section('Requests', muted('Request counts were not reported.'));
  const { total, completed, failed } = view.requests;
  const remaining = Math.max(0, total - completed - failed);
  const summary = `${formatNumber(completed)} completed, ${formatNumber(failed)} failed, ${formatNumber(remaining)} remaining of ${formatNumber(total)}`;
  const bar = el('div', 'bar');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', summary);
  // Widths are numbers computed here; CSSOM assignment is allowed by the CSP, style attributes are not.
  const scale = Math.max(total, completed + failed);
  for (const [kind, count] of [
    ['completed', completed],
    ['failed', failed],
  ] as const) {
    if (count <= 0 || scale <= 0) continue;
    const segment = el('span', `segment ${kind}`);
    segment.style.width = `${(count / scale) * 100}%`;
    bar.append(segment);
  }
  const legendItem = (kind: string, label: string, count: number): HTMLElement =>
    el('span', 'legend-item', el('span', `swatch ${kind}`), `${formatNumber(count)} ${label}`);
  const legend = el(
    'div',
    'legend',
    legendItem('completed', 'completed', completed),
    legendItem('failed', 'failed', failed),
    legendItem('remaining', 'remaining', remaining),
    el('span', 'legend-item total', `${formatNumber(total)} total`),
  );
  return section('Requests', bar, legend);
}

/** `Expires 2025-07-01 12:00:00 UTC (in 29 days)`, or `Expired …` in the warning colour once past. */
function expiryLine(expires: NonNullable<FileRow['expires']>): HTMLElement {
  const line = el('div', expires.expired ? 'expiry muted tone-warning' : 'expiry muted', expires.expired ? 'Expired ' : 'Expires ');
  line.append(timestampCell(expires));
  return line;
}

function files(view: DetailView): HTMLElement {
  const table = el('table', 'kv files');
  for (const { role, label, copy, id, about, expires } of view.files) {
    const row = el('tr', undefined, el('th', undefined, label));
    if (id) {
      const cell = el('td', undefined, data(id, 'code'));
      if (about) cell.append(el('div', 'muted data', about));
      if (expires) cell.append(expiryLine(expires));
      row.append(
        cell,
        el(
          'td',
          'action',
          button('Copy', { type: 'copy', what: copy }, { secondary: true, title: `Copy the ${label.toLowerCase()} ID` }),
          button(
            'Show in Files',
            { type: 'showFile', role },
            { secondary: true, title: `Show the ${label.toLowerCase()} in the Files view` },
          ),
        ),
      );
    } else {
      row.append(el('td', 'muted', 'none'), el('td', 'action'));
    }
    table.append(row);
  }
  return section('Files', table);
}

/** Builds one part of the page; a part that cannot be drawn says so instead of blanking the page. */
function part(name: string, build: () => HTMLElement | HTMLElement[] | undefined): HTMLElement[] {
  try {
    const built = build();
    return built === undefined ? [] : Array.isArray(built) ? built : [built];
  } catch (error) {
    console.error(error);
    return [el('p', 'banner error', `Could not show the ${name}.`)];
  }
}

function render(): void {
  if (!shown) return;
  const { batch, view } = shown;
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.action : undefined;
  content.replaceChildren(
    ...part('header', () => header(batch, view)),
    ...part('actions', () => toolbar(view)),
    ...part('warnings', () => alerts(view)),
    ...part('chain', () => chain(view)),
    ...part('request counts', () => requests(view)),
    ...part('progress', () => progressSection(view)),
    ...part('timeline', () => timeline(view)),
    ...part('usage', () => usage(batch)),
    ...part('cost', () => costSection(view)),
    ...part('error summary', () => errorGroupsSection(errorGroupsView, (message) => vscode.postMessage(message))),
    ...part('errors', () => errors(view)),
    ...part('details', () => details(batch)),
    ...part('files', () => files(view)),
    ...part('metadata', () => metadata(batch)),
    ...part('batch JSON', () => json(batch)),
  );
  content.setAttribute('aria-busy', String(loading));
  if (focused) {
    for (const candidate of content.querySelectorAll('button')) {
      if (candidate.dataset.action === focused) {
        candidate.focus();
        break;
      }
    }
  }
}

function showLoading(): void {
  content.setAttribute('aria-busy', String(loading));
  if (!refreshButton) return;
  refreshButton.disabled = loading;
  refreshButton.textContent = loading ? 'Refreshing…' : 'Refresh';
}

function showError(message: string | undefined): void {
  banner.hidden = message === undefined;
  if (message === undefined) {
    banner.replaceChildren();
    return;
  }
  const dismiss = el('button', 'secondary', 'Dismiss');
  dismiss.type = 'button';
  dismiss.addEventListener('click', () => showError(undefined));
  banner.replaceChildren(el('span', 'data', message), dismiss);
}

/** A light shape check of what arrives (the page still renders every field defensively). */
function isHostMessage(value: unknown): value is HostToPage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'batch':
      return isRecord(value.batch) && typeof value.batch.id === 'string' && isRecord(value.view);
    case 'error':
      return typeof value.message === 'string';
    case 'loading':
      return typeof value.loading === 'boolean';
    case 'errorGroups':
      return value.view === undefined || isRecord(value.view);
    default:
      return false;
  }
}

/** A state this page saved: a version that kept no view (the host posts one at once) is not drawn. */
function isSavedState(value: unknown): value is Required<PageState> {
  return isRecord(value) && isRecord(value.batch) && isRecord(value.view);
}

function receive(message: HostToPage): void {
  switch (message.type) {
    case 'batch':
      shown = { batch: message.batch, view: message.view };
      vscode.setState(shown);
      render();
      break;
    case 'error':
      showError(message.message);
      break;
    case 'loading':
      loading = message.loading;
      // A new attempt supersedes the last failure; a failure stays visible until then.
      if (loading) showError(undefined);
      showLoading();
      break;
    case 'errorGroups':
      errorGroupsView = message.view;
      render();
      break;
  }
}

// What was shown before the page was unloaded (hidden, or the window reloaded), until the host posts.
const saved = vscode.getState();
if (isSavedState(saved)) {
  shown = saved;
  render();
}
startPage(vscode, isHostMessage, receive);
