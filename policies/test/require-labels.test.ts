import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy require-labels", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("require-labels", "kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps", labels: { "app.kubernetes.io/name": "s" } }, spec: { type: "ClusterIP" } }), []));
    it("fails", () => {
        const messages = runResourcePolicy("require-labels", "kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps", labels: {} }, spec: {} });
        assert.ok(messages.some((m) => /label app\.kubernetes\.io\/name is required/.test(m)), JSON.stringify(messages));
    });
    it("takes the required labels from config", () => {
        const service = { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps", labels: { team: "a" } }, spec: {} };
        assert.deepStrictEqual(runResourcePolicy("require-labels", "kubernetes:core/v1:Service", service, { requiredLabels: ["team"] }), []);
        assert.strictEqual(runResourcePolicy("require-labels", "kubernetes:core/v1:Service", service, { requiredLabels: ["team", "tier"] }).length, 1);
    });
});
