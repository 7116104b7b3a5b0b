import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (runAsUser: unknown) => ({ name: "c", image: "x:1", securityContext: { runAsUser } });

describe("policy require-run-as-non-root-user", () => {
    podRuleCases("require-run-as-non-root-user", {
        pass: { container: { securityContext: { runAsUser: 1000 } } },
        fail: { container: { securityContext: { runAsUser: 0 } } },
        message: /runAsUser: must be unset or above 0/,
    });
    describe("rule run-as-non-root-user", () => {
        it("passes runAsUser unset or above zero, on the pod and on containers", () => {
            assert.deepStrictEqual(onPod("require-run-as-non-root-user", { securityContext: { runAsUser: 1000 }, containers: [c(65534), { name: "d", image: "x:1" }] }), []);
        });
        it("flags 0 and negative values wherever they are", () => {
            assert.deepStrictEqual(onPod("require-run-as-non-root-user", { securityContext: { runAsUser: 0 }, containers: [c(0)], initContainers: [c(-1)], ephemeralContainers: [c(0)] }), [
                "spec.securityContext.runAsUser (run-as-non-root-user)",
                "spec.containers[0].securityContext.runAsUser (run-as-non-root-user)",
                "spec.initContainers[0].securityContext.runAsUser (run-as-non-root-user)",
                "spec.ephemeralContainers[0].securityContext.runAsUser (run-as-non-root-user)",
            ]);
        });
    });
});
