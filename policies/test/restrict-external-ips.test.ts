import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy restrict-external-ips", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("restrict-external-ips", "kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps", labels: { "app.kubernetes.io/name": "s" } }, spec: { type: "ClusterIP" } }), []));
    it("fails", () => {
        const messages = runResourcePolicy("restrict-external-ips", "kubernetes:core/v1:Service", { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps", labels: { "app.kubernetes.io/name": "s" } }, spec: { externalIPs: ["1.2.3.4"] } });
        assert.ok(messages.some((m) => /externalIPs must be unset/.test(m)), JSON.stringify(messages));
    });
});
