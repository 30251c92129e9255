// Several accounts side by side (openaiBatches.accounts), inside a real extension host against one
// fake API that serves each key its own batches: the tree's roots are the accounts, a command runs on
// the account of the node it was started from, and one account failing leaves the others alone.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { AccountContext } from '../../src/accounts/accountRegistry';
import { forgetAccount } from '../../src/commands/accounts/accountCommands';
import { listedAccountId, listedKeySlot } from '../../src/core/api/accounts';
import { BatchCache } from '../../src/core/batches/batchCache';
import type { Batch } from '../../src/core/api/types';
import type { TestApi } from '../../src/extension';
import type { TreeNode } from '../../src/tree/nodes';
import { generateBatches } from '../fake-api/data';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { configuration, fakeApiSuite, quietFor, waitFor } from './helpers';

const WORK_KEY = 'sk-work-key-0000000000000001';
const HOME_KEY = 'sk-home-key-0000000000000002';

/** The key header of a logged request (the fake logs headers lowercased). */
const keyOf = (request: FakeApi['requests'][number]): string | undefined => request.headers.authorization?.replace(/^Bearer\s+/i, '');

describe('Several accounts side by side (extension host, one fake API with two accounts)', function () {
  this.timeout(120_000);
  let api: TestApi | undefined;
  let fake: FakeApi | undefined;
  const work = generateBatches(30, { seed: 101 });
  const home = generateBatches(5, { seed: 202 });
  let entries: { name: string; baseUrl: string; project?: string }[] = [];

  afterEach(async () => {
    if (api) {
      for (const entry of entries) await api.services.keys.clearFor({ keySlot: listedKeySlot(listedAccountId(entry.name, entry.baseUrl)) });
      await configuration().update('accounts', undefined, vscode.ConfigurationTarget.Global);
      await waitFor('back to one account', () => !api?.services.accounts.multiple);
    }
  });
  const connect = fakeApiSuite();
  afterEach(async () => {
    await fake?.close();
    api = fake = undefined;
    entries = [];
  });

  /** The implicit account on a fake of its own, then two listed accounts on the two-account fake. */
  async function twoMoreAccounts(homeKey = HOME_KEY): Promise<{ api: TestApi; workAccount: AccountContext; homeAccount: AccountContext }> {
    ({ api } = await connect({ seed: 'empty' }));
    fake = await startFakeApi({
      accounts: [
        { apiKey: WORK_KEY, project: 'proj_work', seed: work },
        { apiKey: HOME_KEY, seed: home },
      ],
    });
    entries = [
      { name: 'Work', baseUrl: fake.baseUrl, project: 'proj_work' },
      { name: 'Home', baseUrl: fake.baseUrl },
    ];
    const keys = [WORK_KEY, homeKey];
    for (const [i, entry] of entries.entries())
      await api.services.keys.setFor({ keySlot: listedKeySlot(listedAccountId(entry.name, entry.baseUrl)) }, keys[i]);
    fake.clearRequests();
    await configuration().update('accounts', entries, vscode.ConfigurationTarget.Global);
    const registry = api.services.accounts;
    await waitFor('three accounts', () => registry.accounts.length === 3);
    const [, workAccount, homeAccount] = registry.accounts;
    await waitFor(
      'both listed accounts connected',
      () => workAccount.store.state.kind === 'ready' && homeAccount.store.state.kind === 'ready',
    );
    return { api, workAccount, homeAccount };
  }

  async function children(node?: TreeNode): Promise<TreeNode[]> {
    assert.ok(api);
    return api.services.tree.getChildren(node);
  }

  // The extension runs from its bundle, so its node classes are not these: nodes are told apart by contextValue.
  const kind = (node: TreeNode): string => String(node.toTreeItem().contextValue).split(' ')[0];
  const batchOf = (node: TreeNode): Batch => (node as unknown as { batch: Batch }).batch;

  function label(node: TreeNode): string {
    const item = node.toTreeItem();
    return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  }

  /** An account node's children once its first load has ended (until then it shows "Loading batches…"). */
  async function loadedChildren(account: TreeNode): Promise<TreeNode[]> {
    const context = api!.services.accounts.get(account.accountId!)!;
    await children(account);
    await waitFor('the first load of the account', () => context.store.hasLoaded || context.store.refreshError);
    return children(account);
  }

  /** Every batch id under an account node, through its status groups. */
  async function batchIdsUnder(account: TreeNode): Promise<string[]> {
    const ids: string[] = [];
    for (const group of await loadedChildren(account)) {
      if (kind(group) !== 'statusGroup') continue;
      for (const node of await children(group)) if (kind(node) === 'batch') ids.push(batchOf(node).id);
    }
    return ids;
  }

  it("shows one root per account, each with its own batches and load more; nodes carry their account's id", async () => {
    const { workAccount, homeAccount } = await twoMoreAccounts();
    const roots = await children();
    assert.deepEqual(roots.map(label), ['Default', 'Work', 'Home']);
    assert.ok(roots.every((root) => kind(root) === 'account'));
    const [, workRoot, homeRoot] = roots;
    const workIds = await batchIdsUnder(workRoot);
    const homeIds = await batchIdsUnder(homeRoot);
    assert.equal(workIds.length, 20, 'one page of the work account');
    assert.deepEqual(new Set(homeIds), new Set(home.map((b) => b.id)));
    assert.ok(
      workIds.every((id) => work.some((b) => b.id === id)),
      'no home batch under work',
    );
    assert.ok((await children(workRoot)).some((node) => kind(node) === 'loadMore' && node.accountId === workAccount.id));
    assert.ok(!(await children(homeRoot)).some((node) => kind(node) === 'loadMore'), 'home has a single page');
    const ids = new Set([...(await children(workRoot)), ...(await children(homeRoot))].map((node) => node.id));
    assert.ok(
      [...ids].every((id) => id.startsWith('account/')),
      'node ids are under their account',
    );
    // Requests: each account sent only its own key (and the work account its project header).
    const lists = fake!.requests.filter((r) => r.path === '/v1/batches');
    console.log(`      opening two accounts: ${fake!.requests.length} request(s) to their API (${lists.length} list)`);
    assert.equal(lists.filter((r) => keyOf(r) === WORK_KEY).length, 1);
    assert.equal(lists.filter((r) => keyOf(r) === HOME_KEY).length, 1);
    assert.ok(fake!.requests.filter((r) => keyOf(r) === WORK_KEY).every((r) => r.headers['openai-project'] === 'proj_work'));
    assert.ok(fake!.requests.filter((r) => keyOf(r) === HOME_KEY).every((r) => r.headers['openai-project'] === undefined));
    assert.equal(homeAccount.store.batches.length, home.length);
  });

  it("routes a command to the account of the node it was started from, and no other account's requests are made", async () => {
    const { api, workAccount, homeAccount } = await twoMoreAccounts();
    const [, workRoot, homeRoot] = await children();
    await batchIdsUnder(workRoot);
    await batchIdsUnder(homeRoot);
    const loadMore = (await children(workRoot)).find((node) => kind(node) === 'loadMore');
    assert.ok(loadMore);
    const homeBefore = homeAccount.store.batches.length;
    await quietFor(fake!);
    fake!.clearRequests();
    // What clicking the node runs: its TreeItem's command, with the node as argument.
    const command = loadMore.toTreeItem().command!;
    await vscode.commands.executeCommand(command.command, ...(command.arguments ?? []));
    assert.equal(workAccount.store.batches.length, 30, 'the work account loaded its second page');
    assert.equal(homeAccount.store.batches.length, homeBefore);
    assert.ok(fake!.requests.length > 0 && fake!.requests.every((r) => keyOf(r) === WORK_KEY), 'only the work key was used');

    // Copy Batch ID on a home batch node copies that batch's id; an inline action passes the node itself.
    const homeGroup = (await children(homeRoot)).find((node) => kind(node) === 'statusGroup')!;
    const homeNode = (await children(homeGroup))[0];
    const homeBatch = { batch: batchOf(homeNode) };
    await vscode.commands.executeCommand('openaiBatches.copyBatchId', homeNode);
    assert.equal(await vscode.env.clipboard.readText(), homeBatch.batch.id);

    // Refresh on the home account's node refreshes only it.
    fake!.clearRequests();
    await vscode.commands.executeCommand('openaiBatches.refresh', homeRoot);
    assert.ok(fake!.requests.length > 0 && fake!.requests.every((r) => keyOf(r) === HOME_KEY), 'only the home key was used');

    // A batch id named with its account (as hover links and notifications do) opens in that account's panels.
    await vscode.commands.executeCommand('openaiBatches.openBatch', { id: homeBatch.batch.id, accountId: homeAccount.id });
    await waitFor('the detail panel', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((tab) => tab.input instanceof vscode.TabInputWebview),
    );
    assert.ok(
      (homeAccount.panels as unknown as { panels: Map<string, unknown> }).panels.has(homeBatch.batch.id),
      "the home account's panels hold it",
    );
    assert.ok(!(workAccount.panels as unknown as { panels: Map<string, unknown> }).panels.has(homeBatch.batch.id));
    assert.ok(!(api.services.panels as unknown as { panels: Map<string, unknown> }).panels.has(homeBatch.batch.id));
  });

  it('an account with a bad key shows its own "Invalid API key" node; the others keep their batches', async () => {
    const { workAccount, homeAccount } = await twoMoreAccounts('sk-wrong-key-000000000000009');
    const [, workRoot, homeRoot] = await children();
    const homeNodes = await loadedChildren(homeRoot);
    const workIds = await batchIdsUnder(workRoot);
    assert.deepEqual(homeNodes.map(label), ['Invalid API key — set a new one']);
    const fix = homeNodes[0].toTreeItem().command!;
    assert.equal(fix.command, 'openaiBatches.setApiKey');
    assert.equal((fix.arguments?.[0] as TreeNode).accountId, homeAccount.id, 'its Set API Key is for the failing account');
    assert.equal(homeAccount.store.refreshError?.kind, 'auth');
    assert.equal(workIds.length, 20);
    assert.equal(workAccount.store.refreshError, undefined);
    const [, workItem, homeItem] = (await children()).map((node) => node.toTreeItem());
    assert.match(String(homeItem.description), /failing/);
    assert.doesNotMatch(String(workItem.description), /failing/);
    // Retrying the failing account sends nothing with the working one's key.
    await quietFor(fake!);
    fake!.clearRequests();
    await vscode.commands.executeCommand('openaiBatches.refresh', homeRoot);
    assert.ok(fake!.requests.every((r) => keyOf(r) !== WORK_KEY));
    assert.equal(workAccount.store.batches.length, 20);
  });

  it('hover finds a batch of any account and links to it with its account; completion offers every account', async () => {
    const { homeAccount } = await twoMoreAccounts();
    const [, workRoot, homeRoot] = await children();
    await batchIdsUnder(workRoot);
    await batchIdsUnder(homeRoot);
    const homeBatch: Batch = homeAccount.store.batches[0];
    const document = await vscode.workspace.openTextDocument({ content: `id = "${homeBatch.id}"\nx = batch_` });
    const offset = document.getText().indexOf(homeBatch.id);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      document.positionAt(offset + 8),
    );
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.ok(text.includes(encodeURIComponent(JSON.stringify([{ id: homeBatch.id, accountId: homeAccount.id }]))), text);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      document.uri,
      document.lineAt(1).range.end,
    );
    const offered = new Set(list.items.map((item) => item.insertText));
    assert.ok(offered.has(homeBatch.id));
    assert.ok(offered.has(work[0].id) || work.some((b) => offered.has(b.id)), 'a work batch is offered too');
  });

  it('Remove Account deletes its key and cache and drops its entry; the other accounts stay', async () => {
    const { api, workAccount, homeAccount } = await twoMoreAccounts();
    const [, , homeRoot] = await children();
    await batchIdsUnder(homeRoot);
    const account = homeAccount.store.account!;
    const cacheFile = new BatchCache(vscode.Uri.joinPath(api.context.globalStorageUri, 'cache').fsPath).fileFor(account);
    await waitFor('the home account cached', () => fs.existsSync(cacheFile));
    await forgetAccount(api.services, homeAccount);
    await waitFor('two accounts left', () => api.services.accounts.accounts.length === 2);
    assert.equal(await api.services.keys.getFor(homeAccount.settings), undefined, 'its key is gone');
    assert.ok(!fs.existsSync(cacheFile), 'its cache is gone');
    assert.deepEqual(
      (configuration().get<{ name: string }[]>('accounts') ?? []).map((entry) => entry.name),
      ['Work'],
    );
    assert.equal(await api.services.keys.getFor(workAccount.settings), WORK_KEY);
    assert.deepEqual((await children()).map(label), ['Default', 'Work']);
  });
});
