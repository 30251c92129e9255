import { buildPage, type PageHtmlOptions } from '../html';

/**
 * The detail page's HTML shell. It holds no API data at all: the batch arrives by
 * `postMessage` after the page says `ready`, and is rendered with `textContent` only.
 */
export function buildDetailHtml(options: PageHtmlOptions): string {
  return buildPage(
    options,
    'Batch details',
    `<div id="banner" class="banner error" role="alert" hidden></div>
<main id="content" aria-busy="true"><p class="muted">Loading batch…</p></main>`,
  );
}
