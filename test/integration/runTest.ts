// Runs test/integration in a real VS Code extension host through @vscode/test-electron.
// Offline (the default) its "VS Code executable" is our launcher, which runs the suite
// in code-server; with OPENAI_BATCHES_TEST_DESKTOP=1 test-electron downloads desktop
// VS Code and runs the very same suite there.
import { runTests } from '@vscode/test-electron';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot, scratchWorkspace } from '../harness/paths';

async function main(): Promise<number> {
  const desktop = process.env.OPENAI_BATCHES_TEST_DESKTOP === '1';
  const workspace = scratchWorkspace();
  try {
    await runTests({
      vscodeExecutablePath: desktop ? undefined : path.join(repoRoot, 'test', 'harness', 'vscode-launcher'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index'),
      launchArgs: [workspace, '--disable-extensions'],
    });
    return 0;
  } catch (error) {
    console.error(`Integration tests failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
