import { randomBytes } from 'crypto';

/** What a page's HTML builder needs; `nonce` is fixed only by tests, otherwise fresh per render. */
export interface PageHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Webview URI of the page's script, `dist/<page>.js`. */
  scriptUri: string;
  /** Webview URI of the page's stylesheet, `media/<page>.css`. */
  styleUri: string;
  nonce?: string;
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The one CSP of every page: nothing but its own script (by nonce), styles, images and fonts from the extension. */
export function webviewCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; script-src 'nonce-${nonce}'; font-src ${cspSource}`;
}

/** Escapes a value for a double-quoted HTML attribute. */
export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A whole page: the doctype and `<head>` (the CSP, the stylesheet, `title`), the static `body`
 * markup, and the one script. Pages hold no API data: it arrives by `postMessage`.
 */
export function buildPage(options: PageHtmlOptions, title: string, body: string): string {
  const nonce = options.nonce ?? newNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(webviewCsp(options.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
<title>${title}</title>
</head>
<body>
${body}
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
