import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (procMount: unknown) => ({ name: "c", image: "x:1", securityContext: { procMount } });

describe("policy disallow-proc-mount", () => {
    podRuleCases("disallow-proc-mount", {
        pass: { container: { securityContext: { procMount: "Default" } } },
        fail: { container: { securityContext: { procMount: "Unmasked" } } },
        message: /procMount Unmasked is not allowed; allowed: Default/,
    });
    describe("rule check-proc-mount", () => {
        it("passes procMount unset or Default", () => {
            assert.deepStrictEqual(onPod("disallow-proc-mount", { containers: [c("Default"), { name: "d", image: "x:1" }] }), []);
        });
        it("flags any other value in every list, letter case included", () => {
            assert.deepStrictEqual(onPod("disallow-proc-mount", { containers: [c("Unmasked")], initContainers: [c("default")], ephemeralContainers: [c("Unmasked")] }), [
                "spec.containers[0].securityContext.procMount (check-proc-mount)",
                "spec.initContainers[0].securityContext.procMount (check-proc-mount)",
                "spec.ephemeralContainers[0].securityContext.procMount (check-proc-mount)",
            ]);
        });
    });
});
