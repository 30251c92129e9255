import * as assert from 'node:assert/strict';
import { batchDescription, batchLabel, batchTooltipMarkdown, humanizeStatus } from '../../../../src/core/batches/batchDisplay';
import { markdownCode, markdownText, plainText, singleLine } from '../../../../src/core/util/text';
import type { Batch } from '../../../../src/core/api/types';

// VS Code's own parsers, copied from its sources: LINK_REGEX of parseLinkedText
// (src/vs/base/common/linkedText.ts), which turns notification and progress text into links,
// and the label-with-icons expression (src/vs/base/browser/ui/iconLabel/iconLabels.ts), which
// turns `$(name)` into a codicon in the status bar, quick picks and tree labels.
const LINK_REGEX = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
const ICON_REGEX = /(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;

function linksIn(text: string): string[] {
  return [...text.matchAll(LINK_REGEX)].map((match) => match[2]);
}

function iconsIn(text: string): string[] {
  return [...text.matchAll(ICON_REGEX)].filter((match) => !match[1]).map((match) => match[2]);
}

/** What a person sees: the joiner plainText adds is invisible. */
const visible = (text: string): string => text.replace(/\u2060/g, '');

const PAYLOADS = [
  '[text](command:workbench.action.quit)',
  '[click](command:openaiBatches.copyBatchId?%5B%7B%22id%22%3A%22x%22%7D%5D)',
  '[t](https://evil)',
  '[t](https://evil "a title")',
  '[t](file:///etc/passwd)',
  '![](https://evil/x.png)',
  '![alt](https://evil/x.png)',
  'before [a](command:a) middle [b](https://b) after',
  '[a](command:x)[b](command:y)',
  '$(alert)',
  '$(sync~spin) spinning',
  'cost $(alert) and $(x)',
];

describe('plainText: API text on surfaces that parse links and icons', () => {
  it('the parsers copied from VS Code find the links and icons in the raw payloads (control)', () => {
    // An image without alt text is no link to parseLinkedText; it is Markdown that would load it.
    for (const payload of PAYLOADS.filter((p) => !p.startsWith('![]'))) {
      assert.ok(linksIn(payload).length + iconsIn(payload).length > 0, payload);
    }
  });

  for (const payload of PAYLOADS) {
    it(`leaves no link or icon in ${JSON.stringify(payload)}, and reads the same`, () => {
      const shown = plainText(payload);
      assert.deepEqual(linksIn(shown), []);
      assert.deepEqual(iconsIn(shown), []);
      assert.equal(visible(shown), payload);
    });
  }

  it('breaks links whose `](` is split by characters it removes', () => {
    for (const payload of ['[a]\u200b(command:x)', '[a]\u202e(command:x)', '[a]\n(command:x)', '$\u200b(alert)', '$\t(alert)']) {
      const shown = plainText(payload);
      assert.deepEqual(linksIn(shown), [], JSON.stringify(payload));
      assert.deepEqual(iconsIn(shown), [], JSON.stringify(payload));
      // And nothing a later replace could turn back into `](` or `$(`.
      assert.deepEqual(linksIn(shown.replace(/\s/g, '')), [], JSON.stringify(payload));
    }
  });

  it('keeps a message built from parts free of links when one part ends in `]` or `$` and the next begins with `(`', () => {
    assert.deepEqual(linksIn(`${plainText('[click]')}(command:workbench.action.quit)`), []);
    assert.deepEqual(iconsIn(`${plainText('cost: $')}(alert)`), []);
    assert.deepEqual(linksIn(`${plainText('[click]')}${plainText('(command:workbench.action.quit)')}`), []);
  });

  it('is stable: applying it again, or singleLine after it, changes nothing', () => {
    for (const payload of [...PAYLOADS, '[x]', 'a $', '[a]\u200b(command:x)', 'x'.repeat(500) + '[a](command:x)']) {
      const once = plainText(payload, 120);
      assert.equal(plainText(once, 120), once, JSON.stringify(payload));
      assert.equal(singleLine(once, 1000), once, JSON.stringify(payload));
    }
  });

  it('removes control, bidi and zero-width characters and keeps one line', () => {
    const shown = plainText('\u202Egnp.exe\u200B\u200F evil \u2066rtl\u2069\u0000\u0007 line\r\nnext\ttab\u001b[31m');
    assert.equal(shown, 'gnp.exe evil rtl line next tab [31m');
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/.test(shown));
  });

  it('cuts very long strings at max, with an ellipsis, before anything is shown', () => {
    assert.equal(plainText('a'.repeat(100_000)).length, 200);
    assert.ok(plainText('a'.repeat(100_000)).endsWith('…'));
    assert.equal(plainText('b'.repeat(50), 10), `${'b'.repeat(9)}…`);
    // A link cut in half by the limit is no link either.
    assert.deepEqual(linksIn(plainText(`${'x'.repeat(30)}[text](command:workbench.action.quit)`, 40)), []);
  });

  it('shows numbers and booleans, and nothing for other non-strings (never an object dump)', () => {
    assert.equal(plainText(42), '42');
    assert.equal(plainText(false), 'false');
    for (const value of [undefined, null, {}, [], ['[a](command:x)'], { toString: () => '[a](command:x)' }, Symbol('s'), () => 'x']) {
      assert.equal(plainText(value), '', String(typeof value));
    }
  });

  it('labels, statuses and descriptions of batches are plain text', () => {
    const hostile = '[click](command:workbench.action.quit) $(alert) ![](https://evil/x.png)';
    const batch = {
      id: '[id](command:x)',
      status: '$(alert)',
      endpoint: '[e](https://evil)',
      created_at: null,
      request_counts: { total: '[t](command:x)', completed: '$(alert)', failed: 1 },
      metadata: { description: hostile },
    } as unknown as Batch;
    for (const text of [
      batchLabel(batch),
      batchLabel({ ...batch, metadata: null }),
      humanizeStatus('[s](command:x)'),
      humanizeStatus('$(alert)'),
      batchDescription(batch),
    ]) {
      assert.deepEqual(linksIn(text), [], text);
      assert.deepEqual(iconsIn(text), [], text);
    }
    assert.equal(visible(batchLabel(batch)), hostile);
    assert.equal(batchDescription(batch), '[e]\u2060(https://evil) · 0/0 · 1 failed', 'counts that are not numbers read as 0');
    assert.equal(batchLabel({ id: ' ', metadata: null }), 'Unnamed batch');
  });
});

