// The batch detail page. Every value from the API is treated as text: nodes are built with
// createElement and filled with textContent (or append(string), which makes Text nodes);
// nothing from a batch becomes markup, an attribute that loads something, or a style.
// Labels, status, counts and times come formatted from the host (DetailView); the raw batch is
// drawn here only where it is shown as data: usage, details, metadata and the JSON.
import type {
  Batch,
  DetailView,
  FileRow,
  HostToPage,
  Moment,
  PageState,
  PageToHost,
  ProgressView,
  RecoveryView,
} from '../src/webview/detail/protocol';
import { isRecord, startPage, vsCodeApi } from './page';
import { costSection, errorGroupsSection } from './detailInsight';
import type { ErrorGroupsView } from '../src/webview/detail/protocol';

const vscode = vsCodeApi<PageToHost, PageState>();
const content = document.getElementById('content') ?? document.body.appendChild(document.createElement('main'));
const banner = document.getElementById('banner') ?? document.body.insertBefore(document.createElement('div'), content);

let shown: { batch: Batch; view: DetailView & Partial<RecoveryView> } | undefined;
let loading = false;
let refreshButton: HTMLButtonElement | undefined;
/** The error summary section's state, from the host (not saved: the host re-sends it). */
let errorGroupsView: ErrorGroupsView | undefined;

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

// --- Progress: rate, ETA and a chart of the counts polls saw (inline SVG, classes only: the CSP allows no styles).

const SVG_NS = 'http://www.w3.org/2000/svg';
const CHART = { width: 480, height: 120, left: 44, right: 8, top: 8, bottom: 22 };

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  className: string,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  element.setAttribute('class', className);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function svgText(x: number, y: number, className: string, label: string): SVGTextElement {
  const element = svg('text', className, { x, y });
  element.textContent = label;
  return element;
}

/** Requests finished over time, with the projection to the end when there is an estimate; undefined below two points. */
function progressChart(view: ProgressView): SVGSVGElement | undefined {
  const points = view.points.filter((point) => Number.isFinite(point.seconds) && Number.isFinite(point.done));
  if (points.length < 2 || !(view.total > 0)) return undefined;
  const { width, height, left, right, top, bottom } = CHART;
  const lastSeconds = points[points.length - 1].seconds;
  const projected = typeof view.finishSeconds === 'number' && Number.isFinite(view.finishSeconds) ? view.finishSeconds : undefined;
  // The time axis covers what was seen and as much again: the projection is drawn to the end when
  // it falls inside, else cut at the edge along its slope (the headline says when it ends).
  const span = Math.max(lastSeconds, projected === undefined ? 0 : Math.min(projected, lastSeconds * 2)) || 1;
  const x = (seconds: number): number => left + (Math.min(Math.max(seconds, 0), span) / span) * (width - left - right);
  const y = (done: number): number => top + (1 - Math.min(Math.max(done, 0), view.total) / view.total) * (height - top - bottom);
  const chart = svg('svg', 'progress-chart', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const lastDone = points[points.length - 1].done;
  chart.setAttribute(
    'aria-label',
    `Requests finished over ${formatDuration(lastSeconds)}: from ${formatNumber(points[0].done)} to ${formatNumber(lastDone)} of ${formatNumber(view.total)}`,
  );
  chart.append(
    svg('line', 'axis', { x1: left, y1: y(view.total), x2: width - right, y2: y(view.total) }),
    svg('line', 'axis', { x1: left, y1: y(0), x2: width - right, y2: y(0) }),
    svgText(left - 4, y(view.total) + 4, 'axis-label end', formatNumber(view.total)),
    svgText(left - 4, y(0), 'axis-label end', '0'),
    svgText(left, height - 4, 'axis-label', '0'),
    svgText(width - right, height - 4, 'axis-label end', `+${formatDuration(span)}`),
  );
  if (projected !== undefined && projected > lastSeconds) {
    const end = Math.min(projected, span);
    const doneAtEnd = lastDone + ((view.total - lastDone) * (end - lastSeconds)) / (projected - lastSeconds);
    chart.append(svg('line', 'projection', { x1: x(lastSeconds), y1: y(lastDone), x2: x(end), y2: y(doneAtEnd) }));
  }
  chart.append(svg('polyline', 'done-line', { points: points.map((point) => `${x(point.seconds)},${y(point.done)}`).join(' ') }));
  for (const point of points) chart.append(svg('circle', 'done-point', { cx: x(point.seconds), cy: y(point.done), r: 2.5 }));
  return chart;
}

function progressSection(view: DetailView): HTMLElement | undefined {
  const progress = view.progress;
  if (!progress) return undefined;
  const children: Child[] = [el('p', 'progress-headline', progress.headline), el('p', 'muted progress-sentence', progress.sentence)];
  const chart = progressChart(progress);
  if (chart) {
    const figure = el('figure', 'progress-figure');
    figure.append(chart);
    if (progress.since)
      figure.append(el('figcaption', 'muted', `Requests finished, as refreshes saw them since ${progress.since}; dashed: the estimate.`));
    children.push(figure);
  }
  return section('Progress', ...children);
}

function timestampCell(at: Moment): HTMLElement {
  const time = el('time', undefined, at.text);
  time.dateTime = new Date(at.seconds * 1000).toISOString();
  return el('span', 'when', time, el('span', 'muted', ` (${at.relative})`));
}

function timeline({ timeline: steps, expires }: DetailView): HTMLElement {
  const children: Child[] = [];
  if (steps.length === 0) {
    children.push(muted('No timestamps were reported.'));
  } else {
    const list = el('ol', 'timeline');
    const start = steps[0].at.seconds;
    steps.forEach((step, index) => {
      const item = el('li', index === steps.length - 1 ? 'current' : undefined, el('span', 'step', step.label), timestampCell(step.at));
      if (index > 0) item.append(el('span', 'muted elapsed', ` +${formatDuration(step.at.seconds - start)}`));
      list.append(item);
    });
    children.push(list);
  }
  if (expires) children.push(el('p', 'deadline', el('span', 'step', 'Expires '), timestampCell(expires)));
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

/** The batch's validation errors, as the host read them (OpenAI's array or Azure's one object). */
function errors(view: DetailView): HTMLElement | undefined {
  if (!view.errors || view.errors.total === 0) return undefined;
  const { rows, total } = view.errors;
  const table = el('table', 'grid');
  table.append(
    el(
      'thead',
      undefined,
      el(
        'tr',
        undefined,
        el('th', undefined, 'Line'),
        el('th', undefined, 'Code'),
        el('th', undefined, 'Param'),
        el('th', undefined, 'Message'),
      ),
    ),
  );
  const body = el('tbody');
  for (const error of rows) {
    body.append(el('tr', undefined, data(error.line, 'td'), data(error.code, 'td'), data(error.param, 'td'), data(error.message, 'td')));
  }
  table.append(body);
  const children: Child[] = [table];
  if (total > rows.length) children.push(muted(`${formatNumber(total - rows.length)} more errors are in the batch JSON.`));
  return section(`Errors (${formatNumber(total)})`, ...children);
}

function details(batch: Batch): HTMLElement {
  const rows: [string, Child][] = [
    ['Model', data(batch.model, 'td')],
    ['Endpoint', data(batch.endpoint, 'td')],
    ['Completion window', data(batch.completion_window, 'td')],
  ];
  return section('Details', keyValueTable(rows));
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
