import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy restrict-nodeport", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("restrict-nodeport", "kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps", labels: { "app.kubernetes.io/name": "s" } }, spec: { type: "LoadBalancer" } }), []));
    it("fails", () => {
        const messages = runResourcePolicy("restrict-nodeport", "kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps", labels: { "app.kubernetes.io/name": "s" } }, spec: { type: "NodePort" } });
        assert.ok(messages.some((m) => /NodePort is not allowed/.test(m)), JSON.stringify(messages));
    });
});
