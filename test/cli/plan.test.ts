import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { main } from "../../cli/main";
import { plan } from "../../cli/plan";
import { mermaid } from "../../cli/plan-report";
import { loadOfflineStack, PROJECT_ROOT, STACKS_DIR } from "../../cli/stacks";
import { loadClusterSpec, withSecretStandIns } from "../../spec";
import { openstackConfig, withValue } from "../fixtures/configs";
import { captured } from "./fakes";

function runPlan(args: string[], env: NodeJS.ProcessEnv = process.env) {
    return spawnSync(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "main.js"), "plan", ...args], { cwd: PROJECT_ROOT, encoding: "utf8", env });
}

const temp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** A stacks directory of its own (tests never write into stacks/: other test files list it in parallel). */
function stacksDir(files: Record<string, string>): string {
    const dir = temp("plan-stacks-");
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
    return dir;
}

describe("clusters plan", () => {
    it("prints every problem of a broken stack with its path and exits 1", () => {
        const dir = stacksDir({
            "zz-broken": [
                "config:",
                "  clusters:meta: {name: Broken_Name, environment: prod}",
                "  clusters:kubernetes: {version: 1.20.1, podSubnet: 10.42.0.0/33}",
                "  clusters:infrastructure:",
                "    provider: openstack",
                "    network: {subnet: 10.0.0.0/24, gateway: 10.0.0.1, dnsServers: [10.0.0.2], apiVip: 10.0.0.5}",
                "    controlPlane: {count: 2, size: m1, addresses: {from: 10.0.0.10, to: 10.0.0.19}}",
                "    openstack: {image: ubuntu, externalNetworkId: ext}",
                "",
            ].join("\n"),
        });
        const result = runPlan(["--stack", "zz-broken", "--stacks-dir", dir]);
        assert.strictEqual(result.status, 1, result.stderr);
        // A malformed meta.name no longer hides the rules that relate fields (issue 15 item 16).
        assert.match(result.stderr, /Pulumi\.zz-broken\.yaml: The cluster spec has 5 problems:/);
        assert.match(result.stderr, /- infrastructure\.controlPlane\.count: is 2; the control plane carries etcd and must be odd/);
        assert.match(result.stderr, /- kubernetes\.version: 1\.20\.1 is not installable by Kubespray 2\.31\.0/);
        assert.match(result.stderr, /- meta\.name: must be a DNS-1123 label/);
        assert.match(result.stderr, /- meta\.environment: is "prod"; allowed: dev, staging, production/);
        assert.match(result.stderr, /- kubernetes\.podSubnet: must have a prefix length from 0 to 32/);
    });

    it("names the known stacks when the stack does not exist", () => {
        const result = runPlan(["--stack", "no-such-stack"]);
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /no stack file stacks\/Pulumi\.no-such-stack\.yaml; stacks here: dev-openstack, edge-existing, enclave-harvester, prod-vsphere/);
    });

    it("writes the example's out/ files and a summary; --json for a machine; no temporary directory left", () => {
        const out = temp("plan-out-");
        const tmp = temp("plan-tmp-");
        const result = runPlan(["--stack", "edge-existing", "--out", out], { ...process.env, TMPDIR: tmp });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /Stack edge-existing: cluster edge-01 \(staging\) on existing, Kubernetes 1\.33\.7/);
        assert.match(result.stdout, /^  wrote .*: .*plan\.md.*, kubespray\/ \(\d+ files\)$/m, "folders are counted, not listed");
        assert.ok(fs.existsSync(path.join(out, "edge-existing", "resources.json")));
        assert.deepStrictEqual(fs.readdirSync(tmp), [], "issue #15 item 18: /tmp/clusters-offline-* removed");
        const json = runPlan(["edge-existing", "--json", "--out", out], { ...process.env, TMPDIR: tmp });
        const summary = JSON.parse(json.stdout);
        assert.deepStrictEqual([summary.stack, summary.cluster, summary.nodes, summary.paused], ["edge-existing", "edge-01", summary.nodes, null]);
        assert.ok(summary.files.includes("plan.md"));
        assert.deepStrictEqual(fs.readdirSync(tmp), []);
        fs.rmSync(out, { recursive: true, force: true });
    });

    it("refuses a stack name that is not a name and removes nothing (issue #15 item 5)", async () => {
        const victim = temp("victim-");
        fs.writeFileSync(path.join(victim, "keep"), "x");
        // The input, end to end:
        const exact = runPlan(["--stack", `a/../../../..${victim}`]);
        assert.strictEqual(exact.status, 2, exact.stderr);
        assert.match(exact.stderr, /is not a stack name/);
        const escape = path.relative(path.join(PROJECT_ROOT, "out"), victim);
        for (const name of [escape, "..", ".hidden", "a b", "x".repeat(101), "a;rm -rf x", "a\u0000b"]) {
            const result = await captured(() => main(["plan", "--stack", name]));
            assert.strictEqual(result.code, 2, `${JSON.stringify(name)}: ${result.stderr}`);
            assert.match(result.stderr, /is not a stack name/);
        }
        assert.ok(fs.existsSync(path.join(victim, "keep")), "the victim directory is intact");
    });

    it("never empties a directory outside its out root, even when called with a crafted name", async () => {
        const offline = loadOfflineStack("edge-existing");
        const victim = temp("victim-");
        await assert.rejects(plan({ ...offline, name: `../${path.basename(victim)}` }, path.join(os.tmpdir(), "plan-root")), /is not a stack name/);
        assert.ok(fs.existsSync(victim));
    });

    it("plans a paused stack (pulumi preview works while paused) and says pulumi up will refuse (issue #15 item 17)", () => {
        const file = parse(fs.readFileSync(path.join(STACKS_DIR, "Pulumi.edge-existing.yaml"), "utf8"));
        file.config["clusters:operations"] = { ...(file.config["clusters:operations"] ?? {}), paused: true, pausedReason: "change freeze until Monday" };
        const dir = stacksDir({ "edge-paused": stringify(file) });
        const out = temp("plan-out-");
        const result = runPlan(["--stack", "edge-paused", "--stacks-dir", dir, "--out", out]);
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /paused: change freeze until Monday\. pulumi preview works; pulumi up refuses until operations\.paused is false/);
        assert.match(fs.readFileSync(path.join(out, "edge-paused", "plan.md"), "utf8"), /\*\*This stack is paused\*\*/);
    });
});

