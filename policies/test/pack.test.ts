import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { buildPolicies } from "../pack";
import { RULES } from "../rules";

const KYVERNO_NAMES = [
    "disallow-capabilities", "disallow-host-namespaces", "disallow-host-path", "disallow-host-ports", "disallow-host-process",
    "disallow-privileged-containers", "disallow-proc-mount", "disallow-selinux", "restrict-apparmor-profiles", "restrict-seccomp", "restrict-sysctls",
    "disallow-capabilities-strict", "disallow-privilege-escalation", "require-run-as-non-root-user", "require-run-as-nonroot", "restrict-seccomp-strict", "restrict-volume-types",
    "disallow-latest-tag", "require-requests-limits", "require-pod-probes", "restrict-image-registries", "require-labels", "disallow-default-namespace",
    "restrict-nodeport", "restrict-external-ips", "require-ro-rootfs", "drop-all-capabilities", "disallow-container-sock-mounts", "disallow-empty-ingress-host",
    "disallow-host-ports-range",
];

describe("the policy pack", () => {
    it("has the Kyverno policies under Kyverno's names, each in its own file with its own spec", () => {
        const names = RULES.map((r) => r.name);
        for (const name of KYVERNO_NAMES) {
            assert.ok(names.includes(name), name);
        }
        for (const name of names) {
            assert.ok(fs.existsSync(path.join(__dirname, "..", "rules", `${name}.ts`)), `rules/${name}.ts`);
            assert.ok(fs.existsSync(path.join(__dirname, `${name}.test.ts`)), `test/${name}.test.ts`);
        }
        assert.strictEqual(new Set(names).size, names.length);
    });

    it("registers every rule as a CrossGuard policy with description, severity, enforcement and config schema", () => {
        for (const policy of buildPolicies()) {
            assert.match(policy.name, /^[a-z0-9-]+$/);
            assert.ok(policy.description && policy.description.length > 20, policy.name);
            assert.ok(["advisory", "mandatory"].includes(String(policy.enforcementLevel)), policy.name);
            assert.ok(policy.configSchema?.properties.exemptNamespaces, policy.name);
            assert.ok("validateResource" in policy || "validateStack" in policy);
        }
    });

    it("ships the pack files the CLI loads: PulumiPolicy.yaml, package.json with a version, index.ts", () => {
        const dir = path.join(__dirname, "..");
        assert.match(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        assert.match(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version, /^\d+\.\d+\.\d+$/);
        assert.match(fs.readFileSync(path.join(dir, "index.ts"), "utf8"), /new PolicyPack\("clusters-policies"/);
    });

    it("makes pod security mandatory in production and advisory in dev", () => {
        const production = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "config", "production.json"), "utf8"));
        const podSecurity = RULES.filter((r) => r.category.startsWith("pod-security")).map((r) => r.name).sort();
        assert.deepStrictEqual(Object.keys(production).sort(), podSecurity);
        assert.ok(Object.values(production).every((level) => level === "mandatory"));
        assert.ok(RULES.filter((r) => r.category.startsWith("pod-security")).every((r) => buildPolicies().find((p) => p.name === r.name)!.enforcementLevel === "advisory"));
    });
});
