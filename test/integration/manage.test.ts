// "Manage batches from the editor", inside a real extension host against the fake API: cancel,
// result files, downloads, auto-refresh, filter, hover/completion on ids, insert at every cursor,
// Azure-style auth, and HTTP proxies. Modal confirmations and save dialogs cannot be answered
// from here; test/e2e/manage.e2e.ts clicks through those.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { requestCancel } from '../../src/commands/batchCommands';
import { applyFilter } from '../../src/commands/filterCommands';
import { downloadFile } from '../../src/core/download';
import { ApiError } from '../../src/core/errors';
import type { Batch } from '../../src/core/types';
import type { TestApi } from '../../src/extension';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { connectToFake, disconnect, EXTENSION_ID, rootItems, waitFor } from './helpers';
import { ViewId } from '../../src/ids';

const ACTIVE = new Set(['validating', 'in_progress', 'finalizing', 'cancelling']);
const isActive = (b: Batch): boolean => ACTIVE.has(String(b.status));
const GET_ONE = /^\/v1\/batches\/[^/]+$/;

interface TreeBatch {
  group: string;
  label: string;
  contextValue: string;
  id: string;
}

/** Every batch row in the tree, with its group, as VS Code renders them. */
async function treeBatches(api: TestApi): Promise<TreeBatch[]> {
  const rows: TreeBatch[] = [];
  for (const root of await rootItems(api)) {
    for (const child of await api.services.tree.getChildren(root.node)) {
      const item = api.services.tree.getTreeItem(child);
      rows.push({ group: root.label, label: String(typeof item.label === 'string' ? item.label : item.label?.label), contextValue: item.contextValue ?? '', id: item.id ?? '' });
    }
  }
  return rows;
}

function configuration(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('openaiBatches');
}

/** Closes every editor; untitled documents are reverted first so no "Save changes?" dialog comes up. */
async function closeEditors(): Promise<void> {
  for (let i = 0; i < 20 && vscode.window.activeTextEditor; i++) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Result files are cached per account and file id (and the demo data's ids repeat in each test's account): forget one so it is downloaded again. */
function forgetCachedFile(api: TestApi, fileId: string): void {
  fs.rmSync(path.join(api.context.globalStorageUri.fsPath, 'files', api.services.store.account ?? '', `${fileId}.jsonl`), { force: true });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The contributed `view/item/context` entries of a command. */
function contextMenuEntries(command: string): { command: string; when: string; group: string }[] {
  const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: Record<string, { command: string; when: string; group: string }[]> } };
  return manifest.contributes.menus['view/item/context'].filter((entry) => entry.command === command);
}

/** Evaluates the `viewItem =~ /re/` part of a when clause against a node's contextValue. */
function viewItemMatches(when: string, contextValue: string): boolean {
  const match = /viewItem =~ \/(.+?)\/(\s|$)/.exec(when);
  assert.ok(match, `no viewItem regex in ${when}`);
  return new RegExp(match[1]).test(contextValue);
}

