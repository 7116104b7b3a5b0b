import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (privileged: unknown) => ({ name: "c", image: "x:1", securityContext: { privileged } });

describe("policy disallow-privileged-containers", () => {
    podRuleCases("disallow-privileged-containers", {
        pass: { container: { securityContext: { privileged: false } } },
        fail: { container: { securityContext: { privileged: true } } },
        message: /privileged must be unset or false/,
    });
    describe("rule privileged-containers", () => {
        it("passes privileged unset or false", () => {
            assert.deepStrictEqual(onPod("disallow-privileged-containers", { containers: [c(false), { name: "d", image: "x:1" }] }), []);
        });
        it("flags privileged true in every list", () => {
            assert.deepStrictEqual(onPod("disallow-privileged-containers", { containers: [c(true)], initContainers: [c(true)], ephemeralContainers: [c(true)] }), [
                "spec.containers[0].securityContext.privileged (privileged-containers)",
                "spec.initContainers[0].securityContext.privileged (privileged-containers)",
                "spec.ephemeralContainers[0].securityContext.privileged (privileged-containers)",
            ]);
        });
    });
});
