// The in-host runner of the German-locale run (runTest.ts starts it in a code-server with
// `--locale de` and a stand-in language pack): every *.locale.js file of this folder.
import { runMochaFiles } from '../../harness/mochaRun';

export async function run(): Promise<void> {
  const { failures } = await runMochaFiles({ root: __dirname, suffix: '.locale.js', timeout: 60_000 });
  if (failures > 0) throw new Error(`${failures} locale test(s) failed.`);
}