describe('Manage batches from the editor (extension host, fake API)', function () {
  this.timeout(120_000);
  let api: TestApi;
  let fake: FakeApi | undefined;

  afterEach(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await closeEditors();
    if (api) {
      applyFilter(api.services, undefined);
      await configuration().update('editorIntegration', undefined, vscode.ConfigurationTarget.Global);
      await configuration().update('maxOpenFileMB', undefined, vscode.ConfigurationTarget.Global);
      await disconnect(api, fake);
    }
    fake = undefined;
  });

  describe('cancel', () => {
    it('offers Cancel in the context menu of cancellable batches only', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      const [entry] = contextMenuEntries('openaiBatches.cancelBatch');
      assert.ok(entry, 'package.json has a view/item/context entry for cancelBatch');
      const rows = await treeBatches(api);
      for (const row of rows) {
        const batch = api.services.store.batches.find((b) => row.id.endsWith(`/${b.id}`))!;
        const cancellable = ['validating', 'in_progress', 'finalizing'].includes(String(batch.status));
        assert.equal(viewItemMatches(entry.when, row.contextValue), cancellable, `${batch.status} batch ${batch.id}: "${row.contextValue}"`);
      }
      for (const [command, flag] of [
        ['openaiBatches.openOutputFile', 'output'],
        ['openaiBatches.openErrorFile', 'errorFile'],
        ['openaiBatches.downloadOutputFile', 'output'],
      ]) {
        const [menu] = contextMenuEntries(command);
        assert.ok(menu, `package.json has a view/item/context entry for ${command}`);
        assert.ok(viewItemMatches(menu.when, `batch input ${flag}`) && !viewItemMatches(menu.when, 'batch input'), `${command}: ${menu.when}`);
      }
    });

    it('moves the node to Cancelling at once from the response, to Cancelled on the next refresh; 409 says why', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      await rootItems(api);
      const target = api.services.store.batches.find((b) => b.status === 'in_progress')!;
      const finished = api.services.store.batches.find((b) => b.status === 'validating')!;
      fake.clearRequests();
      const updated = await requestCancel(api.services, target.id);
      assert.equal(updated.status, 'cancelling');
      assert.equal(fake.count('POST', `/v1/batches/${target.id}/cancel`), 1);
      assert.equal(fake.requests.length, 1, 'the response alone updates the tree: no refetch');
      let row = (await treeBatches(api)).find((r) => r.id.endsWith(target.id))!;
      assert.match(row.group, /^Cancelling \(\d+\)$/);
      assert.ok(!row.contextValue.includes('cancellable'), 'no Cancel offered on a cancelling batch');

      fake.clock.advance(5);
      await vscode.commands.executeCommand('openaiBatches.refresh');
      row = (await treeBatches(api)).find((r) => r.id.endsWith(target.id))!;
      assert.match(row.group, /^Cancelled \(\d+\)$/);

      // The batch finished on the server meanwhile: the user sees the API's message.
      fake.store.put({ ...fake.store.get(finished.id)!, status: 'completed', completed_at: fake.clock.now() });
      await assert.rejects(requestCancel(api.services, finished.id), (error: unknown) => {
        assert.ok(error instanceof Error && (error as ApiError).kind === 'conflict', String(error));
        assert.equal(error.message, "Cannot cancel a batch with status 'completed'.");
        return true;
      });
      // (That the tree then shows it completed without a refresh is checked in test/e2e/manage.e2e.ts: the
      // ApiError class of this compiled copy of the command is not the bundled client's, so it cannot tell here.)
    });

    it('the command refuses a finished batch without asking or calling the API', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      await rootItems(api);
      const done = api.services.store.batches.find((b) => b.status === 'completed')!;
      fake.clearRequests();
      await vscode.commands.executeCommand('openaiBatches.cancelBatch', done.id);
      assert.equal(fake.count('POST', /\/cancel$/), 0);
    });
  });

  describe('result files', () => {
    it('opens an output file as JSONL (downloaded once, then from the cache)', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      await rootItems(api);
      const batch = api.services.store.batches.find((b) => b.status === 'completed' && b.output_file_id && (b.request_counts?.completed ?? 0) > 5)!;
      const fileId = batch.output_file_id!;
      forgetCachedFile(api, fileId);
      fake.clearRequests();
      await vscode.commands.executeCommand('openaiBatches.openOutputFile', batch.id);
      const editor = await waitFor('the output file in an editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(`${fileId}.jsonl`)));
      const lines = editor.document.getText().split('\n').filter(Boolean);
      assert.equal(lines.length, batch.request_counts!.completed);
      for (const line of lines) assert.equal(typeof (JSON.parse(line) as { custom_id?: unknown }).custom_id, 'string');
      assert.ok(editor.document.uri.fsPath.startsWith(api.context.globalStorageUri.fsPath), `cached under global storage: ${editor.document.uri.fsPath}`);
      assert.equal(fake.count('GET', `/v1/files/${fileId}/content`), 1);

      await closeEditors();
      await vscode.commands.executeCommand('openaiBatches.openOutputFile', batch.id);
      await waitFor('the cached output file in an editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(`${fileId}.jsonl`)));
      assert.equal(fake.count('GET', `/v1/files/${fileId}/content`), 1, 'opened again from the cache');
      assert.equal(fs.readdirSync(path.dirname(editor.document.uri.fsPath)).filter((f) => f.endsWith('.part')).length, 0);
    });

    it('offers Save As instead of opening a file over openaiBatches.maxOpenFileMB', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      await rootItems(api);
      await configuration().update('maxOpenFileMB', 1, vscode.ConfigurationTarget.Global);
      const big = fake.store.addFile({ filename: 'big_output.jsonl', purpose: 'batch_output', generatedBytes: 3 * 1024 * 1024 });
      const batch = api.services.store.batches.find((b) => b.status === 'completed' && b.output_file_id)!;
      fake.store.put({ ...fake.store.get(batch.id)!, output_file_id: big.id });
      await api.services.store.fetchBatch(batch.id);
      fake.clearRequests();
      // The command waits on the (non-modal) "Save As…" offer, so it is not awaited here.
      const running = vscode.commands.executeCommand('openaiBatches.openOutputFile', batch.id);
      await waitFor('the file metadata request', () => fake!.count('GET', `/v1/files/${big.id}`) === 1);
      await delay(1000);
      assert.equal(fake.count('GET', `/v1/files/${big.id}/content`), 0, 'not downloaded into an editor');
      assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath.includes(big.id)));
      await vscode.commands.executeCommand('notifications.clearAll');
      await running;
    });

    it('says so for a batch that completed with only an error file, and downloads nothing', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      await rootItems(api);
      const batch = api.services.store.batches.find((b) => b.status === 'completed' && !b.output_file_id && b.error_file_id)!;
      assert.ok(batch, 'the demo data has a completed batch whose every request failed');
      forgetCachedFile(api, batch.error_file_id!);
      fake.clearRequests();
      const running = vscode.commands.executeCommand('openaiBatches.openOutputFile', batch.id);
      await delay(1000);
      assert.equal(fake.requests.length, 0);
      await vscode.commands.executeCommand('notifications.clearAll');
      await running;
      // Its error file opens.
      await vscode.commands.executeCommand('openaiBatches.openErrorFile', batch.id);
      const editor = await waitFor('the error file', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(`${batch.error_file_id}.jsonl`)));
      const first = JSON.parse(editor.document.lineAt(0).text) as { custom_id: string; error?: unknown; response?: { status_code?: number } };
      assert.equal(typeof first.custom_id, 'string');
    });

    it('downloads atomically: complete file, no .part; cancelled or cut short leaves nothing', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      const client = api.services.store.requireClient();
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'manage-download-'));
      try {
        const small = fake.store.addFile({ filename: 'out.jsonl', purpose: 'batch_output', generatedBytes: 2 * 1024 * 1024 + 17 });
        const done = path.join(folder, 'done.jsonl');
        const progress: number[] = [];
        const { bytes } = await downloadFile(client, small.id, done, { onProgress: ({ received }) => progress.push(received) });
        assert.equal(bytes, small.bytes);
        assert.equal(fs.statSync(done).size, small.bytes);
        assert.equal(progress.at(-1), small.bytes);
        assert.deepEqual(fs.readdirSync(folder), ['done.jsonl']);

        const large = fake.store.addFile({ filename: 'large.jsonl', purpose: 'batch_output', generatedBytes: 400 * 1024 * 1024 });
        const cancelled = path.join(folder, 'cancelled.jsonl');
        const controller = new AbortController();
        await assert.rejects(
          downloadFile(client, large.id, cancelled, {
            signal: controller.signal,
            onProgress: ({ received }) => {
              if (received > 0) controller.abort();
            },
          }),
          (error: unknown) => (error as ApiError).kind === 'cancelled',
        );
        assert.deepEqual(fs.readdirSync(folder), ['done.jsonl'], 'a cancelled download leaves nothing behind');

        fake.addFault({ path: `/v1/files/${small.id}/content`, truncated: true, times: 1 });
        await assert.rejects(downloadFile(client, small.id, path.join(folder, 'cut.jsonl')), (error: unknown) => (error as ApiError).kind === 'network');
        assert.deepEqual(fs.readdirSync(folder), ['done.jsonl'], 'a download cut short leaves nothing behind');
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    });
  });

  describe('auto-refresh', () => {
    it('polls active batches while the view is visible, one list request per interval plus one GET per active batch beyond the first page, and stops when none is active', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }, { pageSize: 20 }));
      // Three old batches still running deep in the list, besides the six active ones on top.
      const now = fake.clock.now();
      const deep = fake.store.list().slice(45, 48);
      for (const batch of deep) {
        const total = batch.request_counts?.total || 100;
        fake.store.put({
          ...fake.store.get(batch.id)!,
          status: 'in_progress',
          in_progress_at: now - 60,
          expires_at: now + 86_400,
          completed_at: null,
          failed_at: null,
          expired_at: null,
          cancelled_at: null,
          cancelling_at: null,
          finalizing_at: null,
          output_file_id: null,
          error_file_id: null,
          request_counts: { total, completed: 1, failed: 0 },
        });
      }
      const store = api.services.store;
      await rootItems(api);
      await vscode.commands.executeCommand(`${ViewId.batches}.focus`);
      await waitFor('the view to be visible', () => api.services.treeView.visible);
      console.log(`      window focused: ${vscode.window.state.focused}, view visible: ${api.services.treeView.visible}`);

      /** Turns polling on for `count` intervals; returns [list requests, GET requests] of each complete interval. */
      const measure = async (count: number): Promise<[number, number][]> => {
        fake!.clearRequests();
        await configuration().update('autoRefreshSeconds', 1, vscode.ConfigurationTarget.Global);
        await waitFor(`${count + 1} auto-refresh intervals`, () => fake!.count('GET', '/v1/batches') >= count + 1, 30_000);
        await configuration().update('autoRefreshSeconds', 0, vscode.ConfigurationTarget.Global);
        const log = [...fake!.requests];
        const starts = log.map((r, i) => (r.path === '/v1/batches' ? i : -1)).filter((i) => i >= 0);
        return starts.slice(0, count).map((start, n) => {
          const slice = log.slice(start, starts[n + 1]);
          return [slice.filter((r) => r.path === '/v1/batches').length, slice.filter((r) => GET_ONE.test(r.path)).length];
        });
      };
      const summary = (label: string, intervals: [number, number][]): string =>
        `      auto-refresh, ${label}: ${intervals.map(([l, g]) => `${l} list + ${g} GET`).join('; ')} (per 1 s interval)`;

      // First page only: its six active batches come with the one list request.
      const onTop = store.batches.filter(isActive);
      let intervals = await measure(3);
      console.log(summary(`${onTop.length} active, all on the first page (${store.batches.length} loaded)`, intervals));
      for (const interval of intervals) assert.deepEqual(interval, [1, 0]);

      // Everything loaded: the three deep ones are fetched by id, the finished ones never.
      while (store.hasMore) await vscode.commands.executeCommand('openaiBatches.loadMore');
      const firstPage = new Set(fake.store.list().slice(0, 20).map((b) => b.id));
      const active = store.batches.filter(isActive);
      const activeBeyond = active.filter((b) => !firstPage.has(b.id));
      assert.equal(activeBeyond.length, 3);
      intervals = await measure(3);
      console.log(summary(`${active.length} active, ${activeBeyond.length} of them beyond the first page (${store.batches.length} loaded)`, intervals));
      for (const interval of intervals) assert.deepEqual(interval, [1, activeBeyond.length]);
      for (const request of fake.requests.filter((r) => GET_ONE.test(r.path))) {
        assert.ok(activeBeyond.some((b) => request.path.endsWith(b.id)), `only active batches beyond the first page are fetched (${request.path})`);
      }
      await configuration().update('autoRefreshSeconds', 1, vscode.ConfigurationTarget.Global);

      // Every batch finishes on the server: the store follows, then polling stops.
      fake.clock.advance(6 * 3600);
      await waitFor('every loaded batch to be finished', () => store.batches.every((b) => !isActive(b)), 20_000);
      for (const batch of active) assert.ok(['completed', 'cancelled', 'expired', 'failed'].includes(String(store.get(batch.id)?.status)), `${batch.id}: ${store.get(batch.id)?.status}`);
      await delay(500);
      fake.clearRequests();
      await delay(3000);
      assert.equal(fake.requests.length, 0, 'no polling once nothing is active');
    });

    it('backs off after failures and does not poll while the view is hidden', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      await rootItems(api);
      await vscode.commands.executeCommand(`${ViewId.batches}.focus`);
      await waitFor('the view to be visible', () => api.services.treeView.visible);
      fake.addFault({ method: 'GET', path: '/v1/batches', status: 400, body: { error: { message: 'injected', type: 'invalid_request_error', param: null, code: null } } });
      fake.clearRequests();
      await configuration().update('autoRefreshSeconds', 1, vscode.ConfigurationTarget.Global);
      await delay(6500);
      const failing = fake.count('GET', '/v1/batches');
      console.log(`      failing auto-refresh: ${failing} requests in 6.5 s at a 1 s interval (1 s, 2 s, 4 s… backoff)`);
      assert.ok(failing >= 1 && failing <= 4, `backed off: ${failing} requests`);
      fake.clearFaults();

      // Hidden view: no polling.
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor('the view to be hidden', () => !api.services.treeView.visible);
      await delay(500);
      fake.clearRequests();
      await delay(3000);
      assert.equal(fake.requests.length, 0, 'no polling while the view is hidden');
    });
  });

  describe('filter', () => {
    it('narrows the tree, shows the filter in the view description, and keeps Load more working', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      const before = await rootItems(api);
      assert.ok(before.length > 3);
      applyFilter(api.services, { statuses: ['completed'] });
      let roots = await rootItems(api);
      assert.deepEqual(
        roots.map((r) => r.label.replace(/\(\d+\)$/, '(n)')),
        ['Completed (n)', 'Load more…'],
      );
      const completedLoaded = api.services.store.batches.filter((b) => b.status === 'completed').length;
      assert.equal(roots[0].label, `Completed (${completedLoaded})`);
      assert.equal(api.services.treeView.description, 'Filtered: status: completed');
      assert.equal(api.services.treeView.message, `Filtered: status: completed — ${completedLoaded} of 20 loaded batches`);

      await vscode.commands.executeCommand('openaiBatches.loadMore');
      roots = await rootItems(api);
      const completedNow = api.services.store.batches.filter((b) => b.status === 'completed').length;
      assert.ok(api.services.store.batches.length > 20);
      assert.equal(roots[0].label, `Completed (${completedNow})`);
      assert.equal(roots.at(-1)?.label, 'Load more…');

      applyFilter(api.services, { text: 'support', endpoints: ['/v1/chat/completions'] });
      const rows = await treeBatches(api);
      assert.ok(rows.length > 0);
      for (const row of rows) {
        const batch = api.services.store.batches.find((b) => row.id.endsWith(`/${b.id}`))!;
        assert.equal(batch.endpoint, '/v1/chat/completions');
        assert.ok(JSON.stringify([batch.id, batch.metadata, batch.input_file_id, batch.output_file_id, batch.error_file_id, batch.model]).toLowerCase().includes('support'));
      }
      assert.equal(api.services.treeView.description, 'Filtered: endpoint: /v1/chat/completions · "support"');

      applyFilter(api.services, { text: 'no batch has this text' });
      assert.deepEqual(
        (await rootItems(api)).map((r) => r.label),
        [`No loaded batch matches the filter (${api.services.store.batches.length} loaded)`, 'Load more…'],
      );

      await vscode.commands.executeCommand('openaiBatches.clearFilter');
      assert.equal(api.services.treeView.description, undefined);
      assert.equal(api.services.treeView.message, undefined);
      assert.ok((await rootItems(api)).length > 3);
    });
  });

  describe('while coding', () => {
    async function hoverText(document: vscode.TextDocument, needle: string): Promise<string> {
      const offset = document.getText().indexOf(needle);
      assert.ok(offset >= 0, needle);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, document.positionAt(offset + 8));
      return hovers
        .flatMap((h) => h.contents)
        .map((c) => (typeof c === 'string' ? c : c.value))
        .join('\n');
    }

    async function completionLabels(document: vscode.TextDocument, line: number): Promise<string[]> {
      const position = document.lineAt(line).range.end;
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
      return list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    }

    it('hovers over batch and file ids: loaded from memory, unknown batch ids fetched once; completion offers loaded ids; the setting turns both off', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      await rootItems(api);
      const store = api.services.store;
      const loaded = store.batches.find((b) => b.status === 'completed' && b.output_file_id && (b.request_counts?.total ?? 0) > 0)!;
      const notLoaded = fake.store.list().find((b) => !store.get(b.id))!;
      assert.ok(notLoaded, 'a batch beyond the first page');
      const missing = 'batch_000000000000doesnotexist';
      const document = await vscode.workspace.openTextDocument({
        language: 'python',
        content: [
          `loaded = client.batches.retrieve("${loaded.id}")`,
          `output = client.files.content("${loaded.output_file_id}")`,
          `older = "${notLoaded.id}"`,
          `gone = "${missing}"`,
          'next_batch = "batch_',
          'next_file = "file-',
        ].join('\n'),
      });
      await vscode.window.showTextDocument(document);
      fake.clearRequests();

      const loadedHover = await hoverText(document, loaded.id);
      assert.match(loadedHover, /Completed/);
      assert.ok(loadedHover.includes(`${loaded.request_counts!.completed} completed, ${loaded.request_counts!.failed} failed of ${loaded.request_counts!.total}`), loadedHover);
      assert.match(loadedHover, /created .*ago/);
      for (const command of ['openaiBatches.openBatch', 'openaiBatches.copyBatchId', 'openaiBatches.copyOutputFileId', 'openaiBatches.openOutputFile']) {
        assert.ok(loadedHover.includes(`command:${command}?`), `hover links ${command}`);
      }
      const fileHover = await hoverText(document, loaded.output_file_id!);
      assert.match(fileHover, new RegExp(`output file of \`${loaded.id}\``));
      assert.equal(fake.requests.length, 0, 'loaded ids cost no request');

      const olderHover = await hoverText(document, notLoaded.id);
      assert.match(olderHover, new RegExp(String(notLoaded.status).replace('_', ' '), 'i'));
      await hoverText(document, notLoaded.id);
      assert.equal(await hoverText(document, missing), '');
      await hoverText(document, missing);
      assert.equal(fake.count('GET', `/v1/batches/${notLoaded.id}`), 1, 'an unknown id is fetched once');
      assert.equal(fake.count('GET', `/v1/batches/${missing}`), 1, 'a missing id is asked for once');
      assert.equal(store.get(notLoaded.id), undefined, 'looked-up batches are not added to the tree (never polled)');

      const batchItems = await completionLabels(document, 4);
      for (const batch of store.batches) assert.ok(batchItems.includes(batch.id), `completion offers ${batch.id}`);
      const fileItems = await completionLabels(document, 5);
      assert.ok(fileItems.includes(loaded.output_file_id!));
      assert.ok(fileItems.includes(loaded.input_file_id!));

      await configuration().update('editorIntegration', false, vscode.ConfigurationTarget.Global);
      assert.ok(!(await hoverText(document, loaded.id)).includes('Completed'), 'no hover when turned off');
      const off = await completionLabels(document, 4);
      assert.ok(!off.some((label) => store.get(label) && label !== loaded.id && label !== notLoaded.id), `no id completion when turned off: ${off.slice(0, 5).join(', ')}`);
    });

    it('inserts an output file id at every cursor', async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo' }));
      await rootItems(api);
      const batch = api.services.store.batches.find((b) => b.output_file_id)!;
      const document = await vscode.workspace.openTextDocument({ content: 'a = ""\nb = ""\nc = ""\n' });
      const editor = await vscode.window.showTextDocument(document);
      editor.selections = [0, 1, 2].map((line) => new vscode.Selection(line, 5, line, 5));
      await vscode.commands.executeCommand('openaiBatches.insertOutputFileId', batch.id);
      const id = batch.output_file_id!;
      assert.equal(document.getText(), `a = "${id}"\nb = "${id}"\nc = "${id}"\n`);
    });
  });

  describe('other providers', () => {
    it("Azure: sends the key as `api-key` and `api-version` on every request, downloads included", async () => {
      ({ api, fake } = await connectToFake({ seed: 'demo', authHeader: 'api-key', requireApiVersion: '2024-10-21' }, { authHeader: 'api-key', apiVersion: '2024-10-21' }));
      fake.clearRequests();
      const roots = await rootItems(api);
      assert.ok(roots.some((r) => /^Completed \(\d+\)$/.test(r.label)), JSON.stringify(roots.map((r) => r.label)));
      await vscode.commands.executeCommand('openaiBatches.loadMore');
      const batch = api.services.store.batches.find((b) => b.status === 'completed' && b.output_file_id)!;
      forgetCachedFile(api, batch.output_file_id!);
      await vscode.commands.executeCommand('openaiBatches.openOutputFile', batch.id);
      await waitFor('the output file', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(`${batch.output_file_id}.jsonl`)));
      const target = api.services.store.batches.find((b) => b.status === 'validating')!;
      await requestCancel(api.services, target.id);
      assert.ok(fake.requests.length >= 5);
      for (const request of fake.requests) {
        assert.equal(request.status, 200, `${request.method} ${request.path}`);
        assert.equal(request.query['api-version'], '2024-10-21');
        assert.equal(request.headers['api-key'], fake.apiKey);
        assert.equal(request.headers.authorization, undefined, 'no Authorization header');
      }
      // Without the api-version the fake (like Azure) refuses, and the tree says why.
      await configuration().update('apiVersion', undefined, vscode.ConfigurationTarget.Global);
      await waitFor('an error node', async () => (await rootItems(api)).find((r) => /api-version/.test(r.label)));
    });

    it("HTTP proxy: VS Code's http.proxy carries requests to remote hosts, but never a loopback request or its key", async function () {
      const forwarded: string[] = [];
      const key = 'sk-fake-test-key';
      const proxy = http.createServer((req, res) => {
        // A forward proxy for plain http gets the absolute URI (and would see the key); it answers nothing useful.
        forwarded.push(`${req.method} ${req.url} key:${JSON.stringify(req.headers).includes(key)}`);
        res.writeHead(502).end();
      });
      // https goes through CONNECT: the proxy learns the host, the key stays inside TLS.
      proxy.on('connect', (req, socket) => {
        forwarded.push(`CONNECT ${req.url} key:${JSON.stringify(req.headers).includes(key)}`);
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const http_ = vscode.workspace.getConfiguration('http');
      const extraBases: string[] = [];
      let second: FakeApi | undefined;
      const useBase = async (baseUrl: string): Promise<void> => {
        extraBases.push(baseUrl);
        await api.services.keys.set(baseUrl, key);
        await configuration().update('baseUrl', baseUrl, vscode.ConfigurationTarget.Global);
        await api.services.connection.reconnect();
      };
      try {
        ({ api, fake } = await connectToFake({ seed: 'demo', apiKey: key }));
        await http_.update('proxy', proxyUrl, vscode.ConfigurationTarget.Global);
        await http_.update('proxySupport', 'override', vscode.ConfigurationTarget.Global);

        // 1. 127.0.0.1: on VS Code's own bypass list.
        fake.clearRequests();
        await vscode.commands.executeCommand('openaiBatches.reloadAll');
        assert.equal(fake.count('GET', '/v1/batches'), 1);
        assert.deepEqual(forwarded, [], '127.0.0.1 bypasses the proxy');

        // 2. 127.0.0.2 is loopback too, but not on VS Code's list: its proxy patch would send it (and the key) to the proxy.
        second = await startFakeApi({ seed: 'demo', host: '127.0.0.2', apiKey: key });
        await useBase(second.baseUrl);
        const labels = await waitFor('the tree from 127.0.0.2', async () => {
          const rows = (await rootItems(api)).map((r) => r.label);
          return rows.some((label) => /^Completed \(\d+\)$/.test(label)) ? rows : undefined;
        });
        console.log(`      127.0.0.2: ${second.requests.length} request(s) direct, ${forwarded.length} via the proxy; tree: ${labels.slice(0, 3).join(' | ')}`);
        assert.deepEqual(forwarded, [], 'a loopback request went to the proxy');
        assert.ok(second.count('GET', '/v1/batches') >= 1);

        // 3. A remote host goes through the proxy (CONNECT), so proxies keep working for real providers.
        await useBase('https://api.example.test/v1');
        const failed = await waitFor("the tree to report the proxy's refusal", async () => (await rootItems(api)).find((r) => /HTTP 403/.test(r.label)), 20_000);
        console.log(`      api.example.test: ${failed.label}; proxy saw: ${forwarded.join(', ')}`);
        assert.deepEqual(forwarded, ['CONNECT api.example.test:443 key:false']);
      } finally {
        await http_.update('proxy', undefined, vscode.ConfigurationTarget.Global);
        await http_.update('proxySupport', undefined, vscode.ConfigurationTarget.Global);
        for (const base of extraBases) await api.services.keys.clear(base);
        await second?.close();
        proxy.closeAllConnections();
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
      }
    });
  });
});
