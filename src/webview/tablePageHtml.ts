/**
 * The pieces of markup the Results and Compare pages share (media/tablePage.ts drives them):
 * the error banner, the search box and export buttons of the toolbar, and the table's empty
 * line and pager. Static text only; rows arrive by `postMessage`.
 */

/** The banner that shows a failure, with Retry. */
export const BANNER_HTML =
  '<div id="banner" class="banner error" role="alert" hidden><span id="banner-text"></span> <button id="retry" type="button">Retry</button></div>\n<ul id="notes" class="notes" hidden></ul>';

/** The search box, then the export buttons; `rows` says which rows an export saves (in the buttons' titles). */
export function searchAndExportHtml(maxSearchChars: number, rows: { csv: string; jsonl: string }): string {
  return `<input id="search" type="search" maxlength="${maxSearchChars}" placeholder="Filter by custom_id or answer" aria-label="Filter by custom_id or answer">
  <span class="spacer"></span>
  <button type="button" id="export-csv" title="Save ${rows.csv} as CSV">Export CSV</button>
  <button type="button" id="export-jsonl" title="Save ${rows.jsonl} as JSON Lines">Export JSONL</button>`;
}

/** Below the table: the line shown when no row matches, and the pager. */
export const PAGER_HTML = `<p id="empty" class="muted" hidden>No rows match.</p>
<nav class="pager" id="pager" hidden aria-label="Pages">
  <button type="button" id="prev">‹ Previous</button>
  <span id="range"></span>
  <button type="button" id="next">Next ›</button>
</nav>`;
