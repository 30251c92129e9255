// The in-host test runner VS Code loads from --extensionTestsPath: it must export run().
import { runMochaFiles } from '../harness/mochaRun';

export async function run(): Promise<void> {
  const { failures } = await runMochaFiles({ root: __dirname, suffix: '.test.js', timeout: 60_000 });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed.`);
}
