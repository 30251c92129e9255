// `npm run test:e2e`: every out/test/e2e/**/*.e2e.js in one mocha run. Scenarios start
// their own code-server and browser, one at a time (each takes about 1 GiB).
import { runMochaFiles } from '../harness/mochaRun';

runMochaFiles({ root: __dirname, suffix: '.e2e.js', timeout: 120_000 }).then(
  ({ failures }) => process.exit(failures > 0 ? 1 : 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
