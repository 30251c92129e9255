import { MAX_SEARCH_CHARS } from '../../core/results/resultsQuery';
import { buildPage, type PageHtmlOptions } from '../html';
import { BANNER_HTML, PAGER_HTML, searchAndExportHtml } from '../tablePageHtml';

/**
 * The results page's HTML shell: static controls only, under the same CSP as the detail panel.
 * Rows arrive by `postMessage` after the page says `ready` and are written with `textContent`.
 */
export function buildResultsHtml(options: PageHtmlOptions): string {
  return buildPage(
    options,
    'Batch results',
    `<header>
  <h1 id="title">Batch results</h1>
  <p id="status" class="muted" role="status" aria-live="polite">Loading…</p>
</header>
${BANNER_HTML}
<p id="cost" class="muted cost" hidden></p>
<div class="toolbar" id="toolbar" hidden>
  <div class="filters" role="radiogroup" aria-label="Show">
    <button type="button" role="radio" data-outcome="all" aria-checked="true">All <span class="count"></span></button>
    <button type="button" role="radio" data-outcome="succeeded" aria-checked="false">Succeeded <span class="count"></span></button>
    <button type="button" role="radio" data-outcome="failed" aria-checked="false">Failed <span class="count"></span></button>
    <button type="button" role="radio" data-outcome="missing" aria-checked="false">Missing <span class="count"></span></button>
  </div>
  ${searchAndExportHtml(MAX_SEARCH_CHARS, { csv: 'the rows of the selected outcome', jsonl: 'the rows of the selected outcome, with full request and response,' })}
  <button type="button" id="compare" class="secondary" title="Compare these results with another batch's, custom_id by custom_id">Compare with…</button>
  <button type="button" id="resubmit" hidden title="Send the failed, missing or expired requests again as a new batch">Resubmit failed…</button>
</div>
<div id="error-filter" class="error-filter" hidden><span id="error-filter-text"></span> <button type="button" id="error-filter-clear" class="secondary">Show all requests</button></div>
<table id="table" hidden>
  <thead>
    <tr>
      <th scope="col" data-sort="customId" aria-sort="none"><button type="button">custom_id</button></th>
      <th scope="col" data-sort="line" aria-sort="ascending" class="num"><button type="button">Line</button></th>
      <th scope="col" data-sort="statusCode" aria-sort="none" class="num"><button type="button">Status</button></th>
      <th scope="col" data-sort="answer" aria-sort="none"><button type="button">Answer</button></th>
      <th scope="col" data-sort="inputTokens" aria-sort="none" class="num"><button type="button">In</button></th>
      <th scope="col" data-sort="outputTokens" aria-sort="none" class="num"><button type="button">Out</button></th>
      <th scope="col" data-sort="totalTokens" aria-sort="none" class="num"><button type="button">Total</button></th>
      <th scope="col" class="num" title="Estimated cost of the request: its usage × the batch model's batch price">Cost ≈</th>
    </tr>
  </thead>
  <tbody id="rows"></tbody>
</table>
${PAGER_HTML}`,
  );
}
