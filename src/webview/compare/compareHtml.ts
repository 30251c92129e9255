import { MAX_COMPARE_SEARCH_CHARS } from '../../core/compare/compareTypes';
import { buildPage, type PageHtmlOptions } from '../html';
import { BANNER_HTML, PAGER_HTML, searchAndExportHtml } from '../tablePageHtml';

/**
 * The compare page's HTML shell: static controls only, under the CSP every page has. Rows, the
 * summary and the matrix arrive by `postMessage` after the page says `ready`, written with `textContent`.
 */
export function buildCompareHtml(options: PageHtmlOptions): string {
  return buildPage(
    options,
    'Compare results',
    `<header>
  <h1 id="title">Compare results</h1>
  <p id="runs" class="muted"></p>
  <p id="status" class="muted" role="status" aria-live="polite">Loading…</p>
</header>
${BANNER_HTML}
<section id="summary" class="summary" hidden aria-label="Summary">
  <dl class="counts">
    <div><dt>In both</dt><dd id="count-both"></dd></div>
    <div><dt>Only in A</dt><dd id="count-onlyA"></dd></div>
    <div><dt>Only in B</dt><dd id="count-onlyB"></dd></div>
    <div><dt>Identical answers</dt><dd id="identical"></dd></div>
    <div><dt>Different</dt><dd id="count-different"></dd></div>
    <div><dt>Failed in one</dt><dd id="count-failedOne"></dd></div>
    <div><dt>Failed in both</dt><dd id="count-failedBoth"></dd></div>
  </dl>
  <p id="rule" class="muted rule"></p>
  <p id="cost" class="muted" hidden></p>
  <div id="matrix-box" hidden>
    <h2>Agreement: A's labels (rows) × B's labels (columns)</h2>
    <p id="matrix-caption" class="muted"></p>
    <table id="matrix" class="matrix"></table>
  </div>
</section>
<div class="toolbar" id="toolbar" hidden>
  <div class="filters" role="radiogroup" aria-label="Show">
    <button type="button" role="radio" data-filter="all" aria-checked="true">All <span class="count"></span></button>
    <button type="button" role="radio" data-filter="different" aria-checked="false">Different only <span class="count"></span></button>
    <button type="button" role="radio" data-filter="same" aria-checked="false">Same <span class="count"></span></button>
    <button type="button" role="radio" data-filter="failedOne" aria-checked="false">Failed in one <span class="count"></span></button>
    <button type="button" role="radio" data-filter="onlyA" aria-checked="false">Only in A <span class="count"></span></button>
    <button type="button" role="radio" data-filter="onlyB" aria-checked="false">Only in B <span class="count"></span></button>
  </div>
  ${searchAndExportHtml(MAX_COMPARE_SEARCH_CHARS, { csv: 'the rows of the selected filter, with both whole answers,', jsonl: 'the rows of the selected filter, with both whole answers,' })}
</div>
<table id="table" class="rows" hidden>
  <thead>
    <tr>
      <th scope="col">custom_id</th>
      <th scope="col">Answer A</th>
      <th scope="col">Answer B</th>
      <th scope="col">Same?</th>
      <th scope="col" class="num">Tokens A</th>
      <th scope="col" class="num">Tokens B</th>
      <th scope="col" class="num" title="Estimated cost: the row's usage × the run's model's batch price">Cost A ≈</th>
      <th scope="col" class="num" title="Estimated cost: the row's usage × the run's model's batch price">Cost B ≈</th>
    </tr>
  </thead>
  <tbody id="rows"></tbody>
</table>
${PAGER_HTML}`,
  );
}
