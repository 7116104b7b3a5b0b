import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (type?: unknown) => ({ name: "c", image: "x:1", securityContext: type === undefined ? {} : { seccompProfile: { type } } });
const policy = "restrict-seccomp-strict";

describe("policy restrict-seccomp-strict", () => {
    podRuleCases(policy, {
        pass: { container: { securityContext: { seccompProfile: { type: "RuntimeDefault" } } } },
        fail: { container: { securityContext: { seccompProfile: { type: "Unconfined" } } } },
        message: /Unconfined is not allowed; allowed: RuntimeDefault, Localhost/,
    });
    describe("rule check-seccomp-strict (either pattern passes)", () => {
        it("pattern 1: an allowed pod-level type, containers unset or allowed", () => {
            assert.deepStrictEqual(onPod(policy, { securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [c(), c("Localhost")] }), []);
        });
        it("pattern 2: every container sets an allowed type; the pod-level type is not read", () => {
            assert.deepStrictEqual(onPod(policy, { securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [c("RuntimeDefault")], initContainers: [c("Localhost")] }), []);
        });
        it("flags a container overriding an allowed pod-level type", () => {
            assert.deepStrictEqual(onPod(policy, { securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [c("Unconfined"), c()] }), ["spec.containers[0].securityContext.seccompProfile.type (check-seccomp-strict)"]);
        });
        it("flags the pod-level type and every container without an allowed type when the pod sets none allowed", () => {
            assert.deepStrictEqual(onPod(policy, { securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [c("RuntimeDefault"), c()] }), [
                "spec.securityContext.seccompProfile.type (check-seccomp-strict)", "spec.containers[1].securityContext.seccompProfile.type (check-seccomp-strict)",
            ]);
            assert.deepStrictEqual(onPod(policy, { containers: [c()], ephemeralContainers: [c("Unconfined")] }), [
                "spec.containers[0].securityContext.seccompProfile.type (check-seccomp-strict)", "spec.ephemeralContainers[0].securityContext.seccompProfile.type (check-seccomp-strict)",
            ]);
        });
    });
});
