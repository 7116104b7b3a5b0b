/**
 * Parity with openCenter's Kyverno default ruleset at the pinned gitops-base tag: the real
 * ClusterPolicies (`applications/base/services/kyverno/default-ruleset`) and the real Kyverno values
 * (`kyverno/policy-engine`, resource filters and excluded namespaces) are read from the tree, never copied.
 *
 * For each of the 17 policies: the same name, category and severity; exactly the kinds Kyverno evaluates
 * (the match kinds, autogen's controllers, minus openCenter's resource filters); exactly the fields the
 * ClusterPolicy names; and, on generated pods in every kind covered, the same verdict per Kyverno rule as
 * a reference evaluator of the ClusterPolicy YAML itself (kyverno-reference.ts).
 */
import * as assert from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { DEFAULT_EXEMPT_NAMESPACES, evaluateObject } from "../lib/engine";
import { KYVERNO_AUTOGEN_CONTROLLERS, KYVERNO_FILTERED_KINDS } from "../lib/pods";
import type { Category, ObjectRule } from "../lib/types";
import { RULES } from "../rules";
import { evaluateRule, fieldsOf } from "./kyverno-reference";
import { requireGitopsBase } from "./upstream";

const KYVERNO = path.join("applications", "base", "services", "kyverno");
const CATEGORIES: Record<string, Category> = {
    "Pod Security Standards (Baseline)": "pod-security-baseline",
    "Pod Security Standards (Restricted)": "pod-security-restricted",
};

interface Upstream {
    readonly policies: any[];
    readonly filteredKinds: Set<string>;
    readonly excludedNamespaces: Set<string>;
}

function readUpstream(root: string): Upstream {
    const ruleset = path.join(root, KYVERNO, "default-ruleset");
    const kustomization = parse(fs.readFileSync(path.join(ruleset, "kustomization.yaml"), "utf8"));
    const policies = (kustomization.resources as string[]).flatMap((file) => parseAllDocuments(fs.readFileSync(path.join(ruleset, file), "utf8")).map((d) => d.toJS()))
        .filter((doc) => doc?.kind === "ClusterPolicy");
    // The values file the HelmRelease gets (the secretGenerator's `values.yaml=<file>`), and Kyverno's namespace.
    const engine = path.join(root, KYVERNO, "policy-engine");
    const engineKustomization = parse(fs.readFileSync(path.join(engine, "kustomization.yaml"), "utf8"));
    const valuesFile = (engineKustomization.secretGenerator as any[]).flatMap((g) => g.files as string[]).find((f) => f.startsWith("values.yaml="))!.split("=")[1];
    const values = parse(fs.readFileSync(path.join(engine, valuesFile), "utf8"));
    const release = parseAllDocuments(fs.readFileSync(path.join(engine, "helmrelease.yaml"), "utf8")).map((d) => d.toJS()).find((d) => d?.kind === "HelmRelease");
    const filteredKinds = new Set<string>();
    const excludedNamespaces = new Set<string>();
    for (const filter of values.config.resourceFilters as string[]) {
        if (filter.includes("{{")) continue; // the chart's own objects, by name
        const [kind, namespace, name] = filter.replace(/^\[|\]$/g, "").split(",");
        if (namespace === "*" && name === "*" && !kind.includes("/")) filteredKinds.add(kind);
        if ((kind === "*/*" || kind === "*") && namespace !== "*" && name === "*") excludedNamespaces.add(namespace);
    }
    if (values.config.excludeKyvernoNamespace) excludedNamespaces.add(release.spec.targetNamespace ?? release.metadata.namespace);
    for (const expression of values.config.webhooks?.namespaceSelector?.matchExpressions ?? []) {
        if (expression.key === "kubernetes.io/metadata.name" && expression.operator === "NotIn") for (const ns of expression.values) excludedNamespaces.add(ns);
    }
    return { policies, filteredKinds, excludedNamespaces };
}

function matchKinds(rule: any): string[] {
    const blocks = [rule.match, ...(rule.match?.any ?? []), ...(rule.match?.all ?? [])];
    return blocks.flatMap((b) => b?.resources?.kinds ?? []);
}

/** What Kyverno evaluates: the match kinds, plus autogen's controllers for Pod-only policies, minus filtered kinds. */
function expectedKinds(policy: any, filtered: Set<string>): string[] {
    const kinds = new Set<string>(policy.spec.rules.flatMap(matchKinds));
    const annotation: string | undefined = policy.metadata.annotations?.["pod-policies.kyverno.io/autogen-controllers"];
    if ([...kinds].every((k) => k === "Pod") && annotation !== "none") {
        for (const controller of annotation ? annotation.split(",") : KYVERNO_AUTOGEN_CONTROLLERS) kinds.add(controller.trim());
    }
    return [...kinds].filter((k) => !filtered.has(k)).sort();
}

