import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  accountEntry,
  implicitAccount,
  IMPLICIT_ACCOUNT_ID,
  listedAccountId,
  MAX_ACCOUNTS,
  parseAccounts,
  withoutAccount,
} from '../../../../src/core/api/accounts';
import { baseUrlIdentity } from '../../../../src/core/api/baseUrl';
import { accountId, BatchCache } from '../../../../src/core/batches/batchCache';
import { BatchCacheSaver } from '../../../../src/core/batches/batchCacheSaver';
import { BatchStore } from '../../../../src/core/batches/batchStore';
import { BatchApiClient } from '../../../../src/core/api/client';
import { generateBatches } from '../../../fake-api/data';
import { FakeApi, startFakeApi } from '../../../fake-api/server';

const IMPLICIT = implicitAccount({
  baseUrl: 'https://api.openai.com/v1',
  organization: '',
  project: '',
  authHeader: 'bearer',
  apiVersion: '',
});

describe('accounts: parsing openaiBatches.accounts', () => {
  it('keeps the implicit account first, with its key where it always was (the base URL identity)', () => {
    const { accounts, problems } = parseAccounts(undefined, IMPLICIT);
    assert.deepEqual(problems, []);
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0].id, IMPLICIT_ACCOUNT_ID);
    assert.equal(accounts[0].implicit, true);
    assert.equal(accounts[0].keySlot, baseUrlIdentity('https://api.openai.com/v1'));
  });

  it('reads listed accounts with their optional fields, stable ids and their own key slots', () => {
    const raw = [
      { name: 'Work', baseUrl: 'https://api.openai.com/v1', organization: 'org-1', project: 'proj_1' },
      { name: 'Azure', baseUrl: 'https://res.openai.azure.com/openai', authHeader: 'api-key', apiVersion: '2024-10-21' },
    ];
    const first = parseAccounts(raw, IMPLICIT);
    const again = parseAccounts(structuredClone(raw), IMPLICIT);
    assert.deepEqual(first.problems, []);
    assert.deepEqual(
      first.accounts.map((a) => a.name),
      ['Default', 'Work', 'Azure'],
    );
    const [, work, azure] = first.accounts;
    assert.equal(work.organization, 'org-1');
    assert.equal(work.project, 'proj_1');
    assert.equal(work.authHeader, 'bearer');
    assert.equal(azure.authHeader, 'api-key');
    assert.equal(azure.apiVersion, '2024-10-21');
    assert.deepEqual(
      again.accounts.map((a) => a.id),
      first.accounts.map((a) => a.id),
      'ids are stable across reads',
    );
    assert.equal(new Set(first.accounts.map((a) => a.keySlot)).size, 3, 'each account has its own key slot');
    assert.notEqual(work.keySlot, IMPLICIT.keySlot, 'a listed account on the same base URL does not share the implicit key');
    // The id follows the name (case-insensitive) and the provider, not the headers.
    assert.equal(listedAccountId('WORK ', 'https://API.openai.com/v1/'), work.id);
    assert.notEqual(listedAccountId('Work', 'https://api.groq.com/openai/v1'), work.id, 'another provider is another key');
  });

  it('reports bad entries instead of throwing, and keeps the good ones', () => {
    const raw: unknown[] = [
      'not an object',
      null,
      { baseUrl: 'https://api.openai.com/v1' },
      { name: '   ', baseUrl: 'https://api.openai.com/v1' },
      { name: 'No URL' },
      { name: 'Ok', baseUrl: 'https://api.openai.com/v1', organization: 42, authHeader: 'basic' },
      { name: 'ok', baseUrl: 'https://api.groq.com/openai/v1' },
      { name: 'default', baseUrl: 'https://api.groq.com/openai/v1' },
    ];
    const { accounts, problems } = parseAccounts(raw, IMPLICIT);
    assert.deepEqual(
      accounts.map((a) => a.name),
      ['Default', 'Ok'],
    );
    assert.equal(accounts[1].organization, '', 'a non-string organization is ignored');
    assert.equal(accounts[1].authHeader, 'bearer', 'an unknown authHeader falls back to bearer');
    assert.equal(problems.length, 9, problems.join('\n'));
    assert.ok(problems.some((line) => line.includes('[6]') && line.includes('already has this name')));
    assert.ok(
      problems.some((line) => line.includes('[7]') && line.includes('already has this name')),
      'the implicit name is taken',
    );
    assert.deepEqual(parseAccounts({ name: 'x' }, IMPLICIT).accounts, [IMPLICIT]);
    assert.equal(parseAccounts({ name: 'x' }, IMPLICIT).problems.length, 1);
  });

  it('sanitises names for display, so a name cannot render icons or links', () => {
    const { accounts } = parseAccounts([{ name: 'Evil $(alert) [x](command:foo)', baseUrl: 'https://api.openai.com/v1' }], IMPLICIT);
    const name = accounts[1].name;
    assert.ok(!name.includes('$('), name);
    assert.ok(!/\]\(/.test(name), name);
  });

  it(`keeps at most ${MAX_ACCOUNTS} listed accounts`, () => {
    const raw = Array.from({ length: MAX_ACCOUNTS + 5 }, (_, i) => ({ name: `A${i}`, baseUrl: 'https://api.openai.com/v1' }));
    const { accounts, problems } = parseAccounts(raw, IMPLICIT);
    assert.equal(accounts.length, MAX_ACCOUNTS + 1);
    assert.equal(problems.length, 5);
  });

  it('writes short entries and removes exactly the entry of one account', () => {
    const entry = accountEntry({
      name: 'Work',
      baseUrl: 'https://api.openai.com/v1',
      organization: '',
      project: 'proj_1',
      authHeader: 'bearer',
      apiVersion: '',
    });
    assert.deepEqual(entry, { name: 'Work', baseUrl: 'https://api.openai.com/v1', project: 'proj_1' });
    const other = { name: 'Other', baseUrl: 'https://api.groq.com/openai/v1', note: 'kept as written' };
    const raw = [other, 'junk', entry];
    const { accounts } = parseAccounts(raw, IMPLICIT);
    const work = accounts.find((a) => a.name === 'Work');
    assert.ok(work);
    assert.deepEqual(withoutAccount(raw, work.id), [other, 'junk']);
    assert.deepEqual(withoutAccount(undefined, work.id), []);
  });
});

