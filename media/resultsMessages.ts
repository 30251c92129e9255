// What the results page accepts from its host.
import type { HostToPage } from '../src/webview/results/protocol';
import { isRecord } from './page';

/** A light shape check of what the host sends (the page still writes every string as text). */
export function isHostMessage(value: unknown): value is HostToPage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'batch':
      return typeof value.batchId === 'string';
    case 'loading':
    case 'error':
      return typeof value.message === 'string';
    case 'begin':
      return (
        typeof value.title === 'string' &&
        typeof value.batchId === 'string' &&
        typeof value.total === 'number' &&
        isRecord(value.counts) &&
        Array.isArray(value.notes)
      );
    case 'page':
      return (
        typeof value.seq === 'number' &&
        typeof value.page === 'number' &&
        typeof value.pageSize === 'number' &&
        value.pageSize > 0 &&
        typeof value.matched === 'number' &&
        Array.isArray(value.rows)
      );
    case 'detail':
      return typeof value.index === 'number';
    case 'errorFilter':
      return typeof value.errorKey === 'string' && typeof value.label === 'string';
    case 'progress':
      return (
        typeof value.indexed === 'number' &&
        typeof value.done === 'boolean' &&
        typeof value.total === 'number' &&
        isRecord(value.counts) &&
        (value.notes === undefined || Array.isArray(value.notes))
      );
    default:
      return false;
  }
}
