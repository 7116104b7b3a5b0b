import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policyConfig } from "../../cli/plan";
import { listStacks, loadOfflineStack } from "../../cli/stacks";
import { evaluateStack } from "../../policies/lib/engine";
import { RULES } from "../../policies/rules";
import { runStack } from "../helpers";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "policies", "test", "fixtures");

function policyCli(...args: string[]) {
    return spawnSync(process.execPath, ["dist/cli/policy.js", ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("npm run policy", () => {
    it("passes a safe application and exits 0", () => {
        const result = policyCli(path.join(FIXTURES, "safe"));
        assert.strictEqual(result.status, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /2 objects checked: 0 violation\(s\), 0 mandatory/);
    });

    it("lists every violation of the unsafe example with policy, file, object and field", () => {
        const result = policyCli("--json", path.join(FIXTURES, "unsafe"));
        const findings = JSON.parse(result.stdout) as { policy: string; enforcement: string; file: string; kind: string; namespace: string; name: string; field: string }[];
        const policies = [...new Set(findings.map((f) => f.policy))].sort();
        for (const expected of ["disallow-container-sock-mounts", "disallow-default-namespace", "disallow-host-namespaces", "disallow-host-path", "disallow-latest-tag",
            "disallow-privileged-containers", "no-secrets-in-configmaps-or-commands", "require-labels", "restrict-nodeport"]) {
            assert.ok(policies.includes(expected), `${expected} missing from ${policies.join(", ")}`);
        }
        const privileged = findings.find((f) => f.policy === "disallow-privileged-containers")!;
        assert.deepStrictEqual([privileged.kind, privileged.namespace, privileged.name, privileged.field], ["Deployment", "default", "miner", "spec.template.spec.containers[0].securityContext.privileged"]);
        assert.ok(privileged.file.endsWith("unsafe/workloads.yaml"));
        assert.strictEqual(result.status, 1, "the ConfigMap secret is a mandatory violation");
    });

    it("takes enforcement levels and settings from the pack config", () => {
        const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-")), "config.json");
        fs.writeFileSync(config, JSON.stringify({ "no-secrets-in-configmaps-or-commands": "advisory", "disallow-privileged-containers": "mandatory", "require-labels": { requiredLabels: [] } }));
        const result = policyCli("--config", config, "--json", path.join(FIXTURES, "unsafe"));
        const findings = JSON.parse(result.stdout) as { policy: string; enforcement: string }[];
        assert.strictEqual(findings.find((f) => f.policy === "disallow-privileged-containers")!.enforcement, "mandatory");
        assert.ok(!findings.some((f) => f.policy === "require-labels"));
        assert.strictEqual(result.status, 1);
    });

    it("says how to call it when no path is given", () => {
        const result = policyCli();
        assert.strictEqual(result.status, 2);
        assert.match(result.stderr, /usage: npm run policy/);
    });
});

describe("the pack on the example stacks", () => {
    for (const stack of listStacks()) {
        it(`${stack} has no violation`, async () => {
            const run = await runStack(stack);
            const environment = loadOfflineStack(stack).loaded.spec.meta.environment;
            const findings = evaluateStack(RULES, run.resources.map((r) => ({ type: r.type, name: r.name, props: r.rawInputs })), policyConfig(environment));
            assert.deepStrictEqual(findings, []);
        });
    }

    it("loads as a policy pack (the pack's gRPC server starts)", async function () {
        this.timeout(60000);
        const child = spawn(process.execPath, ["--require", "ts-node/register/transpile-only", "index.ts"], { cwd: path.join(ROOT, "policies"), stdio: ["ignore", "pipe", "pipe"] });
        const output = await new Promise<string>((resolve, reject) => {
            let text = "";
            const timer = setTimeout(() => { child.kill(); reject(new Error(`no port printed: ${text}`)); }, 50000);
            const onData = (chunk: Buffer) => {
                text += chunk.toString();
                if (/^\d+\s*$/m.test(text)) {
                    clearTimeout(timer);
                    child.kill();
                    resolve(text);
                }
            };
            child.stdout.on("data", onData);
            child.stderr.on("data", (chunk: Buffer) => { text += chunk.toString(); });
            child.on("exit", (code) => { if (code) { clearTimeout(timer); reject(new Error(`exited ${code}: ${text}`)); } });
        });
        assert.match(output, /^\d{2,5}\s*$/m);
    });
});
