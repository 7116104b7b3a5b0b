import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (type: unknown) => ({ name: "c", image: "x:1", securityContext: { seccompProfile: { type } } });

describe("policy restrict-seccomp", () => {
    podRuleCases("restrict-seccomp", {
        pass: { container: { securityContext: { seccompProfile: { type: "Localhost", localhostProfile: "p.json" } } } },
        fail: { container: { securityContext: { seccompProfile: { type: "Unconfined" } } } },
        message: /seccomp profile Unconfined is not allowed/,
    });
    describe("rule check-seccomp", () => {
        it("passes the type unset, RuntimeDefault or Localhost", () => {
            assert.deepStrictEqual(onPod("restrict-seccomp", { containers: [c("RuntimeDefault"), c("Localhost"), { name: "d", image: "x:1" }] }), []);
        });
        it("flags Unconfined on the pod and in every list", () => {
            assert.deepStrictEqual(onPod("restrict-seccomp", { securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [c("Unconfined")], initContainers: [c("Unconfined")], ephemeralContainers: [c("runtimedefault")] }), [
                "spec.securityContext.seccompProfile.type (check-seccomp)",
                "spec.containers[0].securityContext.seccompProfile.type (check-seccomp)",
                "spec.initContainers[0].securityContext.seccompProfile.type (check-seccomp)",
                "spec.ephemeralContainers[0].securityContext.seccompProfile.type (check-seccomp)",
            ]);
        });
    });
});
