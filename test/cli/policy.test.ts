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
    return spawnSync(process.execPath, ["dist/cli/main.js", "policy", ...args], { cwd: ROOT, encoding: "utf8" });
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
        assert.strictEqual(result.status, 2, "the ConfigMap secret is a mandatory violation: findings exit 2");
    });

    it("takes enforcement levels and settings from the pack config", () => {
        const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-")), "config.json");
        fs.writeFileSync(config, JSON.stringify({ "no-secrets-in-configmaps-or-commands": "advisory", "disallow-privileged-containers": "mandatory", "require-labels": { requiredLabels: [] } }));
        const result = policyCli("--config", config, "--json", path.join(FIXTURES, "unsafe"));
        const findings = JSON.parse(result.stdout) as { policy: string; enforcement: string }[];
        assert.strictEqual(findings.find((f) => f.policy === "disallow-privileged-containers")!.enforcement, "mandatory");
        assert.ok(!findings.some((f) => f.policy === "require-labels"));
        assert.strictEqual(result.status, 2);
    });

    it("says how to call it when no path is given (exit 2), and exits 1 when a file cannot be read", () => {
        const result = policyCli();
        assert.strictEqual(result.status, 2);
        assert.match(result.stderr, /usage:\n  clusters policy \[--config <policy-config.json>\] \[--json\] <file-or-dir>/);
        const missing = policyCli(path.join(os.tmpdir(), "no-such-manifests-dir"));
        assert.strictEqual(missing.status, 1);
        assert.match(missing.stderr, /policy check failed: ENOENT/);
    });

    it("writes more than 1 MB of --json through a pipe in full (issue #15 item 14: cut at 131,072 bytes)", async function () {
        this.timeout(60000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-big-"));
        const unsafe = fs.readFileSync(path.join(FIXTURES, "unsafe", "workloads.yaml"), "utf8");
        fs.writeFileSync(path.join(dir, "many.yaml"), Array.from({ length: 400 }, (_, i) => unsafe.replace(/miner/g, `miner-${i}`)).join("\n---\n"));
        // A real pipe to a reader that takes its time per chunk: the child must wait for the pipe to drain.
        const child = spawn(process.execPath, ["dist/cli/main.js", "policy", "--json", dir], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        const chunks: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => {
            chunks.push(chunk);
            child.stdout.pause();
            setImmediate(() => child.stdout.resume());
        });
        const [code] = await Promise.all([new Promise<number | null>((resolve) => child.on("close", resolve))]);
        const text = Buffer.concat(chunks).toString("utf8");
        assert.ok(text.length > 1_000_000, `only ${text.length} bytes arrived`);
        const findings = JSON.parse(text) as unknown[];
        assert.ok(findings.length > 3000);
        assert.strictEqual(code, 2);
        fs.rmSync(dir, { recursive: true, force: true });
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
