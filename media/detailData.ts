// The parts of the detail page shown as data: usage, details, metadata and the JSON from the raw
// batch, the errors as the host read them. Every value is text (see dom.ts).
import type { Batch, DetailView } from '../src/webview/detail/protocol';
import { type Child, data, el, formatNumber, isCount, keyValueTable, muted, section } from './dom';
import { isRecord } from './page';

export function usage(batch: Batch): HTMLElement | undefined {
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
export function errors(view: DetailView): HTMLElement | undefined {
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

export function details(batch: Batch): HTMLElement {
  const rows: [string, Child][] = [
    ['Model', data(batch.model, 'td')],
    ['Endpoint', data(batch.endpoint, 'td')],
    ['Completion window', data(batch.completion_window, 'td')],
  ];
  return section('Details', keyValueTable(rows));
}

export function metadata(batch: Batch): HTMLElement {
  const raw: unknown = batch.metadata;
  const entries = isRecord(raw) ? Object.entries(raw) : [];
  if (entries.length === 0) return section('Metadata', muted('No metadata.'));
  return section('Metadata', keyValueTable(entries.map(([key, value]) => [key, data(value, 'td')])));
}

// Invisible bidi and zero-width characters, shown as JSON escapes so they cannot reorder or hide text.
// JSON.stringify only emits them inside string literals, where the escape is equivalent.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

export function json(batch: Batch): HTMLElement {
  const source = JSON.stringify(batch, null, 2).replace(INVISIBLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const details = el('details', 'json', el('summary', undefined, 'Batch JSON'), el('pre', 'data', source));
  details.open = true;
  return el('section', undefined, details);
}