describe("offline runs clean up their temporary directory on every exit path (issue #15 item 18)", () => {
    const script = (ending: string) => [
        `const { runOffline } = require(${JSON.stringify(path.join(PROJECT_ROOT, "dist", "offline", "harness.js"))});`,
        `const { exitOnSignals } = require(${JSON.stringify(path.join(PROJECT_ROOT, "dist", "cli", "command.js"))});`,
        "exitOnSignals();",
        "runOffline({}, () => ({})).then((run) => {",
        "  if (!require('fs').existsSync(run.kubesprayHome)) throw new Error('no workspace');",
        `  ${ending}`,
        "});",
    ].join("\n");
    for (const [label, ending, code] of [
        ["process.exit", "process.exit(3);", 3],
        ["an uncaught exception", "setImmediate(() => { throw new Error('boom'); });", 1],
        ["SIGTERM", "process.kill(process.pid, 'SIGTERM'); setInterval(() => {}, 1000);", 143],
        ["a normal end", "", 0],
    ] as const) {
        it(`after ${label}`, () => {
            const tmp = temp("offline-tmp-");
            const result = spawnSync(process.execPath, ["-e", script(ending)], { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, TMPDIR: tmp } });
            assert.strictEqual(result.status, code, result.stderr);
            assert.deepStrictEqual(fs.readdirSync(tmp), []);
        });
    }
});

describe("plan.md's Mermaid diagram (issue #18 item 5)", () => {
    const diagram = (workers: number) => {
        const config = withValue(withValue(withValue(openstackConfig(), "infrastructure.network.subnet", "10.0.0.0/20"),
            "infrastructure.workerPools", [{ name: "w", count: workers, size: "m1.xlarge", addresses: { from: "10.0.1.0", to: "10.0.4.255" } }]),
            "infrastructure.controlPlane.count", 3);
        return mermaid(loadClusterSpec(withSecretStandIns(config).values).spec).join("\n");
    };

    it("stays far below Mermaid's 50,000-character default at 1,000 workers: large pools show first, last and a count", () => {
        const big = diagram(1000);
        assert.ok(big.length < 2000, `${big.length} characters`);
        assert.match(big, /t1-w-1<br\/>10\.0\.1\.0/);
        assert.match(big, /t1-w-1000<br\/>/);
        assert.match(big, /… 996 more nodes/);
        assert.ok(Math.abs(diagram(100).length - big.length) < 20, "the size depends on the pools, not the nodes");
        assert.doesNotMatch(diagram(5), /more nodes/, "small pools are drawn node by node");
    });
});
