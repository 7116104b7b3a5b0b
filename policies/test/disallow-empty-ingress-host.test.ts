import * as assert from "assert";
import { findings } from "./cases";
import { runResourcePolicy } from "./harness";

const policy = "disallow-empty-ingress-host";
const ingress = (rules: unknown) => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i", namespace: "apps" }, spec: { rules } });
const http = { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] };

describe("policy disallow-empty-ingress-host", () => {
    it("passes rules that each name a host", () => {
        assert.deepStrictEqual(runResourcePolicy(policy, "kubernetes:networking.k8s.io/v1:Ingress", ingress([{ host: "a.example.com", http }, { host: "b.example.com", http }])), []);
        assert.deepStrictEqual(runResourcePolicy(policy, "kubernetes:networking.k8s.io/v1:Ingress", { ...ingress(undefined), spec: { defaultBackend: http.paths[0].backend } }), []);
    });
    it("flags an http rule without a host", () => {
        const messages = runResourcePolicy(policy, "kubernetes:networking.k8s.io/v1:Ingress", ingress([{ host: "a.example.com", http }, { http }]));
        assert.deepStrictEqual(messages, ["spec.rules[1].host: host is required"]);
        assert.strictEqual(findings(policy, ingress([{ http }]))[0].rule, "disallow-empty-ingress-host");
    });
    it("flags a host without http paths: Kyverno compares the two counts", () => {
        assert.deepStrictEqual(runResourcePolicy(policy, "kubernetes:networking.k8s.io/v1:Ingress", ingress([{ host: "a.example.com" }])), ["spec.rules[0].http: a rule with a host must route paths (http)"]);
    });
    it("passes when the counts match, as Kyverno does, even if a host and an http block sit on different rules", () => {
        assert.deepStrictEqual(runResourcePolicy(policy, "kubernetes:networking.k8s.io/v1:Ingress", ingress([{ host: "a.example.com" }, { http }])), []);
    });
});
