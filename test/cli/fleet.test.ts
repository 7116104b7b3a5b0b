import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { boundedPool } from "../../cli/fleet";

const ROOT = path.join(__dirname, "..", "..");

function fleet(args: string[]) {
    const record = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-"));
    const result = spawnSync(process.execPath, ["dist/cli/fleet.js", ...args], {
        cwd: ROOT, encoding: "utf8",
        env: { ...process.env, PATH: `${path.join(ROOT, "test", "fixtures", "fleet")}:${process.env.PATH}`, FLEET_RECORD: record, DRIFT_FIXTURES: path.join(ROOT, "test", "fixtures", "drift") },
    });
    const counts = fs.existsSync(path.join(record, "counts")) ? fs.readFileSync(path.join(record, "counts"), "utf8").trim().split("\n").map(Number) : [];
    return { ...result, counts };
}

describe("npm run fleet", () => {
    it("keeps to the concurrency bound and isolates a failing stack", function () {
        this.timeout(60000);
        const result = fleet(["drift", "--stacks", "a,b,broken,c,drifted,d", "--concurrency", "2"]);
        assert.ok(Math.max(...result.counts) <= 2, `at most 2 at once, saw ${result.counts}`);
        assert.strictEqual(result.counts.length, 6, "every stack ran");
        assert.match(result.stdout, /^broken\s+error\s+pulumi preview failed \(exit 255\): error: failed to load the stack's config$/m);
        assert.match(result.stdout, /^drifted\s+drift\s+1 resource\(s\): 0 critical, 0 warning, 2 info$/m);
        assert.match(result.stdout, /^d\s+clean\s+no drift$/m);
        assert.strictEqual(result.status, 1, "an error wins over drift");
    });

    it("previews every stack with --all", function () {
        this.timeout(60000);
        const result = fleet(["preview", "--all", "--concurrency", "4"]);
        assert.strictEqual(result.status, 0, result.stdout + result.stderr);
        assert.strictEqual(result.stdout.trim().split("\n").length, 5, "a header and one row per stack");
        assert.ok(Math.max(...result.counts) <= 4);
    });

    it("the pool keeps order and never exceeds its bound", async () => {
        let running = 0;
        let peak = 0;
        const results = await boundedPool([5, 1, 4, 2, 3], 2, async (n) => {
            running++;
            peak = Math.max(peak, running);
            await new Promise((r) => setTimeout(r, n * 5));
            running--;
            return n * 10;
        });
        assert.deepStrictEqual(results, [50, 10, 40, 20, 30]);
        assert.strictEqual(peak, 2);
    });
});
