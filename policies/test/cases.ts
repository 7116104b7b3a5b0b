/**
 * Building test objects: a pod spec in every controller kind, a container in every container list; and
 * running one policy on an object, through the pack as the policy server calls it (messages) or through
 * the engine (findings with Kyverno's rule names).
 */
import * as assert from "assert";
import { evaluateObject, type Finding } from "../lib/engine";
import { POD_KINDS } from "../lib/pods";
import type { KubeObject, ObjectRule } from "../lib/types";
import { RULES } from "../rules";
import { runResourcePolicy } from "./harness";

export const TOKENS: Record<string, string> = {
    Pod: "kubernetes:core/v1:Pod", Deployment: "kubernetes:apps/v1:Deployment", StatefulSet: "kubernetes:apps/v1:StatefulSet",
    DaemonSet: "kubernetes:apps/v1:DaemonSet", ReplicaSet: "kubernetes:apps/v1:ReplicaSet", ReplicationController: "kubernetes:core/v1:ReplicationController",
    Job: "kubernetes:batch/v1:Job", CronJob: "kubernetes:batch/v1:CronJob",
};

/** A container every policy of the pack passes. */
export const GOOD_CONTAINER = {
    name: "app", image: "ghcr.io/acme/app:1.2.3",
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    livenessProbe: { httpGet: { path: "/healthz", port: 8080 } }, readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
};

/** A pod spec whose container in `list` is the good container changed by `container` (securityContext merged). */
export function podSpec(container: Record<string, unknown> = {}, pod: Record<string, unknown> = {}, list = "containers"): Record<string, unknown> {
    const merged: Record<string, unknown> = { ...GOOD_CONTAINER, ...container, securityContext: { ...GOOD_CONTAINER.securityContext, ...((container.securityContext as object) ?? {}) } };
    for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
    const base: Record<string, unknown> = { containers: [GOOD_CONTAINER] };
    if (list === "containers") base.containers = [merged];
    else base[list] = [merged];
    return { ...base, securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, ...pod };
}

/** The object of `kind` carrying `spec` as its pod spec; `templateAnnotations`/`templateLabels` go on the pod's own metadata. */
export function wrap(kind: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Record<string, unknown> {
    const { templateAnnotations, templateLabels, ...own } = metadata;
    const meta = { name: "web", namespace: "apps", labels: { "app.kubernetes.io/name": "web" }, ...own };
    const podMeta = { labels: (templateLabels as object) ?? { app: "web", "app.kubernetes.io/name": "web" }, annotations: (templateAnnotations as object) ?? {} };
    const template = { metadata: podMeta, spec };
    switch (kind) {
        case "Pod": return { apiVersion: "v1", kind, metadata: { ...meta, ...podMeta }, spec };
        case "CronJob": return { apiVersion: "batch/v1", kind, metadata: meta, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } } };
        case "Job": return { apiVersion: "batch/v1", kind, metadata: meta, spec: { template } };
        case "ReplicationController": return { apiVersion: "v1", kind, metadata: meta, spec: { selector: { app: "web" }, template } };
        default: return { apiVersion: "apps/v1", kind, metadata: meta, spec: { selector: { matchLabels: { app: "web" } }, template } };
    }
}

export function ruleNamed(name: string): ObjectRule {
    const rule = RULES.find((r) => r.name === name);
    assert.ok(rule && rule.target === "object", `no object rule ${name}`);
    return rule;
}

/** The policy's findings on an object, through the engine (with Kyverno's rule names), config as the pack takes it. */
export function findings(policy: string, object: Record<string, unknown>, settings: Record<string, unknown> = {}): Finding[] {
    return evaluateObject(ruleNamed(policy), object as KubeObject, { [policy]: { enforcementLevel: "advisory", ...settings } });
}

/** The policy's findings on a Pod whose spec is `spec` exactly (no good defaults merged), as `field (rule)` lines. */
export function onPod(policy: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): string[] {
    return findings(policy, { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "apps", ...metadata }, spec }).map((f) => `${f.field} (${f.rule})`);
}

export interface PodCase {
    readonly container?: Record<string, unknown>;
    readonly pod?: Record<string, unknown>;
    readonly metadata?: Record<string, unknown>;
}

/**
 * The rule passes the good case and flags the bad one in every kind it covers and every container list,
 * through the pack as the policy server calls it; and it does not evaluate the pod kinds Kyverno skips.
 */
export function podRuleCases(policy: string, cases: { pass: PodCase; fail: PodCase; message: RegExp; lists?: string[] }): void {
    const kinds = ruleNamed(policy).kinds;
    const lists = cases.lists ?? (cases.fail.container ? ["containers", "initContainers", "ephemeralContainers"] : ["containers"]);
    for (const kind of kinds) {
        for (const list of lists) {
            it(`passes a compliant ${kind} (${list})`, () => {
                const object = wrap(kind, podSpec(cases.pass.container, cases.pass.pod, list), cases.pass.metadata);
                assert.deepStrictEqual(runResourcePolicy(policy, TOKENS[kind], object), []);
            });
            it(`flags a ${kind} (${list})`, () => {
                const object = wrap(kind, podSpec(cases.fail.container, cases.fail.pod, list), cases.fail.metadata);
                const messages = runResourcePolicy(policy, TOKENS[kind], object);
                assert.ok(messages.some((m) => cases.message.test(m)), `expected ${cases.message} in ${JSON.stringify(messages)}`);
                if (cases.fail.container) {
                    assert.ok(messages.some((m) => m.includes(`.${list}[0]`)), `the field names the ${list} entry: ${JSON.stringify(messages)}`);
                }
            });
        }
    }
    const skipped = POD_KINDS.filter((kind) => !kinds.includes(kind));
    if (skipped.length) {
        it(`does not evaluate ${skipped.join(", ")}, as Kyverno does not`, () => {
            for (const kind of skipped) {
                const object = wrap(kind, podSpec(cases.fail.container, cases.fail.pod), cases.fail.metadata);
                assert.deepStrictEqual(runResourcePolicy(policy, TOKENS[kind], object), [], kind);
            }
        });
    }
    it("is not applicable to other kinds", () => {
        assert.deepStrictEqual(runResourcePolicy(policy, "kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "apps" }, data: {} }), []);
    });
    it("honours namespace and workload exemptions, and skips the namespaces openCenter's Kyverno skips by default", () => {
        const object = wrap("Deployment", podSpec(cases.fail.container, cases.fail.pod), cases.fail.metadata);
        assert.deepStrictEqual(runResourcePolicy(policy, TOKENS.Deployment, object, { exemptNamespaces: ["apps"] }), []);
        assert.deepStrictEqual(runResourcePolicy(policy, TOKENS.Deployment, object, { exemptWorkloads: ["apps/web"] }), []);
        for (const namespace of ["kube-system", "kube-public", "kube-node-lease", "kyverno"]) {
            const system = wrap("Deployment", podSpec(cases.fail.container, cases.fail.pod), { ...cases.fail.metadata, namespace });
            assert.deepStrictEqual(runResourcePolicy(policy, TOKENS.Deployment, system), [], namespace);
        }
    });
}
