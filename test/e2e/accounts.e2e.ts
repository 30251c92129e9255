import * as assert from 'assert';
import type { Batch } from '../../src/core/api/types';
import { generateBatches } from '../fake-api/data';
import { FakeApi, startFakeApi } from '../fake-api/server';
import { closeAfterScenario, openWorkbench, setApiKeyFromPalette, waitUntil, Workbench } from './workbench';

const MAIN_KEY = 'sk-main-key-00000000000000001';
const TEAM_KEY = 'sk-team-key-00000000000000002';

/** Batches with readable labels, all in progress so their groups open and the rows are visible. */
function labelled(prefix: string, count: number, seed: number): Batch[] {
  return generateBatches(count, { seed }).map((batch, i) => ({
    ...batch,
    status: 'in_progress',
    metadata: { description: `${prefix} job ${i + 1}` },
    output_file_id: null,
    error_file_id: null,
  }));
}

/**
 * Several accounts side by side, as a person sets them up: the usual key for the settings'
 * account, then Add Account… (Custom provider, a project, a name, a key) for a second account on
 * the same server, whose key and OpenAI-Project header select other batches; then a third account
 * with a wrong key, which fails on its own while the others keep their batches; then Remove Account.
 */
describe('accounts: several accounts side by side', function () {
  let fake: FakeApi;
  let workbench: Workbench | undefined;
  const main = labelled('Main', 4, 31);
  const team = labelled('Team', 3, 32);

  closeAfterScenario('accounts', () => ({ workbench, fake }));

  before(async function () {
    fake = await startFakeApi({
      accounts: [
        { apiKey: MAIN_KEY, seed: main },
        { apiKey: TEAM_KEY, project: 'proj_team', seed: team },
      ],
    });
    workbench = await openWorkbench({ fakeApi: fake, settings: { 'openaiBatches.pageSize': 20, 'openaiBatches.autoRefreshSeconds': 0 } });
    await workbench.openView();
    await setApiKeyFromPalette(workbench, MAIN_KEY);
    await workbench.waitForTreeRow('Main job 1');
  });

  /** Add Account… through its five steps. */
  async function addAccount(name: string, project: string, key: string): Promise<void> {
    const wb = workbench!;
    // The input boxes follow one another in the same widget, which stays visible between them: each
    // answer waits for its own step's title, or it could go to the box just accepted.
    const step = async (title: string, text: string): Promise<void> => {
      await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
      await wb.typeInQuickInput(text);
    };
    await wb.pickFromCommand('OpenAI Batches: Add Account…', 'Custom');
    await step('Add Account: Custom', fake.baseUrl); // Custom asks for the base URL
    await step('(organization)', ''); // none
    await step('(project)', project);
    await step('(name)', name);
    await wb.quickInput({ password: true }).waitFor({ state: 'visible' });
    await step('(API key)', key);
  }

  /** The rows between an account's row and the next account's. */
  async function rowsUnder(account: string, accounts: string[]): Promise<string[]> {
    const rows = await workbench!.treeRows();
    const start = rows.indexOf(account);
    assert.ok(start >= 0, `rows: ${JSON.stringify(rows)}`);
    const next = rows.findIndex((row, i) => i > start && accounts.includes(row));
    return rows.slice(start + 1, next < 0 ? undefined : next);
  }

  it('two accounts side by side, each with its batches; the requests each sends are its own', async function () {
    const wb = workbench!;
    const before = fake.requests.length;
    await addAccount('Team', 'proj_team', TEAM_KEY);
    await wb.waitForTreeRow('Team');
    await wb.waitForTreeRow('Team job 1');
    const accounts = ['Default', 'Team'];
    await waitUntil(
      async () => (await rowsUnder('Default', accounts)).includes('Main job 1'),
      'the default account expanded',
      30_000,
      async () => JSON.stringify(await wb.treeRows()),
    );
    const underDefault = await rowsUnder('Default', accounts);
    const underTeam = await rowsUnder('Team', accounts);
    assert.deepEqual(underDefault.filter((row) => row.includes(' job ')).sort(), main.map((b) => b.metadata!.description).sort());
    assert.deepEqual(underTeam.filter((row) => row.includes(' job ')).sort(), team.map((b) => b.metadata!.description).sort());
    assert.ok(underDefault.includes(`In progress (${main.length})`) && underTeam.includes(`In progress (${team.length})`));
    // The status bar sums the active batches of both accounts.
    await wb.page
      .locator('.part.statusbar .statusbar-item', { hasText: `${main.length + team.length} active batches` })
      .first()
      .waitFor({ timeout: 30_000 });
    await wb.screenshot('e2e-accounts-1-side-by-side');

    const added = fake.requests.slice(before);
    const byKey = (key: string): typeof added => added.filter((r) => r.headers.authorization === `Bearer ${key}`);
    console.log(
      `      adding and opening the second account: ${added.length} request(s): ${byKey(TEAM_KEY).length} with its key (${byKey(TEAM_KEY).filter((r) => r.path === '/v1/batches').length} list), ${byKey(MAIN_KEY).length} with the first account's`,
    );
    assert.ok(byKey(TEAM_KEY).length >= 1);
    assert.ok(
      byKey(TEAM_KEY).every((r) => r.headers['openai-project'] === 'proj_team'),
      'the team account sends its project',
    );
    assert.ok(
      added.every((r) => r.headers.authorization === `Bearer ${TEAM_KEY}` || r.headers.authorization === `Bearer ${MAIN_KEY}`),
      'no other key was sent',
    );
  });

  it('Copy Batch ID on a batch of the second account copies that batch (the command runs on its account)', async function () {
    const wb = workbench!;
    await wb.treeRowContextAction('Team job 2', 'Copy Batch ID');
    await wb.waitForClipboard(team[1].id);
  });

  it('opening two accounts after a window reload: one list request each', async function () {
    const wb = workbench!;
    fake.clearRequests();
    await wb.runCommand('Developer: Reload Window');
    await wb.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
    await wb.openView();
    await wb.waitForTreeRow('Team job 1', 60_000);
    await wb.waitForTreeRow('Main job 1', 60_000);
    // Let the cached trees reconcile before counting.
    await waitUntil(
      () => Promise.resolve(fake.requests.filter((r) => r.path === '/v1/batches').length >= 2),
      'both accounts reconciled',
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const requests = fake.requests.map(
      (r) => `${r.method} ${r.path} ${r.headers.authorization === `Bearer ${TEAM_KEY}` ? 'team' : 'main'}`,
    );
    console.log(`      opening two accounts (window reload, caches present): ${requests.length} request(s): ${JSON.stringify(requests)}`);
    const lists = fake.requests.filter((r) => r.path === '/v1/batches');
    assert.equal(lists.filter((r) => r.headers.authorization === `Bearer ${MAIN_KEY}`).length, 1);
    assert.equal(lists.filter((r) => r.headers.authorization === `Bearer ${TEAM_KEY}`).length, 1);
  });

  it('a failing account (wrong key) shows its own error; the working accounts keep their batches', async function () {
    const wb = workbench!;
    await addAccount('Broken', '', 'sk-not-a-real-key-000000000003');
    await wb.waitForTreeRow('Broken');
    await wb.waitForTreeRow('Invalid API key — set a new one');
    const accounts = ['Default', 'Team', 'Broken'];
    assert.deepEqual(await rowsUnder('Broken', accounts), ['Invalid API key — set a new one']);
    assert.ok((await rowsUnder('Default', accounts)).includes('Main job 1'));
    assert.ok((await rowsUnder('Team', accounts)).includes('Team job 1'));
    assert.ok(!(await rowsUnder('Team', accounts)).some((row) => row.startsWith('Invalid API key')));
    // The account's own row says it is failing (its neighbours' rows do not).
    const description = (account: string): Promise<string> => wb.treeRow(account).locator('.label-description').first().innerText();
    await waitUntil(
      async () => /failing/.test(await description('Broken')),
      'the Broken row to say it is failing',
      30_000,
      () => description('Broken'),
    );
    assert.doesNotMatch(await description('Team'), /failing/);
    await wb.screenshot('e2e-accounts-2-one-failing');
  });

  it('Remove Account from the account row: after the confirmation, the account is gone and the others stay', async function () {
    const wb = workbench!;
    await wb.treeRowContextAction('Broken', 'Remove Account');
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await dialog.innerText()).replace(/\s+/g, ' '), /Remove the account "Broken"\?/);
    await dialog.locator('.monaco-button', { hasText: 'Remove Account' }).first().click();
    await waitUntil(async () => !(await wb.treeRows()).includes('Broken'), 'the Broken account to go');
    const rows = await wb.treeRows();
    assert.ok(rows.includes('Default') && rows.includes('Team') && rows.includes('Team job 1'), JSON.stringify(rows));
    await wb.screenshot('e2e-accounts-3-removed');
  });
});
