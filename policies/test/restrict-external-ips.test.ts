import * as assert from "assert";
import { findings } from "./cases";
import { runResourcePolicy } from "./harness";

const service = (spec: unknown) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps" }, spec });

describe("policy restrict-external-ips", () => {
    it("passes a Service without externalIPs", () => assert.deepStrictEqual(runResourcePolicy("restrict-external-ips", "kubernetes:core/v1:Service", service({ type: "ClusterIP" })), []));
    it("flags externalIPs under rule check-ips, even an empty list (the key must be absent)", () => {
        assert.deepStrictEqual(runResourcePolicy("restrict-external-ips", "kubernetes:core/v1:Service", service({ externalIPs: ["1.2.3.4"] })), ["spec.externalIPs: externalIPs must be unset"]);
        assert.deepStrictEqual(findings("restrict-external-ips", service({ externalIPs: [] })).map((f) => f.rule), ["check-ips"]);
    });
});