describe('markdownText and markdownCode: API text in hovers and tooltips', () => {
  // What must not be left for a Markdown renderer (GFM, as VS Code's) to turn into a link, image or HTML.
  const MARKDOWN_LINKS = [/(^|[^\\])\[/, /(^|[^\\])\]/, /(^|[^\\])</, /https?:\/\//i, /www\./i, /[\w.+-]+@[\w-]+\.[\w]/];

  for (const payload of [
    ...PAYLOADS,
    'see https://evil.example/x',
    'www.evil.example',
    'mail me@evil.example',
    '<img src=x>',
    '<https://evil>',
  ]) {
    it(`escapes ${JSON.stringify(payload)}`, () => {
      const md = markdownText(payload);
      for (const pattern of MARKDOWN_LINKS) assert.ok(!pattern.test(md), `${md} matches ${String(pattern)}`);
      assert.deepEqual(iconsIn(md), []);
    });
  }

  it('keeps an id inside one code span, whatever it holds', () => {
    assert.equal(markdownCode('batch_`x`\n[a](command:x)'), "`batch_'x' [a]\u2060(command:x)`");
    assert.equal(markdownCode({ id: 1 }), '``');
  });

  it('the batch tooltip shows counts as numbers and no API link, image or URL', () => {
    const md = batchTooltipMarkdown({
      id: 'batch_1',
      status: 'completed',
      endpoint: 'https://evil.example/x',
      model: '![](http://127.0.0.1:1/img.png)',
      request_counts: { total: '[t](command:x)', completed: 2, failed: 0 } as never,
      metadata: { description: '[click](command:openaiBatches.copyBatchId?%5B%22x%22%5D)' },
    });
    for (const pattern of MARKDOWN_LINKS) assert.ok(!pattern.test(md), `${md} matches ${String(pattern)}`);
    assert.match(md, /Requests: 2 completed, 0 failed, 0 total/);
  });
});
