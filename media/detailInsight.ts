// The detail page's cost line and error summary. Every string is written with textContent
// (append(string) makes Text nodes); what a click sends is an index into the host's summary.
import type { DetailView, ErrorGroupsView, PageToHost } from '../src/webview/detail/protocol';
import { isRecord } from './page';
import { el, section } from './dom';

type Post = (message: PageToHost) => void;

function actionButton(label: string, action: string, onClick: () => void, secondary = true): HTMLButtonElement {
  const button = el('button', secondary ? 'secondary' : undefined, label);
  button.type = 'button';
  button.dataset.action = action;
  button.addEventListener('click', onClick);
  return button;
}

/** The batch's estimated cost, or why there is none. */
export function costSection(view: DetailView): HTMLElement | undefined {
  const cost = view.cost;
  if (!isRecord(cost) || typeof cost.text !== 'string') return undefined;
  return section('Cost', el('p', cost.estimate === true ? 'cost data' : 'muted data', cost.text));
}

/** Failures grouped by code and message; a request group opens Results filtered to it. */
export function errorGroupsSection(view: ErrorGroupsView | undefined, post: Post): HTMLElement | undefined {
  if (!isRecord(view)) return undefined;
  const title = 'Failures by kind';
  switch (view.state) {
    case 'idle':
      return section(
        title,
        el('p', 'muted', String(view.note)),
        view.anyway === true
          ? actionButton('Group anyway', 'groupErrorsAnyway', () => post({ type: 'groupErrorsAnyway' }), false)
          : actionButton('Group errors', 'groupErrors', () => post({ type: 'groupErrors' }), false),
      );
    case 'running':
      return section(title, el('p', 'muted', String(view.message)));
    case 'failed':
      return section(
        title,
        el('p', 'banner error data', String(view.message)),
        view.anyway === true
          ? actionButton('Group anyway', 'groupErrorsAnyway', () => post({ type: 'groupErrorsAnyway' }), false)
          : actionButton('Try again', 'groupErrors', () => post({ type: 'groupErrors' })),
      );
    case 'done': {
      const groups = Array.isArray(view.groups) ? view.groups : [];
      if (groups.length === 0) return section(title, el('p', 'muted', 'No failed requests were found.'));
      const list = el('ul', 'error-groups');
      groups.forEach((group, index) => {
        const item = el('li', 'error-group');
        if (group.source === 'request') {
          const open = actionButton(String(group.label), `errorGroup:${index}`, () => post({ type: 'openErrorGroup', index }));
          open.classList.add('link');
          open.title = 'Open Results showing only these requests';
          item.append(open);
        } else {
          item.append(el('span', 'data', String(group.label)), el('span', 'muted', ' (validation)'));
        }
        const facts: string[] = [];
        if (Array.isArray(group.examples) && group.examples.length) facts.push(`e.g. ${group.examples.map(String).join(', ')}`);
        if (Array.isArray(group.lines) && group.lines.length)
          facts.push(`line${group.lines.length === 1 ? '' : 's'} ${group.lines.join(', ')}${group.moreLines ? ', …' : ''}`);
        if (facts.length) item.append(el('div', 'muted data', facts.join(' · ')));
        list.append(item);
      });
      const notes = Array.isArray(view.notes) ? view.notes.map((note) => el('p', 'muted', String(note))) : [];
      return section(title, list, ...notes);
    }
    default:
      return undefined;
  }
}
