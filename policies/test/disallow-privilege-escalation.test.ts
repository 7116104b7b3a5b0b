import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (securityContext?: unknown) => ({ name: "c", image: "x:1", ...(securityContext === undefined ? {} : { securityContext }) });

describe("policy disallow-privilege-escalation", () => {
    podRuleCases("disallow-privilege-escalation", {
        pass: {},
        fail: { container: { securityContext: { allowPrivilegeEscalation: true } } },
        message: /allowPrivilegeEscalation: must be set to false/,
    });
    describe("rule privilege-escalation", () => {
        it("passes every container setting it to false", () => {
            assert.deepStrictEqual(onPod("disallow-privilege-escalation", { containers: [c({ allowPrivilegeEscalation: false })], initContainers: [c({ allowPrivilegeEscalation: false })] }), []);
        });
        it("flags it true, unset, or without a securityContext, in every list", () => {
            assert.deepStrictEqual(onPod("disallow-privilege-escalation", { containers: [c({ allowPrivilegeEscalation: true }), c({})], initContainers: [c()], ephemeralContainers: [c({ privileged: false })] }), [
                "spec.containers[0].securityContext.allowPrivilegeEscalation (privilege-escalation)",
                "spec.containers[1].securityContext.allowPrivilegeEscalation (privilege-escalation)",
                "spec.initContainers[0].securityContext.allowPrivilegeEscalation (privilege-escalation)",
                "spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation (privilege-escalation)",
            ]);
        });
    });
});
