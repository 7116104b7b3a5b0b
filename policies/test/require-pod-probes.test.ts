import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (probes: Record<string, unknown>) => ({ name: "c", image: "x:1", ...probes });
const probe = { httpGet: { path: "/", port: 80 } };

describe("policy require-pod-probes", () => {
    podRuleCases("require-pod-probes", {
        pass: { container: { livenessProbe: undefined, readinessProbe: probe } },
        fail: { container: { livenessProbe: undefined, readinessProbe: undefined } },
        message: /one of livenessProbe, readinessProbe or startupProbe is required/, lists: ["containers"],
    });
    describe("rule validate-probes (known disagreement: any one probe is enough)", () => {
        it("passes a container with only a liveness, only a readiness or only a startup probe", () => {
            assert.deepStrictEqual(onPod("require-pod-probes", { containers: [c({ livenessProbe: probe }), c({ readinessProbe: probe }), c({ startupProbe: probe })] }), []);
        });
        it("flags a container with none, and does not read init or ephemeral containers", () => {
            assert.deepStrictEqual(onPod("require-pod-probes", { containers: [c({ startupProbe: probe }), c({})], initContainers: [c({})], ephemeralContainers: [c({})] }), ["spec.containers[1].livenessProbe (validate-probes)"]);
        });
    });
});