// ---------- generated pods: my own vocabulary, the allowed and the disallowed values of every field ----------

const some = <T>(...values: T[]) => fc.constantFrom(...values);
const optional = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) => fc.record(fields, { requiredKeys: [] });
const boolish = some<unknown>(true, false, "false", "true", null);
const capability = some("NET_BIND_SERVICE", "CHOWN", "SYS_ADMIN", "", "ALL", "all", "NET_RAW", "KILL", "SYS_CHROOT");
const seccomp = optional({ type: some<unknown>("RuntimeDefault", "Localhost", "Unconfined", "", "runtimedefault", null) });
const seLinux = optional({ type: some<unknown>("container_t", "container_init_t", "container_kvm_t", "container_engine_t", "spc_t", ""), user: some("", "system_u"), role: some("", "r"), level: some("s0") });
const runAsUser = some<unknown>(0, 1, 1000, -1, "0", "1000", null);
const runAsNonRoot = some<unknown>(true, false, "true", null);
const windows = optional({ hostProcess: boolish });
const containerContext = optional({
    privileged: boolish, allowPrivilegeEscalation: boolish, procMount: some<unknown>("Default", "Unmasked", "default"),
    capabilities: optional({ add: fc.array(capability, { maxLength: 3 }), drop: fc.array(capability, { maxLength: 3 }) }),
    runAsUser, runAsNonRoot, seccompProfile: seccomp, seLinuxOptions: seLinux, windowsOptions: windows,
});
const container = fc.record({
    name: some("c"), image: some("x:1"), securityContext: containerContext,
    ports: fc.array(fc.record({ containerPort: some(80), hostPort: some<unknown>(0, 80, 5000, 6000, "0") }, { requiredKeys: ["containerPort"] }), { maxLength: 2 }),
}, { requiredKeys: ["name", "image"] });
const volumeTypes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret", "hostPath", "nfs", "gitRepo"];
const volume = fc.tuple(some(...volumeTypes), fc.nat(99)).map(([type, n]) => ({ name: `v${n}`, [type]: type === "hostPath" ? { path: "/var/run/docker.sock" } : {} }));
const sysctl = fc.record({ name: some("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "kernel.msgmax", "net.ipv4.tcp_keepalive_time"), value: some("1") }, { requiredKeys: ["value"] });
const podContext = optional({ runAsNonRoot, runAsUser, seccompProfile: seccomp, seLinuxOptions: seLinux, sysctls: fc.array(sysctl, { maxLength: 2 }), windowsOptions: windows });
const spec = fc.record({
    containers: fc.array(container, { minLength: 1, maxLength: 2 }), initContainers: fc.array(container, { maxLength: 2 }), ephemeralContainers: fc.array(container, { maxLength: 1 }),
    hostNetwork: boolish, hostPID: boolish, hostIPC: boolish, volumes: fc.array(volume, { maxLength: 3 }), securityContext: podContext,
}, { requiredKeys: ["containers"] });
const profile = some("runtime/default", "localhost/p", "localhost/", "unconfined", "");
const annotations = optional({ "container.apparmor.security.beta.kubernetes.io/c": profile, "container.apparmor.security.beta.kubernetes.io/d": profile, "example.com/other": some("unconfined") });

/** The Pod, or a controller whose pod template is that pod. */
function asKind(kind: string, pod: { metadata: any; spec: any }): Record<string, unknown> {
    const metadata = { name: "w", namespace: "apps" };
    switch (kind) {
        case "Pod": return { apiVersion: "v1", kind, metadata: { ...metadata, ...pod.metadata }, spec: pod.spec };
        case "CronJob": return { apiVersion: "batch/v1", kind, metadata, spec: { jobTemplate: { spec: { template: pod } } } };
        case "Job": return { apiVersion: "batch/v1", kind, metadata, spec: { template: pod } };
        case "ReplicationController": return { apiVersion: "v1", kind, metadata, spec: { template: pod } };
        default: return { apiVersion: "apps/v1", kind, metadata, spec: { template: pod } };
    }
}

/** Whether a generated pod has something at a `reads`-style path (`[*]` any element, `*` in the last key). */
function present(value: unknown, parts: string[]): boolean {
    if (parts.length === 0) return value !== undefined;
    const [head, ...rest] = parts;
    const list = head.endsWith("[*]");
    const key = list ? head.slice(0, -3) : head;
    if (typeof value !== "object" || value === null) return false;
    const children = key.includes("*") ? Object.keys(value).filter((k) => new RegExp(`^${key.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`).test(k)).map((k) => (value as any)[k]) : [(value as any)[key]];
    return children.some((child) => (list ? Array.isArray(child) && child.some((e) => present(e, rest)) : present(child, rest)));
}
const splitPath = (field: string) => field.replace(/^metadata\.annotations\.(.*)$/, "metadata.annotations.§$1").split(".").reduce<string[]>((parts, part) => {
    if (parts.length && parts[parts.length - 1].startsWith("§")) parts[parts.length - 1] += `.${part}`;
    else parts.push(part);
    return parts;
}, []).map((p) => p.replace(/^§/, ""));

describe("Kyverno parity: openCenter's default ruleset at the pinned gitops-base tag", function () {
    let upstream: Upstream;
    before(function () {
        upstream = readUpstream(requireGitopsBase(this));
    });

    it("has the 17 ClusterPolicies, and the pack has each one under the same name", () => {
        assert.strictEqual(upstream.policies.length, 17);
        const podSecurity = RULES.filter((r) => r.category.startsWith("pod-security")).map((r) => r.name).sort();
        assert.deepStrictEqual(podSecurity, upstream.policies.map((p) => p.metadata.name).sort());
    });

    it("skips the namespaces openCenter's Kyverno skips (resource filters, its own namespace, the webhook selector)", () => {
        assert.deepStrictEqual([...DEFAULT_EXEMPT_NAMESPACES].sort(), [...upstream.excludedNamespaces].sort());
    });

    it("leaves out the kinds openCenter's resource filters leave out", () => {
        const podKinds = new Set<string>(["Pod", ...KYVERNO_AUTOGEN_CONTROLLERS]);
        assert.deepStrictEqual([...KYVERNO_FILTERED_KINDS].sort(), [...upstream.filteredKinds].filter((k) => podKinds.has(k)).sort());
    });

    it("matches each policy's category, severity, kinds and fields", () => {
        for (const policy of upstream.policies) {
            const name = policy.metadata.name;
            const rule = RULES.find((r) => r.name === name) as ObjectRule;
            assert.strictEqual(rule?.target, "object", name);
            assert.strictEqual(rule.category, CATEGORIES[policy.metadata.annotations["policies.kyverno.io/category"]], `${name} category`);
            assert.strictEqual(rule.severity, policy.metadata.annotations["policies.kyverno.io/severity"], `${name} severity`);
            assert.deepStrictEqual([...rule.kinds].sort(), expectedKinds(policy, upstream.filteredKinds), `${name} kinds`);
            const fields = new Set<string>(policy.spec.rules.flatMap((r: any) => [...fieldsOf(r)]));
            assert.deepStrictEqual([...(rule.reads ?? [])].sort(), [...fields].sort(), `${name} fields`);
        }
    });

    it("gives Kyverno's verdict, rule by rule, on generated pods in every kind each policy covers", () => {
        const seen = new Map<string, Set<string>>();
        const reached = new Set<string>();
        fc.assert(fc.property(spec, annotations, fc.nat(), (podSpec, podAnnotations, pick) => {
            const pod = { metadata: { annotations: podAnnotations }, spec: podSpec };
            for (const policy of upstream.policies) {
                const rule = RULES.find((r) => r.name === policy.metadata.name) as ObjectRule;
                const kind = rule.kinds[pick % rule.kinds.length];
                const ours = evaluateObject(rule, asKind(kind, pod), { [rule.name]: "advisory" });
                for (const kyvernoRule of policy.spec.rules) {
                    const expected = evaluateRule(kyvernoRule, pod);
                    const actual = ours.some((f) => f.rule === kyvernoRule.name) ? "fail" : "pass";
                    assert.strictEqual(actual, expected === "skip" ? "pass" : expected,
                        `${rule.name}/${kyvernoRule.name} on a ${kind}: Kyverno says ${expected}, we say ${actual}\n${JSON.stringify(pod)}\n${JSON.stringify(ours)}`);
                    const key = `${rule.name}/${kyvernoRule.name}`;
                    seen.set(key, (seen.get(key) ?? new Set()).add(expected));
                }
                assert.ok(ours.every((f) => policy.spec.rules.some((r: any) => r.name === f.rule)), `${rule.name}: every finding names one of Kyverno's rules`);
                for (const field of rule.reads ?? []) if (present(pod, splitPath(field))) reached.add(`${rule.name} ${field}`);
            }
        }), { numRuns: 400, seed: 20260101 });
        for (const [rule, verdicts] of seen) {
            assert.deepStrictEqual([...verdicts].sort(), ["fail", "pass"], `the generated pods both pass and fail ${rule}`);
        }
        for (const rule of RULES.filter((r): r is ObjectRule => r.target === "object" && r.category.startsWith("pod-security"))) {
            for (const field of rule.reads ?? []) assert.ok(reached.has(`${rule.name} ${field}`), `the generated pods set ${field} (${rule.name})`);
        }
    });
});
