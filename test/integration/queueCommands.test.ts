// The submission queue's commands against the fake API: Pause holds the waiting parts, Resume
// lets them go as room allows, Remove takes a part out for good, and "Queue It" (Create Batch
// over the model's enqueued-token limit) queues the file instead of creating it. The split flow
// that fills the queue is driven in test/e2e/autopilot.e2e.ts.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { ChainKey } from '../../src/core/batches/batchChains';
import type { QueuedGroup } from '../../src/core/queue/queueModel';
import type { QueuedGroupNode, QueuedPartNode } from '../../src/tree/queueNodes';
import type { FakeApi } from '../fake-api/server';
import { delay, fakeApiSuite, quietFor, waitFor } from './helpers';

const MODEL = 'gpt-4o-mini';
/** Tokens per part as the queue is told; the limit leaves room for exactly one part at a time. */
const PART_TOKENS = 1_000;
const LIMIT = 1_500;

function request(i: number): string {
  return JSON.stringify({
    custom_id: `req-${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: {
      model: MODEL,
      messages: [{ role: 'user', content: `Question ${i}: summarise the plot of Hamlet in one short line, and name its author.` }],
    },
  });
}

describe('submission queue: Pause, Resume, Remove and Queue It (against the fake API)', function () {
  this.timeout(90_000);
  let api: TestApi;
  let fake: FakeApi | undefined;
  let folder = '';

  afterEach(async () => {
    const controller = api.services.queues.of(api.services.store);
    await controller.edit((queue) => {
      queue.groups = [];
    });
    await vscode.workspace.getConfiguration('openaiBatches').update('enqueuedTokenLimits', undefined, vscode.ConfigurationTarget.Global);
  });
  const connect = fakeApiSuite({ clean: 'disconnect' });
  afterEach(() => {
    fake = undefined;
    fs.rmSync(folder, { recursive: true, force: true });
  });

  beforeEach(async () => {
    ({ api, fake } = await connect({ seed: 'empty' }, { enqueuedTokenLimits: { [MODEL]: LIMIT } }));
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-it-'));
  });

  /** A group of `count` one-request parts, each with its own input file. */
  function group(name: string, count: number, paused: boolean): QueuedGroup {
    const parts = Array.from({ length: count }, (_, i) => {
      const file = path.join(folder, `${name}-part${i + 1}.jsonl`);
      fs.writeFileSync(file, `${request(i)}\n`);
      return { index: i + 1, path: file, requests: 1, bytes: fs.statSync(file).size, tokens: PART_TOKENS, model: MODEL, attempts: 0 };
    });
    return {
      group: `split_${name}`,
      name: `${name}.jsonl`,
      source: 'split',
      endpoint: '/v1/chat/completions',
      description: name,
      createdAt: Date.now(),
      paused,
      count,
      parts,
    };
  }

  const creates = (): number => fake!.count('POST', '/v1/batches');
  /** `metadata.part` of the batches on the server, by creation. */
  const partsCreated = (): string[] =>
    fake!.store
      .list()
      .map((batch) => batch.metadata?.[ChainKey.part] ?? '')
      .sort();

  async function queuedNode(): Promise<QueuedGroupNode | undefined> {
    const roots = await api.services.tree.getChildren();
    // The extension runs from its bundle: its classes are not this file's, so the node is found by its id.
    return roots.find((node): node is QueuedGroupNode => node.id === 'queued');
  }

  async function waitingParts(): Promise<QueuedPartNode[]> {
    const node = await queuedNode();
    return node ? node.children() : [];
  }

  /** Ends every active batch on the fake and refreshes, as the queue would see on its next poll. */
  async function finishActive(): Promise<void> {
    fake!.clock.advance(3600);
    await vscode.commands.executeCommand('openaiBatches.refresh');
  }

  it('Pause holds every waiting part; Resume sends one under the limit; the next goes when it finishes', async () => {
    const controller = api.services.queues.of(api.services.store);
    await controller.enqueue(group('paused', 3, true));
    await quietFor(fake!);
    assert.equal(creates(), 0, 'a paused group creates nothing');
    const node = await waitFor('the Queued group', () => queuedNode());
    assert.equal(api.services.tree.getTreeItem(node).description, 'paused');
    assert.equal((await waitingParts()).length, 3);

    await vscode.commands.executeCommand('openaiBatches.resumeQueue');
    await waitFor('one part created', () => creates() === 1);
    await quietFor(fake!);
    assert.equal(creates(), 1, 'the limit leaves room for one part');
    assert.equal((await waitingParts()).length, 2);

    await vscode.commands.executeCommand('openaiBatches.pauseQueue');
    assert.equal(controller.queue?.groups[0].paused, true);
    await finishActive();
    await quietFor(fake!);
    assert.equal(creates(), 1, 'paused again: the finished part frees room, but nothing goes');

    await vscode.commands.executeCommand('openaiBatches.resumeQueue');
    await waitFor('the second part created', () => creates() === 2);
    assert.deepEqual(partsCreated(), ['1/3', '2/3'], 'in order, each once');
  });

  it('Remove on a part takes it out: it is never created, and the others still are', async () => {
    const controller = api.services.queues.of(api.services.store);
    await controller.enqueue(group('removal', 3, true));
    const parts = await waitFor('three waiting parts', async () => ((await waitingParts()).length === 3 ? waitingParts() : undefined));
    const second = parts.find((part) => part.index === 2)!;
    await vscode.commands.executeCommand('openaiBatches.removeFromQueue', second);
    assert.deepEqual(
      (await waitingParts()).map((part) => part.index),
      [1, 3],
    );

    await vscode.commands.executeCommand('openaiBatches.resumeQueue');
    await waitFor('part 1 created', () => creates() === 1);
    await finishActive();
    await waitFor('part 3 created', () => creates() === 2);
    await finishActive();
    await quietFor(fake!);
    assert.equal(creates(), 2, 'the removed part is never created');
    assert.deepEqual(partsCreated(), ['1/3', '3/3'], 'the removed part is never created');
    assert.equal(await queuedNode(), undefined, 'no Queued group once nothing waits');
  });

  it('Create Batch over the limit asks first; "Queue It" queues the file instead of creating it', async () => {
    // One part already enqueued (created, active): the new file (≈1,000 tokens) does not fit beside it, alone it would.
    const controller = api.services.queues.of(api.services.store);
    await controller.enqueue(group('first', 1, false));
    await waitFor('the first part created', () => creates() === 1);

    const file = path.join(folder, 'over-limit.jsonl');
    fs.writeFileSync(file, `${Array.from({ length: 40 }, (_, i) => request(i)).join('\n')}\n`);
    const window = vscode.window as unknown as Record<string, unknown>;
    const original = window.showWarningMessage;
    const asked: string[] = [];
    window.showWarningMessage = (message: string, ...rest: unknown[]) => {
      asked.push(message);
      return Promise.resolve(rest.find((item) => item === 'Queue It'));
    };
    try {
      let ended = false;
      const run = Promise.resolve(vscode.commands.executeCommand('openaiBatches.createBatch', vscode.Uri.file(file))).finally(() => {
        ended = true;
      });
      // The details box (description, output expiry) opens once the tokens are counted: accept what it offers.
      await waitFor(
        'the details box accepted',
        async () => {
          if (asked.length > 0 || ended) return true;
          await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
          await delay(300);
          return false;
        },
        30_000,
      );
      await run;
    } finally {
      window.showWarningMessage = original;
    }
    console.log(`      asked: ${JSON.stringify(asked)}`);
    assert.equal(asked.length, 1, JSON.stringify(asked));
    assert.match(
      asked[0],
      /^"over-limit\.jsonl" needs ≈[\d,]+ tokens of gpt-4o-mini, and 1,000 of its 1,500 enqueued tokens are in use\. Queue it/,
    );
    assert.equal(creates(), 1, 'the file was not created');
    const waiting = await waitFor('the file in the queue', async () => ((await waitingParts()).length === 1 ? waitingParts() : undefined));
    assert.equal(waiting[0].entry.group.source, 'create');
    assert.equal(fs.readFileSync(waiting[0].entry.part.path, 'utf8'), fs.readFileSync(file, 'utf8'), 'a copy of the file waits');

    await finishActive();
    await waitFor('the queued file created once room is free', () => creates() === 2);
  });
});
