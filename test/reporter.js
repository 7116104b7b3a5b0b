// Mocha's dot reporter plus one closing line in the plain "N passed, N failed" form CI reads.
const Mocha = require("mocha");

class DotWithSummary extends Mocha.reporters.Dot {
    constructor(runner, options) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            process.stdout.write(`${this.stats.passes} passed, ${this.stats.failures} failed, ${this.stats.pending} skipped\n`);
        });
    }
}

module.exports = DotWithSummary;
