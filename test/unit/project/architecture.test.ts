import * as assert from 'assert';
import { ESLint } from 'eslint';
import * as path from 'path';

const root = path.join(__dirname, '..', '..', '..', '..');

/**
 * The import arrows of eslint.config.mjs, checked on code written into real files' places:
 * each rule must fire on an import against the arrows, and stay quiet on one along them.
 */
describe('architecture: lint keeps the import arrows one way', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: root });

  async function restrictedImports(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
    return result.messages.filter((m) => /no-restricted-imports$/.test(m.ruleId ?? '')).map((m) => m.message);
  }

  const cases: { file: string; against: string; along: string }[] = [
    { file: 'src/ids.ts', against: "import { Logger } from './log';", along: '' },
    { file: 'src/core/api/client.ts', against: "import * as vscode from 'vscode';", along: "import { ApiError } from './errors';" },
    {
      file: 'src/core/api/client.ts',
      against: "import { CommandId } from '../../ids';",
      along: "import { isRecord } from '../util/json';",
    },
    {
      file: 'src/log.ts',
      against: "import { BatchTreeProvider } from './tree/batchTreeProvider';",
      along: "import { Redactor } from './core/util/redact';",
    },
    {
      file: 'src/tree/nodes.ts',
      against: "import { registerCommands } from '../commands/registerCommands';",
      along: "import { CommandId } from '../ids';",
    },
    {
      file: 'src/webview/detail/protocol.ts',
      against: "import { resolveBatch } from '../../commands/batchPicker';",
      along: "import type { Batch } from '../../core/api/types';",
    },
    { file: 'src/editor/idProviders.ts', against: "import { activate } from '../extension';", along: "import { Logger } from '../log';" },
    {
      file: 'src/lm/batchTools.ts',
      against: "import { registerCommands } from '../commands/registerCommands';",
      along: "import { listText } from '../core/agents/agentText';",
    },
    {
      file: 'src/mcp/server.ts',
      against: "import * as vscode from 'vscode';",
      along: "import { BatchApiClient } from '../core/api/client';",
    },
    {
      file: 'src/mcp/mcpTools.ts',
      against: "import { Logger } from '../log';",
      along: "import { loadTokenCounters } from '../tokenizer/loadTokenizer';",
    },
    {
      file: 'src/commands/batches/copyCommands.ts',
      against: "import { activate } from '../../extension';",
      along: "import { BatchTreeProvider } from '../../tree/batchTreeProvider';",
    },
    {
      file: 'media/detail.ts',
      against: "import { batchLabel } from '../src/core/batches/batchDisplay';",
      along: "import type { PageState } from '../src/webview/protocol';",
    },
    {
      file: 'media/detail.ts',
      against: "import { isPageState } from '../src/webview/protocol';",
      along: "import type { PageToHost } from '../src/webview/protocol';",
    },
  ];

  for (const { file, against, along } of cases) {
    it(`${file}: refuses \`${against}\``, async () => {
      const refused = await restrictedImports(file, `${against}\nexport {};\n`);
      assert.equal(refused.length, 1, `expected one restricted-import error, got: ${JSON.stringify(refused)}`);
      if (along) assert.deepStrictEqual(await restrictedImports(file, `${along}\nexport {};\n`), []);
    });
  }
});

/** The messages of one rule for `code` written into `file`'s place (the file on disk is not read for it). */
async function ruleMessages(eslint: ESLint, file: string, code: string, ruleId: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message);
}

describe('architecture: each domain of src/core imports only the domains below it', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: root });
  const cases: { file: string; against: string; along: string }[] = [
    {
      file: 'src/core/util/json.ts',
      against: "import { BatchApiClient } from '../api/client';",
      along: "import { plainText } from './text';",
    },
    {
      file: 'src/core/api/client.ts',
      against: "import { statusOf } from '../batches/grouping';",
      along: "import { isRecord } from '../util/json';",
    },
    {
      file: 'src/core/batches/grouping.ts',
      against: "import type { Outcome } from '../results/resultsQuery';",
      along: "import type { Batch } from '../api/types';",
    },
    {
      file: 'src/core/files/files.ts',
      against: "import { validateBatchInput } from '../input/jsonlValidation';",
      along: "import { batchFiles } from '../batches/batchFacts';",
    },
    {
      file: 'src/core/results/answers.ts',
      against: "import { planSplit } from '../input/splitInput';",
      along: "import { batchFiles } from '../batches/batchFacts';",
    },
    {
      file: 'src/core/cost/cost.ts',
      against: "import { answerSummary } from '../results/answers';",
      along: "import { statusOf } from '../batches/grouping';",
    },
    {
      file: 'src/core/input/splitInput.ts',
      against: "import { listText } from '../agents/agentText';",
      along: "import { answerSummary } from '../results/answers';",
    },
  ];
  for (const { file, against, along } of cases) {
    it(`${file}: refuses \`${against}\``, async () => {
      const refused = await ruleMessages(eslint, file, against, 'import-x/no-restricted-paths');
      assert.equal(refused.length, 1, `expected one zone error, got: ${JSON.stringify(refused)}`);
      assert.deepStrictEqual(await ruleMessages(eslint, file, along, 'import-x/no-restricted-paths'), []);
    });
  }
});

describe('architecture: no import circles, type imports included', function () {
  this.timeout(60_000);
  // Only the circle rule, without type information: the whole of src/ and media/ in seconds even on
  // a loaded machine (with every rule and the type-aware parser it took over 60 s at load 9).
  const eslint = new ESLint({
    cwd: root,
    ruleFilter: ({ ruleId }) => ruleId === 'local/no-import-cycle',
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  });
  it('refuses a type import that closes a circle (errors.ts ← client.ts)', async () => {
    const refused = await ruleMessages(
      eslint,
      'src/core/api/errors.ts',
      "import type { BatchApiClient } from './client';",
      'local/no-import-cycle',
    );
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.match(refused[0], /src\/core\/api\/errors\.ts → src\/core\/api\/client\.ts → src\/core\/api\/errors\.ts/);
    assert.deepStrictEqual(
      await ruleMessages(eslint, 'src/core/api/errors.ts', "import { isRecord } from '../util/json';", 'local/no-import-cycle'),
      [],
    );
  });
  it('refuses a longer circle through the tree (treeCost → batchTreeProvider → … → treeCost)', async () => {
    const refused = await ruleMessages(
      eslint,
      'src/tree/treeCost.ts',
      "import type { BatchTreeProvider } from './batchTreeProvider';",
      'local/no-import-cycle',
    );
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.match(refused[0], /^Import circle: src\/tree\/treeCost\.ts → src\/tree\/batchTreeProvider\.ts → .* → src\/tree\/treeCost\.ts\./);
  });
  it('finds no circle in the code as it is', async () => {
    const results = await eslint.lintFiles(['src/**/*.ts', 'media/**/*.ts']);
    const circles = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'local/no-import-cycle').map((m) => m.message));
    assert.deepStrictEqual(circles, []);
  });
});
