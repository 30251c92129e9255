import { randomBytes } from 'crypto';

export interface DetailHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Webview URI of `dist/detail.js`. */
  scriptUri: string;
  /** Webview URI of `media/detail.css`. */
  styleUri: string;
  /** Fixed only by tests; otherwise a fresh one per render. */
  nonce?: string;
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function detailCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; script-src 'nonce-${nonce}'; font-src ${cspSource}`;
}

/** The doctype and `<head>` every webview page of the extension starts with: the CSP, its stylesheet, a title. */
export function documentHead(cspSource: string, nonce: string, styleUri: string, title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(detailCsp(cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(styleUri)}">
<title>${title}</title>
</head>`;
}

/** Escapes a value for a double-quoted HTML attribute. */
export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The detail page's HTML shell. It holds no API data at all: the batch arrives by
 * `postMessage` after the page says `ready`, and is rendered with `textContent` only.
 */
export function buildDetailHtml(options: DetailHtmlOptions): string {
  const nonce = options.nonce ?? newNonce();
  return `${documentHead(options.cspSource, nonce, options.styleUri, 'Batch details')}
<body>
<div id="banner" class="banner error" role="alert" hidden></div>
<main id="content" aria-busy="true"><p class="muted">Loading batch…</p></main>
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
