import * as assert from 'assert';
import type { Frame } from 'playwright-core';
import type { Batch } from '../../src/core/api/types';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { openWorkbench, waitUntil, Workbench, closeAfterScenario, setApiKeyFromPalette } from './workbench';

/** Classic payloads; each, if it ever ran, would set document.title or window.__pwned in some frame. */
export const PAYLOADS = [
  `<script>document.title='PWNED';window.__pwned=1</script>`,
  `<img src=x onerror="document.title='PWNED';window.__pwned=1">`,
  `<svg onload="document.title='PWNED';window.__pwned=1"></svg>`,
  `javascript:document.title='PWNED';window.__pwned=1`,
  `"><img src=x onerror=document.title='PWNED'>`,
  `'--></textarea></pre><script>window.__pwned=1</script>`,
  `{{constructor.constructor('document.title="PWNED"')()}}`,
  '${document.title="PWNED"}',
  `<iframe src="javascript:parent.document.title='PWNED'"></iframe>`,
  `<a href="javascript:document.title='PWNED'">click me</a>`,
  `<style>body{display:none!important}</style>`,
  `[run](command:workbench.action.quit) **bold** <b>markup</b>`,
  `\u202Egnp.exe\u200B\u200F evil \u2066rtl\u2069`,
  'A'.repeat(5000),
];

function maliciousBatches(now: number): Batch[] {
  return PAYLOADS.map((payload, i) => ({
    id: `batch_xss${String(i).padStart(2, '0')}${'0'.repeat(24)}`,
    object: 'batch',
    endpoint: i % 3 === 0 ? payload : '/v1/chat/completions',
    errors: { object: 'list', data: [{ code: payload.slice(0, 200), message: payload, param: payload, line: i }] },
    input_file_id: `file-xss${i}`,
    completion_window: '24h',
    status: i % 2 ? 'failed' : payload.slice(0, 40),
    output_file_id: null,
    error_file_id: `file-err${i}`,
    created_at: now - i * 60,
    in_progress_at: null,
    expires_at: null,
    finalizing_at: null,
    completed_at: null,
    failed_at: now - i * 60 + 5,
    expired_at: null,
    cancelling_at: null,
    cancelled_at: null,
    request_counts: { total: 3, completed: 1, failed: 2 },
    metadata: { description: `xss-${i} ${payload}`, [payload.slice(0, 64)]: payload.slice(0, 512) },
    model: payload.slice(0, 100),
  }));
}

async function anyFramePwned(frames: Frame[]): Promise<string[]> {
  const hits: string[] = [];
  for (const frame of frames) {
    const state = await frame
      .evaluate<{ title: string; pwned?: number }>('({ title: document.title, pwned: window.__pwned })')
      .catch(() => undefined); // a frame that navigated away mid-check
    if (state && (state.title === 'PWNED' || state.pwned !== undefined)) hits.push(`${frame.url()}: ${JSON.stringify(state)}`);
  }
  return hits;
}

describe('security: strings from the API are shown as text, never run', function () {
  let fake: FakeApi;
  let workbench: Workbench;
  const now = Math.floor(Date.now() / 1000);

  before(async function () {
    fake = await startFakeApi({ seed: maliciousBatches(now), now });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.pageSize': 100, 'openaiBatches.autoRefreshSeconds': 0 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, fake.apiKey);
    await workbench.waitForTreeRow(/^Failed \(\d+\)$/);
  });

  closeAfterScenario('security', () => ({ workbench, fake }));

  it('renders payloads in the tree as literal labels', async function () {
    const rows = await workbench.treeRows();
    // Unknown statuses made of markup become group names, shown as text.
    assert.ok(
      rows.some((row) => row.includes('<script>') || row.includes('<img')),
      `rows: ${JSON.stringify(rows.slice(0, 20))}`,
    );
    assert.deepEqual(
      rows.filter((row) => /[\u200B-\u200F\u202A-\u202E\u2066-\u2069]/.test(row)),
      [],
      'no bidi or zero-width characters reach a label',
    );
    assert.deepEqual(await anyFramePwned(workbench.page.frames()), []);
    assert.notEqual(await workbench.page.title(), 'PWNED');
    await workbench.screenshot('e2e-security-1-tree');
  });

  for (const index of [1, 3, 5, 7, 9, 11, 13]) {
    it(`shows payload #${index} as text in the detail panel, and nothing runs`, async function () {
      const batch = maliciousBatches(now)[index];
      await workbench.pickFromCommand('OpenAI Batches: Open Batch Details…', batch.id);
      const frame = workbench.webviewFrame();
      await waitUntil(
        async () =>
          (
            (await frame
              .locator('pre')
              .first()
              .textContent()
              .catch(() => '')) ?? ''
          ).includes(batch.id),
        `the JSON of ${batch.id}`,
      );
      const text = await frame.locator('body').innerText();
      const visible = PAYLOADS[index]
        .replace(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, '')
        .slice(0, 60)
        .trim();
      assert.ok(text.replace(/[\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g, '').includes(visible), `payload #${index} not shown as text`);
      await new Promise((resolve) => setTimeout(resolve, 500)); // give any injected handler the chance to fire
      assert.deepEqual(await anyFramePwned(workbench.page.frames()), []);
      const layout = await frame
        .locator('body')
        .evaluate((body: { scrollWidth: number; clientWidth: number }) => ({ scroll: body.scrollWidth, client: body.clientWidth }));
      assert.ok(layout.scroll <= layout.client + 2, `horizontal overflow: ${JSON.stringify(layout)}`);
      if (index === 13) await workbench.screenshot('e2e-security-2-detail');
      await workbench.page.keyboard.press('Control+W').catch(() => undefined);
    });
  }
});
