import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (drop: unknown) => ({ name: "c", image: "x:1", securityContext: { capabilities: { drop } } });

describe("policy drop-all-capabilities", () => {
    podRuleCases("drop-all-capabilities", {
        pass: {},
        fail: { container: { securityContext: { capabilities: { drop: ["NET_RAW"] } } } },
        message: /must include ALL/,
    });
    describe("rule require-drop-all", () => {
        it("passes ALL in any letter case (Kyverno upper-cases the list)", () => {
            assert.deepStrictEqual(onPod("drop-all-capabilities", { containers: [c(["ALL"]), c(["all"]), c(["NET_RAW", "All"])] }), []);
        });
        it("flags containers in every list that do not drop ALL", () => {
            assert.deepStrictEqual(onPod("drop-all-capabilities", { containers: [c(["NET_RAW"])], initContainers: [{ name: "i", image: "x:1" }], ephemeralContainers: [c([])] }), [
                "spec.containers[0].securityContext.capabilities.drop (require-drop-all)", "spec.initContainers[0].securityContext.capabilities.drop (require-drop-all)",
                "spec.ephemeralContainers[0].securityContext.capabilities.drop (require-drop-all)",
            ]);
        });
    });
});
