import * as assert from "assert";
import { findings } from "./cases";
import { runResourcePolicy } from "./harness";

const service = (spec: unknown) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "apps" }, spec });

describe("policy restrict-nodeport", () => {
    it("passes other types and no type", () => {
        for (const spec of [{ type: "LoadBalancer" }, { type: "ClusterIP" }, {}]) {
            assert.deepStrictEqual(runResourcePolicy("restrict-nodeport", "kubernetes:core/v1:Service", service(spec)), []);
        }
    });
    it("flags NodePort under rule validate-nodeport", () => {
        assert.deepStrictEqual(runResourcePolicy("restrict-nodeport", "kubernetes:core/v1:Service", service({ type: "NodePort" })), ["spec.type: NodePort is not allowed"]);
        assert.deepStrictEqual(findings("restrict-nodeport", service({ type: "NodePort" })).map((f) => f.rule), ["validate-nodeport"]);
    });
});
