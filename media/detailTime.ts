import type { DetailView, Moment, ProgressView } from '../src/webview/detail/protocol';
import { type Child, el, formatDuration, formatNumber, muted, section } from './dom';

// The detail page's progress (rate, ETA and a chart of the counts polls saw: inline SVG, classes
// only, as the CSP allows no styles) and its timeline.

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

export function progressSection(view: DetailView): HTMLElement | undefined {
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

export function timestampCell(at: Moment): HTMLElement {
  const time = el('time', undefined, at.text);
  time.dateTime = new Date(at.seconds * 1000).toISOString();
  return el('span', 'when', time, el('span', 'muted', ` (${at.relative})`));
}

export function timeline({ timeline: steps, expires }: DetailView): HTMLElement {
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
