import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

describe("npm test's pretest (test/ensure-tools.js)", () => {
    const script = path.join(__dirname, "ensure-tools.js");

    it("passes when every tool the tests run is installed", () => {
        assert.strictEqual(spawnSync(process.execPath, [script], { encoding: "utf8" }).status, 0);
    });

    it("on a machine without the tools and without apt-get, stops with the command that installs them", () => {
        // A PATH holding only Node: no ansible, age, kubectl, apt-get or sudo.
        const result = spawnSync(process.execPath, [script], { encoding: "utf8", env: { PATH: path.dirname(process.execPath) } });
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /The tests need ansible, age, kubernetes-client/);
        assert.match(result.stderr, /sudo apt-get install -y ansible age kubernetes-client/);
    });
});