describe('accounts: two accounts side by side (core, fake API serving both)', () => {
  let fake: FakeApi;
  let dir: string;
  const work = generateBatches(7, { seed: 11 });
  const personal = generateBatches(4, { seed: 22 });

  beforeEach(async () => {
    fake = await startFakeApi({
      accounts: [
        { apiKey: 'sk-work-key-000000000001', project: 'proj_work', seed: work },
        { apiKey: 'sk-personal-key-0000000002', seed: personal },
      ],
    });
    dir = await mkdtemp(path.join(tmpdir(), 'obe-accounts-'));
  });
  afterEach(async () => {
    await fake.close();
    // A cache write flushed by the test may still land while the folder is removed: rm retries then.
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  function connect(apiKey: string, project?: string): BatchStore {
    const store = new BatchStore(() => 20);
    const client = new BatchApiClient({ baseUrl: fake.baseUrl, apiKey, project, retry: { maxRetries: 0 } });
    store.setConnection({ kind: 'ready', client, account: accountId({ baseUrl: fake.baseUrl, apiKey, project }) });
    return store;
  }

  it('serves each key (and project header) its own batches; a mismatched project gets a 401', async () => {
    const a = connect('sk-work-key-000000000001', 'proj_work');
    const b = connect('sk-personal-key-0000000002');
    const wrongProject = connect('sk-work-key-000000000001', 'proj_other');
    await Promise.all([a.refresh(), b.refresh(), wrongProject.refresh()]);
    assert.deepEqual(new Set(a.batches.map((x) => x.id)), new Set(work.map((x) => x.id)));
    assert.deepEqual(new Set(b.batches.map((x) => x.id)), new Set(personal.map((x) => x.id)));
    assert.equal(wrongProject.refreshError?.kind, 'auth');
    assert.equal(fake.count('GET', '/v1/batches'), 3, 'one list request per account');
    assert.equal(fake.accounts.length, 2);
  });

  it('one account failing (bad key) leaves the other loaded and error-free', async () => {
    const good = connect('sk-personal-key-0000000002');
    const bad = connect('sk-not-a-key-of-anyone-00003');
    await Promise.all([good.refresh(), bad.refresh()]);
    assert.equal(bad.refreshError?.kind, 'auth');
    assert.equal(bad.hasLoaded, false);
    assert.equal(good.refreshError, undefined);
    assert.equal(good.batches.length, personal.length);
  });

  it('caches each account under its own id; forgetting one leaves the other', async () => {
    const cache = new BatchCache(dir);
    const a = connect('sk-work-key-000000000001', 'proj_work');
    const b = connect('sk-personal-key-0000000002');
    const savers = [a, b].map((store) => new BatchCacheSaver(store, cache, () => 5000, assert.fail));
    await Promise.all([a.refresh(), b.refresh()]);
    for (const saver of savers) saver.flush();
    const accountA = a.account!;
    const accountB = b.account!;
    assert.notEqual(accountA, accountB);
    // flush() starts the writes without waiting for them.
    const saved = async (account: string): Promise<Awaited<ReturnType<BatchCache['load']>>> => {
      for (let i = 0; i < 200; i++) {
        const loaded = await cache.load(account);
        if (loaded) return loaded;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return undefined;
    };
    const loadedA = await saved(accountA);
    const loadedB = await saved(accountB);
    assert.deepEqual(new Set(loadedA?.snapshot.items.map((x) => x.id)), new Set(work.map((x) => x.id)));
    assert.deepEqual(new Set(loadedB?.snapshot.items.map((x) => x.id)), new Set(personal.map((x) => x.id)));
    await savers[0].forgetCurrentAccount();
    assert.equal(await cache.load(accountA), undefined);
    assert.equal((await cache.load(accountB))?.snapshot.items.length, personal.length);
    for (const saver of savers) saver.dispose();
  });
});
