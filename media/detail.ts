// The batch detail page. Every value from the API is treated as text: nodes are built with
// createElement and filled with textContent (or append(string), which makes Text nodes);
// nothing from a batch becomes markup, an attribute that loads something, or a style.
import { batchLabel, batchPresentation, completedWithFailures, countsOf, formatBytes, formatTimestamp, humanizeStatus, relativeTime } from '../src/core/format';
import { isActive, isCancellable, statusOf } from '../src/core/grouping';
import type { Batch } from '../src/core/types';
import { type CopyTarget, type FileInfo, type FileInfoMap, isHostMessage, isPageState, type PageState, type PageToHost } from '../src/webview/protocol';

interface VsCodeApi {
  postMessage(message: PageToHost): void;
  getState(): unknown;
  setState(state: PageState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const content = document.getElementById('content') ?? document.body.appendChild(document.createElement('main'));
const banner = document.getElementById('banner') ?? document.body.insertBefore(document.createElement('div'), content);

let shown: { batch: Batch; fileInfo: FileInfoMap; now: number } | undefined;
let loading = false;
let refreshButton: HTMLButtonElement | undefined;

type Child = Node | string;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.append(...children);
  return element;
}

/** A data value as display text; never throws, whatever the API sent. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '—';
  try {
    return JSON.stringify(value) ?? '—';
  } catch {
    return '—';
  }
}

/** A cell holding API text: isolated so bidi controls and long runs cannot disturb the layout. */
function data(value: unknown, tag: 'span' | 'code' | 'td' = 'span'): HTMLElement {
  return el(tag, 'data', text(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function formatNumber(value: number): string {
  return value.toLocaleString();
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const parts: string[] = [];
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes && !days) parts.push(`${minutes}m`);
  return parts.join(' ') || '0m';
}

function actionKey(message: PageToHost): string {
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

function section(title: string, ...children: Child[]): HTMLElement {
  return el('section', undefined, el('h2', undefined, title), ...children);
}

function keyValueTable(rows: [string, Child][]): HTMLTableElement {
  const table = el('table', 'kv');
  for (const [name, value] of rows) {
    const cell = value instanceof HTMLElement && value.tagName === 'TD' ? value : el('td', undefined, value);
    table.append(el('tr', undefined, el('th', undefined, name), cell));
  }
  return table;
}

function muted(message: string): HTMLElement {
  return el('p', 'muted', message);
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

function header(batch: Batch): HTMLElement {
  const presentation = batchPresentation(batch);
  const tone = (presentation.color && TONES[presentation.color]) || 'tone-default';
  const status = humanizeStatus(statusOf(batch)) + (completedWithFailures(batch) ? ' with failures' : '');
  return el(
    'header',
    'header',
    el('div', 'title-row', el('h1', 'data', batchLabel(batch)), el('span', `chip ${tone}`, status)),
    el('div', 'id-row', data(batch.id, 'code'), button('Copy ID', { type: 'copy', what: 'batchId' }, { secondary: true, title: 'Copy the batch ID' })),
  );
}

function toolbar(batch: Batch): HTMLElement {
  refreshButton = button(loading ? 'Refreshing…' : 'Refresh', { type: 'refresh' });
  refreshButton.disabled = loading;
  const bar = el('div', 'toolbar', refreshButton);
  if (isCancellable(batch)) bar.append(button('Cancel batch…', { type: 'cancel' }, { secondary: true }));
  if (typeof batch.output_file_id === 'string' && batch.output_file_id) bar.append(button('Open output file', { type: 'openOutput' }, { secondary: true }));
  if (typeof batch.error_file_id === 'string' && batch.error_file_id) bar.append(button('Open error file', { type: 'openError' }, { secondary: true }));
  bar.append(button('Open JSON in editor', { type: 'openJson' }, { secondary: true }));
  return bar;
}

function alerts(batch: Batch): HTMLElement[] {
  if (statusOf(batch) !== 'completed') return [];
  const counts = countsOf(batch);
  if (!batch.output_file_id && batch.error_file_id) {
    return [el('div', 'banner warning', 'All requests failed: only an error file was produced. Open the error file to see why.')];
  }
  if (counts.failed > 0) {
    return [el('div', 'banner warning', `${formatNumber(counts.failed)} of ${formatNumber(counts.total)} requests failed; their errors are in the error file.`)];
  }
  return [];
}

function requests(batch: Batch): HTMLElement {
  if (!isRecord(batch.request_counts)) return section('Requests', muted('Request counts were not reported.'));
  const { total, completed, failed } = countsOf(batch);
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
  const legendItem = (kind: string, label: string, count: number): HTMLElement => el('span', 'legend-item', el('span', `swatch ${kind}`), `${formatNumber(count)} ${label}`);
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

const TIMELINE_STEPS = [
  ['created_at', 'Created'],
  ['in_progress_at', 'In progress'],
  ['finalizing_at', 'Finalizing'],
  ['cancelling_at', 'Cancelling'],
  ['completed_at', 'Completed'],
  ['failed_at', 'Failed'],
  ['expired_at', 'Expired'],
  ['cancelled_at', 'Cancelled'],
] as const;

function timestampCell(seconds: number, now: number): HTMLElement {
  const absolute = formatTimestamp(seconds) ?? '';
  const time = el('time', undefined, absolute);
  time.dateTime = new Date(seconds * 1000).toISOString();
  return el('span', 'when', time, el('span', 'muted', ` (${relativeTime(seconds, now)})`));
}

function timeline(batch: Batch, now: number): HTMLElement {
  const steps = TIMELINE_STEPS.flatMap(([key, label], order) => {
    const seconds = batch[key];
    return typeof seconds === 'number' && formatTimestamp(seconds) ? [{ label, seconds, order }] : [];
  }).sort((a, b) => a.seconds - b.seconds || a.order - b.order);
  const children: Child[] = [];
  if (steps.length === 0) {
    children.push(muted('No timestamps were reported.'));
  } else {
    const list = el('ol', 'timeline');
    const start = steps[0].seconds;
    steps.forEach((step, index) => {
      const item = el('li', index === steps.length - 1 ? 'current' : undefined, el('span', 'step', step.label), timestampCell(step.seconds, now));
      if (index > 0) item.append(el('span', 'muted elapsed', ` +${formatDuration(step.seconds - start)}`));
      list.append(item);
    });
    children.push(list);
  }
  // The completion-window deadline only matters while the batch can still run into it.
  const expires = batch.expires_at;
  if (isActive(batch) && typeof expires === 'number' && formatTimestamp(expires)) {
    children.push(el('p', 'deadline', el('span', 'step', 'Expires '), timestampCell(expires, now)));
  }
  return section('Timeline', ...children);
}

function usage(batch: Batch): HTMLElement | undefined {
  const raw: unknown = batch.usage;
  if (!isRecord(raw)) return undefined;
  const inputDetails = isRecord(raw.input_tokens_details) ? raw.input_tokens_details : {};
  const outputDetails = isRecord(raw.output_tokens_details) ? raw.output_tokens_details : {};
  const rows: [string, Child][] = [];
  for (const [label, value] of [
    ['Input tokens', raw.input_tokens],
    ['Cached input tokens', inputDetails.cached_tokens],
    ['Output tokens', raw.output_tokens],
    ['Reasoning tokens', outputDetails.reasoning_tokens],
    ['Total tokens', raw.total_tokens],
  ] as const) {
    if (isCount(value)) rows.push([label, el('td', 'number', formatNumber(value))]);
  }
  return section('Usage', rows.length ? keyValueTable(rows) : muted('No token counts were reported.'));
}

const MAX_ERRORS = 500;

function errors(batch: Batch): HTMLElement | undefined {
  const raw: unknown = batch.errors;
  const items = isRecord(raw) && Array.isArray(raw.data) ? (raw.data as unknown[]) : [];
  if (items.length === 0) return undefined;
  const table = el('table', 'grid');
  table.append(el('thead', undefined, el('tr', undefined, el('th', undefined, 'Line'), el('th', undefined, 'Code'), el('th', undefined, 'Param'), el('th', undefined, 'Message'))));
  const body = el('tbody');
  for (const item of items.slice(0, MAX_ERRORS)) {
    const error = isRecord(item) ? item : { message: item };
    body.append(el('tr', undefined, data(error.line, 'td'), data(error.code, 'td'), data(error.param, 'td'), data(error.message, 'td')));
  }
  table.append(body);
  const children: Child[] = [table];
  if (items.length > MAX_ERRORS) children.push(muted(`${formatNumber(items.length - MAX_ERRORS)} more errors are in the batch JSON.`));
  return section(`Errors (${formatNumber(items.length)})`, ...children);
}

function details(batch: Batch): HTMLElement {
  const rows: [string, Child][] = [
    ['Model', data(batch.model, 'td')],
    ['Endpoint', data(batch.endpoint, 'td')],
    ['Completion window', data(batch.completion_window, 'td')],
  ];
  return section('Details', keyValueTable(rows));
}

const FILES = [
  ['Input file', 'input_file_id', 'inputFileId'],
  ['Output file', 'output_file_id', 'outputFileId'],
  ['Error file', 'error_file_id', 'errorFileId'],
] as const satisfies readonly (readonly [string, keyof Batch, CopyTarget])[];

function fileInfoFor(fileInfo: FileInfoMap, id: string): FileInfo | undefined {
  const info = Object.hasOwn(fileInfo, id) ? fileInfo[id] : undefined;
  return isRecord(info) ? info : undefined;
}

function files(batch: Batch, fileInfo: FileInfoMap): HTMLElement {
  const table = el('table', 'kv files');
  for (const [label, key, target] of FILES) {
    const id: unknown = batch[key];
    const row = el('tr', undefined, el('th', undefined, label));
    if (typeof id === 'string' && id) {
      const cell = el('td', undefined, data(id, 'code'));
      const info = fileInfoFor(fileInfo, id);
      const about: string[] = [];
      if (info && typeof info.filename === 'string' && info.filename) about.push(info.filename);
      if (info && isCount(info.bytes)) about.push(formatBytes(info.bytes));
      if (about.length) cell.append(el('div', 'muted data', about.join(' · ')));
      row.append(cell, el('td', 'action', button('Copy', { type: 'copy', what: target }, { secondary: true, title: `Copy the ${label.toLowerCase()} ID` })));
    } else {
      row.append(el('td', 'muted', 'none'), el('td', 'action'));
    }
    table.append(row);
  }
  return section('Files', table);
}

function metadata(batch: Batch): HTMLElement {
  const raw: unknown = batch.metadata;
  const entries = isRecord(raw) ? Object.entries(raw) : [];
  if (entries.length === 0) return section('Metadata', muted('No metadata.'));
  return section('Metadata', keyValueTable(entries.map(([key, value]) => [key, data(value, 'td')])));
}

// Invisible bidi and zero-width characters, shown as JSON escapes so they cannot reorder or hide text.
// JSON.stringify only emits them inside string literals, where the escape is equivalent.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

function json(batch: Batch): HTMLElement {
  const source = JSON.stringify(batch, null, 2).replace(INVISIBLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const details = el('details', 'json', el('summary', undefined, 'Batch JSON'), el('pre', 'data', source));
  details.open = true;
  return el('section', undefined, details);
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
  const { batch, fileInfo, now } = shown;
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.action : undefined;
  content.replaceChildren(
    ...part('header', () => header(batch)),
    ...part('actions', () => toolbar(batch)),
    ...part('warnings', () => alerts(batch)),
    ...part('request counts', () => requests(batch)),
    ...part('timeline', () => timeline(batch, now)),
    ...part('usage', () => usage(batch)),
    ...part('errors', () => errors(batch)),
    ...part('details', () => details(batch)),
    ...part('files', () => files(batch, fileInfo)),
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

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostMessage(message)) return;
  switch (message.type) {
    case 'batch': {
      const fileInfo = message.fileInfo ?? {};
      shown = { batch: message.batch, fileInfo, now: message.now };
      vscode.setState({ batch: message.batch, fileInfo });
      render();
      break;
    }
    case 'error':
      showError(message.message);
      break;
    case 'loading':
      loading = message.loading;
      // A new attempt supersedes the last failure; a failure stays visible until then.
      if (loading) showError(undefined);
      showLoading();
      break;
  }
});

const saved = vscode.getState();
if (isPageState(saved)) {
  shown = { batch: saved.batch, fileInfo: saved.fileInfo ?? {}, now: Date.now() };
  render();
}
vscode.postMessage({ type: 'ready' });
