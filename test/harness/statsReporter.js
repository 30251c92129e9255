// Mocha's spec output, plus the run's counts written as JSON to the file named by
// OPENAI_BATCHES_TEST_STATS (or `--reporter-option stats=<file>`), so runAll.js can total
// suites without parsing their output.
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = (options && options.reporterOptions && options.reporterOptions.stats) || process.env.OPENAI_BATCHES_TEST_STATS;
    if (!file) return;
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = runner.stats || {};
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ passes, failures, pending }));
    });
  }
}

module.exports = StatsReporter;
