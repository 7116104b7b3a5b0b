import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy disallow-empty-ingress-host", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("disallow-empty-ingress-host", "kubernetes:networking.k8s.io/v1:Ingress", { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i", namespace: "apps" }, spec: { rules: [{ host: "app.example.com", http: { paths: [] } }] } }), []));
    it("fails", () => {
        const messages = runResourcePolicy("disallow-empty-ingress-host", "kubernetes:networking.k8s.io/v1:Ingress", { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i", namespace: "apps" }, spec: { rules: [{ http: { paths: [] } }] } });
        assert.ok(messages.some((m) => /spec\.rules\[0\]\.host: host is required/.test(m)), JSON.stringify(messages));
    });
});
