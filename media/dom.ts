// The DOM helpers of the pages: values go in as text (append(string) makes Text nodes, never
// markup), and what comes from an API is marked `data`, which the CSS isolates.

export type Child = Node | string;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.append(...children);
  return element;
}

/** A data value as display text; never throws, whatever the API sent. */
export function text(value: unknown): string {
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
export function data(value: unknown, tag: 'span' | 'code' | 'td' = 'span'): HTMLElement {
  return el(tag, 'data', text(value));
}

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export function formatNumber(value: number): string {
  return value.toLocaleString();
}

export function formatDuration(seconds: number): string {
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

export function section(title: string, ...children: Child[]): HTMLElement {
  return el('section', undefined, el('h2', undefined, title), ...children);
}

export function keyValueTable(rows: [string, Child][]): HTMLTableElement {
  const table = el('table', 'kv');
  for (const [name, value] of rows) {
    const cell = value instanceof HTMLElement && value.tagName === 'TD' ? value : el('td', undefined, value);
    table.append(el('tr', undefined, el('th', undefined, name), cell));
  }
  return table;
}

export function muted(message: string): HTMLElement {
  return el('p', 'muted', message);
}
