/** Building test objects: a pod spec in every controller kind, a container in every container list. */
import * as assert from "assert";
import { runResourcePolicy } from "./harness";

export const TOKENS: Record<string, string> = {
    Pod: "kubernetes:core/v1:Pod", Deployment: "kubernetes:apps/v1:Deployment", StatefulSet: "kubernetes:apps/v1:StatefulSet",
    DaemonSet: "kubernetes:apps/v1:DaemonSet", ReplicaSet: "kubernetes:apps/v1:ReplicaSet", Job: "kubernetes:batch/v1:Job", CronJob: "kubernetes:batch/v1:CronJob",
};

const GOOD_CONTAINER = {
    name: "app", image: "ghcr.io/acme/app:1.2.3",
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    livenessProbe: { httpGet: { path: "/healthz", port: 8080 } }, readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
};

export function podSpec(container: Record<string, unknown> = {}, pod: Record<string, unknown> = {}, list = "containers"): Record<string, unknown> {
    const merged = { ...GOOD_CONTAINER, ...container, securityContext: { ...GOOD_CONTAINER.securityContext, ...((container.securityContext as object) ?? {}) } };
    const base: Record<string, unknown> = { containers: [GOOD_CONTAINER] };
    if (list === "containers") base.containers = [merged];
    else base[list] = [merged];
    return { ...base, securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, ...pod };
}

export function wrap(kind: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Record<string, unknown> {
    const meta = { name: "web", namespace: "apps", labels: { "app.kubernetes.io/name": "web" }, ...metadata };
    const template = { metadata: { labels: { app: "web" }, annotations: (metadata.templateAnnotations as object) ?? {} }, spec };
    switch (kind) {
        case "Pod": return { apiVersion: "v1", kind, metadata: { ...meta, annotations: (metadata.templateAnnotations as object) ?? {} }, spec };
        case "CronJob": return { apiVersion: "batch/v1", kind, metadata: meta, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } } };
        case "Job": return { apiVersion: "batch/v1", kind, metadata: meta, spec: { template } };
        default: return { apiVersion: "apps/v1", kind, metadata: meta, spec: { selector: { matchLabels: { app: "web" } }, template } };
    }
}

export interface PodCase {
    readonly container?: Record<string, unknown>;
    readonly pod?: Record<string, unknown>;
    readonly metadata?: Record<string, unknown>;
}

/** The rule passes the good case and flags the bad one in every controller kind and container list. */
export function podRuleCases(policy: string, cases: { pass: PodCase; fail: PodCase; message: RegExp; lists?: string[] }): void {
    const lists = cases.lists ?? (cases.fail.container ? ["containers", "initContainers", "ephemeralContainers"] : ["containers"]);
    for (const kind of Object.keys(TOKENS)) {
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
    it("is not applicable to other kinds", () => {
        assert.deepStrictEqual(runResourcePolicy(policy, "kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "apps" }, data: {} }), []);
    });
    it("honours namespace and workload exemptions from config", () => {
        const object = wrap("Deployment", podSpec(cases.fail.container, cases.fail.pod), cases.fail.metadata);
        assert.deepStrictEqual(runResourcePolicy(policy, TOKENS.Deployment, object, { exemptNamespaces: ["apps"] }), []);
        assert.deepStrictEqual(runResourcePolicy(policy, TOKENS.Deployment, object, { exemptWorkloads: ["apps/web"] }), []);
    });
}
