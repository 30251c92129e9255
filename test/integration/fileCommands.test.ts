// Result files, inside a real extension host against the fake API: open, the size limit, error-only
// batches and atomic downloads. Save dialogs cannot be answered from here; test/e2e/manage.e2e.ts
// clicks through those.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { downloadFile } from '../../src/core/files/download';
import { ApiError } from '../../src/core/api/errors';
import { userDownloadLimit } from '../../src/core/api/sizeLimit';
import { closeEditors, configuration, delay, fakeApiSuite, forgetCachedFile, rootItems, waitFor } from './helpers';

describe('result files', function () {
  this.timeout(120_000);
  const connect = fakeApiSuite();

  it('opens an output file as JSONL (downloaded once, then from the cache)', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    await rootItems(api);
    const batch = api.services.store.batches.find(
      (b) => b.status === 'completed' && b.output_file_id && (b.request_counts?.completed ?? 0) > 5,
    )!;
    const fileId = batch.output_file_id!;
    forgetCachedFile(api, fileId);
    fake.clearRequests();
    await vscode.commands.executeCommand('openaiBatches.openOutputFile', batch.id);
    const editor = await waitFor('the output file in an editor', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(`${fileId}.jsonl`)),
    );
    const lines = editor.document.getText().split('\n').filter(Boolean);
    assert.equal(lines.length, batch.request_counts!.completed);
    for (const line of lines) assert.equal(typeof (JSON.parse(line) as { custom_id?: unknown }).custom_id, 'string');
    assert.ok(
      editor.document.uri.fsPath.startsWith(api.context.globalStorageUri.fsPath),
      `cached under global storage: ${editor.document.uri.fsPath}`,
    );
    assert.equal(fake.count('GET', `/v1/files/${fileId}/content`), 1);

    await closeEditors();
    await vscode.commands.executeCommand('openaiBatches.openOutputFile', batch.id);
    await waitFor('the cached output file in an editor', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(`${fileId}.jsonl`)),
    );
    assert.equal(fake.count('GET', `/v1/files/${fileId}/content`), 1, 'opened again from the cache');
    assert.equal(fs.readdirSync(path.dirname(editor.document.uri.fsPath)).filter((f) => f.endsWith('.part')).length, 0);
  });

  it('offers Save As instead of opening a file over openaiBatches.maxOpenFileMB', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    await rootItems(api);
    await configuration().update('maxOpenFileMB', 1, vscode.ConfigurationTarget.Global);
    const big = fake.store.addFile({ filename: 'big_output.jsonl', purpose: 'batch_output', generatedBytes: 3 * 1024 * 1024 });
    const batch = api.services.store.batches.find((b) => b.status === 'completed' && b.output_file_id)!;
    fake.store.put({ ...fake.store.get(batch.id)!, output_file_id: big.id });
    await api.services.store.fetchBatch(batch.id);
    fake.clearRequests();
    // The command waits on the (non-modal) "Save As…" offer, so it is not awaited here.
    const running = vscode.commands.executeCommand('openaiBatches.openOutputFile', batch.id);
    await waitFor('the file metadata request', () => fake.count('GET', `/v1/files/${big.id}`) === 1);
    await delay(1000);
    assert.equal(fake.count('GET', `/v1/files/${big.id}/content`), 0, 'not downloaded into an editor');
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath.includes(big.id)));
    await vscode.commands.executeCommand('notifications.clearAll');
    await running;
  });

  it('says so for a batch that completed with only an error file, and downloads nothing', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
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
    const editor = await waitFor('the error file', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath.endsWith(`${batch.error_file_id}.jsonl`)),
    );
    const first = JSON.parse(editor.document.lineAt(0).text) as { custom_id: string; error?: unknown; response?: { status_code?: number } };
    assert.equal(typeof first.custom_id, 'string');
  });

  it('downloads atomically: complete file, no .part; cancelled or cut short leaves nothing', async () => {
    const { api, fake } = await connect({ seed: 'demo' });
    const client = api.services.store.requireClient();
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'manage-download-'));
    try {
      const small = fake.store.addFile({ filename: 'out.jsonl', purpose: 'batch_output', generatedBytes: 2 * 1024 * 1024 + 17 });
      const done = path.join(folder, 'done.jsonl');
      const progress: number[] = [];
      const { bytes } = await downloadFile(client, small.id, done, userDownloadLimit(small.bytes), {
        onProgress: ({ received }) => progress.push(received),
      });
      assert.equal(bytes, small.bytes);
      assert.equal(fs.statSync(done).size, small.bytes);
      assert.equal(progress.at(-1), small.bytes);
      assert.deepEqual(fs.readdirSync(folder), ['done.jsonl']);

      const large = fake.store.addFile({ filename: 'large.jsonl', purpose: 'batch_output', generatedBytes: 400 * 1024 * 1024 });
      const cancelled = path.join(folder, 'cancelled.jsonl');
      const controller = new AbortController();
      await assert.rejects(
        downloadFile(client, large.id, cancelled, userDownloadLimit(), {
          signal: controller.signal,
          onProgress: ({ received }) => {
            if (received > 0) controller.abort();
          },
        }),
        (error: unknown) => (error as ApiError).kind === 'cancelled',
      );
      assert.deepEqual(fs.readdirSync(folder), ['done.jsonl'], 'a cancelled download leaves nothing behind');

      fake.addFault({ path: `/v1/files/${small.id}/content`, truncated: true, times: 1 });
      await assert.rejects(
        downloadFile(client, small.id, path.join(folder, 'cut.jsonl'), userDownloadLimit()),
        (error: unknown) => (error as ApiError).kind === 'network',
      );
      assert.deepEqual(fs.readdirSync(folder), ['done.jsonl'], 'a download cut short leaves nothing behind');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
