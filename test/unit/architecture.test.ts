import * as assert from 'assert';
import { ESLint } from 'eslint';
import * as path from 'path';

const root = path.join(__dirname, '..', '..', '..');

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
    { file: 'src/core/client.ts', against: "import * as vscode from 'vscode';", along: "import { ApiError } from './errors';" },
    { file: 'src/core/client.ts', against: "import { CommandId } from '../ids';", along: "import { isRecord } from './json';" },
    {
      file: 'src/log.ts',
      against: "import { BatchTreeProvider } from './tree/batchTreeProvider';",
      along: "import { Redactor } from './core/redact';",
    },
    {
      file: 'src/tree/nodes.ts',
      against: "import { registerCommands } from '../commands/registerCommands';",
      along: "import { CommandId } from '../ids';",
    },
    {
      file: 'src/webview/detail/protocol.ts',
      against: "import { resolveBatch } from '../commands/batchPicker';",
      along: "import type { Batch } from '../core/types';",
    },
    { file: 'src/editor/idProviders.ts', against: "import { activate } from '../extension';", along: "import { Logger } from '../log';" },
    {
      file: 'src/lm/batchTools.ts',
      against: "import { registerCommands } from '../commands/registerCommands';",
      along: "import { listText } from '../core/agentText';",
    },
    {
      file: 'src/commands/copyCommands.ts',
      against: "import { activate } from '../extension';",
      along: "import { BatchTreeProvider } from '../tree/batchTreeProvider';",
    },
    {
      file: 'media/detail.ts',
      against: "import { batchLabel } from '../src/core/format';",
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
