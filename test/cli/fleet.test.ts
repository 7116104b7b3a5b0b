import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCommand } from "../../cli/command";
import { boundedPool, fleetCommand } from "../../cli/fleet";
import { listStacks } from "../../cli/stacks";
import { captured, commandError, eventsFromPreview, FakeStack, fakeOpener } from "./fakes";

const FIXTURES = path.join(__dirname, "..", "fixtures", "drift");
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8"));

/** Stacks that stay "running" until released, to observe how many run at once (no timers). */
function gatedStacks(names: string[], script: (name: string) => ConstructorParameters<typeof FakeStack>[1]) {
    let running = 0;
    let peak = 0;
    const stacks: Record<string, FakeStack> = {};
    for (const name of names) {
        stacks[name] = new FakeStack(name, {
            ...script(name),
            during: async () => {
                running++;
                peak = Math.max(peak, running);
                // Let every other ready worker start before this one finishes.
                for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
                running--;
            },
        });
    }
    return { stacks, peak: () => peak };
}

describe("clusters fleet (Automation API fake)", () => {
    const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-out-"));
    after(() => fs.rmSync(outRoot, { recursive: true, force: true }));

    it("keeps to the concurrency bound and isolates a failing stack", async () => {
        const { stacks, peak } = gatedStacks(["a", "b", "broken", "c", "drifted", "d"], (name) =>
            name === "broken" ? { reject: commandError("error: failed to load the stack's config") }
                : name === "drifted" ? { events: eventsFromPreview(load("tags")) }
                    : { events: eventsFromPreview(load("clean")) });
        const result = await captured(() => runCommand(fleetCommand(fakeOpener(stacks)), ["drift", "--stacks", "a,b,broken,c,drifted,d", "--concurrency", "2", "--skip-policies", "--out", outRoot]));
        assert.strictEqual(peak(), 2);
        assert.ok(fs.existsSync(path.join(outRoot, "drifted", "drift.md")), "drift reports per stack");
        assert.match(result.stdout, /^broken\s+error\s+pulumi preview failed: error: failed to load the stack's config$/m);
        assert.match(result.stdout, /^drifted\s+drift\s+1 resource\(s\): 0 critical, 0 warning, 2 info$/m);
        assert.match(result.stdout, /^d\s+clean\s+no drift$/m);
        assert.strictEqual(result.code, 1, "an error wins over drift");
        assert.match(result.stderr, /^\[\d\/6\] drifted: drift: /m, "each stack's result is printed as it finishes");
        assert.strictEqual(result.stderr.match(/^\[\d\/6\] /gm)!.length, 6);
    });

    it("never runs more than --concurrency stacks at once", async () => {
        const { stacks, peak } = gatedStacks(["a", "b", "c", "d", "e", "f"], () => ({ events: eventsFromPreview(load("clean")) }));
        const result = await captured(() => runCommand(fleetCommand(fakeOpener(stacks)), ["preview", "--stacks", "a,b,c,d,e,f", "--concurrency", "2", "--skip-policies"]));
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(peak(), 2);
    });

    it("previews every stack with --all, with the policy pack, and reports changes (exit 2) as JSON", async () => {
        const stacks: Record<string, FakeStack> = {};
        for (const name of listStacks()) stacks[name] = new FakeStack(name, { events: eventsFromPreview(name === "prod-vsphere" ? load("deleted-vm") : load("clean")) });
        const result = await captured(() => runCommand(fleetCommand(fakeOpener(stacks)), ["preview", "--all", "--json"]));
        assert.strictEqual(result.code, 2, result.stderr);
        const rows = JSON.parse(result.stdout) as { stack: string; status: string; detail: string }[];
        assert.deepStrictEqual(rows.map((r) => [r.stack, r.status]), listStacks().map((s) => [s, s === "prod-vsphere" ? "changes" : "clean"]));
        assert.strictEqual(rows.find((r) => r.stack === "prod-vsphere")!.detail, "1 to create");
        const prod = stacks["prod-vsphere"].previews[0];
        assert.ok(prod.policyPacks![0].endsWith("policies"));
        assert.ok(prod.policyPackConfigs![0].endsWith(path.join("config", "production.json")), "production stacks run the production policy config");
        assert.ok(stacks["dev-openstack"].previews[0].policyPackConfigs![0].endsWith("dev.json"));
        assert.strictEqual(prod.expectNoChanges, undefined, "preview is not a drift review");
    });

    it("refuses bad usage with exit 2: no operation, both --all and --stacks, a stack name that is not one", async () => {
        for (const args of [["--all"], ["apply", "--all"], ["drift", "--all", "--stacks", "a"], ["drift", "--stacks", "a,../etc"], ["drift", "--all", "--concurrency", "0"], ["drift", "--all", "--bogus"]]) {
            const result = await captured(() => runCommand(fleetCommand(fakeOpener({})), args));
            assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
            assert.match(result.stderr, /usage:/);
        }
    });

    it("the pool keeps order and never exceeds its bound", async () => {
        let running = 0;
        let peak = 0;
        const results = await boundedPool([5, 1, 4, 2, 3], 2, async (n) => {
            running++;
            peak = Math.max(peak, running);
            for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
            running--;
            return n * 10;
        });
        assert.deepStrictEqual(results, [50, 10, 40, 20, 30]);
        assert.strictEqual(peak, 2);
    });
});
