import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (resources: unknown) => ({ name: "c", image: "x:1", resources });

describe("policy require-requests-limits", () => {
    podRuleCases("require-requests-limits", {
        pass: {},
        fail: { container: { resources: { requests: { memory: "64Mi" } } } },
        message: /cpu request is required/, lists: ["containers"],
    });
    describe("rule validate-resources", () => {
        it("passes CPU and memory requests and a memory limit, numbers included", () => {
            assert.deepStrictEqual(onPod("require-requests-limits", { containers: [c({ requests: { cpu: 1, memory: "1Gi" }, limits: { memory: "1Gi" } })] }), []);
        });
        it("flags each missing or empty value, in containers only", () => {
            assert.deepStrictEqual(onPod("require-requests-limits", { containers: [c({ requests: { cpu: "" }, limits: {} })], initContainers: [c({})] }), [
                "spec.containers[0].resources.requests.cpu (validate-resources)", "spec.containers[0].resources.requests.memory (validate-resources)",
                "spec.containers[0].resources.limits.memory (validate-resources)",
            ]);
        });
    });
});
