import * as assert from 'node:assert/strict';
import { isPageMessage } from '../../../src/webview/detail/protocol';
import { buildDetailHtml } from '../../../src/webview/detail/detailHtml';
import { webviewCsp as detailCsp } from '../../../src/webview/html';
import { buildResultsHtml } from '../../../src/webview/results/resultsHtml';
import { buildCompareHtml } from '../../../src/webview/compare/compareHtml';

describe('webview: CSP and message validation', () => {
  const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';
  const cspOf = (html: string): string => {
    const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(match, 'a CSP meta tag');
    return match[1];
  };
  const nonceOf = (html: string): string => /script-src 'nonce-([^']+)'/.exec(cspOf(html))?.[1] ?? '';

  // The results and compare panels are built under the same policy; every page is checked the same way.
  for (const [page, build] of [
    ['detail', buildDetailHtml],
    ['results', buildResultsHtml],
    ['compare', buildCompareHtml],
  ] as const) {
    const render = (): string =>
      build({ cspSource, scriptUri: `${cspSource}/ext/dist/${page}.js`, styleUri: `${cspSource}/ext/media/${page}.css` });

    it(`${page} page: exactly the strict CSP, with a fresh nonce per render that the one script carries`, () => {
      const first = render();
      const nonce = nonceOf(first);
      assert.equal(
        cspOf(first),
        `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource}; script-src 'nonce-${nonce}'; font-src ${cspSource}`,
      );
      assert.equal(cspOf(first), detailCsp(cspSource, nonce));
      assert.ok(Buffer.from(nonce, 'base64').length >= 16, 'a nonce of at least 128 random bits');
      const nonces = new Set(Array.from({ length: 50 }, () => nonceOf(render())));
      nonces.add(nonce);
      assert.equal(nonces.size, 51, 'no nonce repeats');
      const scripts = [...first.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
      assert.equal(scripts.length, 1);
      assert.ok(scripts[0].includes(`nonce="${nonce}"`), scripts[0]);
      assert.match(scripts[0], /\ssrc="/, 'the script is loaded from a file, not inline');
    });

    it(`${page} page: no unsafe-inline, no inline styles, no event-handler attributes, no inline script body`, () => {
      const html = render();
      assert.ok(!html.includes('unsafe-inline'));
      assert.ok(!html.includes('unsafe-eval'));
      assert.ok(!/\sstyle\s*=/i.test(html), 'inline style attribute');
      assert.ok(!/<style\b/i.test(html), 'inline style element');
      assert.ok(!/\son[a-z]+\s*=/i.test(html), 'event-handler attribute');
      assert.ok(!/<script\b[^>]*>[^<]+<\/script>/i.test(html), 'inline script body');
    });
  }

  it('escapes the URIs it is given', () => {
    const html = buildDetailHtml({ cspSource: 'x', scriptUri: '"><script>alert(1)</script>', styleUri: 'a"b', nonce: 'fixed' });
    assert.ok(!html.includes('<script>alert(1)'));
    assert.ok(html.includes('&quot;&gt;&lt;script&gt;'));
  });

  it('accepts exactly the page messages of the protocol', () => {
    for (const good of [
      { type: 'ready' },
      { type: 'refresh' },
      { type: 'cancel' },
      { type: 'openOutput' },
      { type: 'openError' },
      { type: 'openJson' },
      { type: 'copy', what: 'outputFileId' },
      { type: 'showFile', role: 'input' },
      { type: 'showFile', role: 'error' },
    ]) {
      assert.equal(isPageMessage(good), true, JSON.stringify(good));
    }
  });

  it('rejects malformed messages and messages with extra keys', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'ready',
      42,
      [],
      ['ready'],
      {},
      { type: 42 },
      { type: 'READY' },
      { type: 'unknown' },
      { type: 'ready', extra: 1 },
      { type: 'refresh', id: 'batch_other' },
      { type: 'cancel', batchId: 'batch_other' },
      { type: 'openJson', path: '/etc/passwd' },
      { type: 'copy' },
      { type: 'copy', what: 'apiKey' },
      { type: 'copy', what: 42 },
      { type: 'copy', what: 'batchId', text: 'injected' },
      { type: 'copy', what: ['batchId'] },
      { type: 'showFile' },
      { type: 'showFile', role: 'file-abc' },
      { type: 'showFile', role: 'input', fileId: 'file-other' },
      { type: '__proto__' },
      { type: 'constructor' },
      { type: 'toString' },
      { type: 'copy', what: 'constructor' },
      JSON.parse('{"type":"ready","__proto__":{"x":1}}'),
    ];
    for (const message of bad) assert.equal(isPageMessage(message), false, `accepted ${JSON.stringify(message)}`);
  });
});
