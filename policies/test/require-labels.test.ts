import * as assert from "assert";
import { findings, podRuleCases, podSpec, wrap } from "./cases";

describe("policy require-labels", () => {
    podRuleCases("require-labels", {
        pass: {},
        fail: { metadata: { templateLabels: { app: "web" } } },
        message: /label app.kubernetes.io\/name is required/,
    });
    describe("rule check-for-labels", () => {
        it("reads the pod template's labels on a controller (autogen), not the controller's own", () => {
            const object = wrap("Deployment", podSpec(), { labels: {}, templateLabels: { "app.kubernetes.io/name": "web" } });
            assert.deepStrictEqual(findings("require-labels", object), []);
            const unlabelled = wrap("Deployment", podSpec(), { labels: { "app.kubernetes.io/name": "web" }, templateLabels: {} });
            assert.deepStrictEqual(findings("require-labels", unlabelled).map((f) => `${f.field} (${f.rule})`), ['spec.template.metadata.labels["app.kubernetes.io/name"] (check-for-labels)']);
        });
        it("flags an empty value (the pattern is `?*`)", () => {
            assert.strictEqual(findings("require-labels", wrap("Pod", podSpec(), { templateLabels: { "app.kubernetes.io/name": "" } })).length, 1);
        });
        it("takes the required labels from config", () => {
            const object = wrap("Pod", podSpec(), { templateLabels: { team: "a" } });
            assert.deepStrictEqual(findings("require-labels", object, { requiredLabels: ["team"] }), []);
            assert.strictEqual(findings("require-labels", object, { requiredLabels: ["team", "tier"] }).length, 1);
        });
        it("does not check Services (Kyverno's policy matches Pods)", () => {
            assert.deepStrictEqual(findings("require-labels", { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps" }, spec: {} }), []);
        });
    });
});
