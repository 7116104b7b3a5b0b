import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (hostProcess: unknown) => ({ name: "c", image: "x:1", securityContext: { windowsOptions: { hostProcess } } });

describe("policy disallow-host-process", () => {
    podRuleCases("disallow-host-process", {
        pass: { container: { securityContext: { windowsOptions: { hostProcess: false } } } },
        fail: { container: { securityContext: { windowsOptions: { hostProcess: true } } } },
        message: /hostProcess must be unset or false/,
    });
    describe("rule host-process-containers", () => {
        it("passes containers with hostProcess unset or false", () => {
            assert.deepStrictEqual(onPod("disallow-host-process", { containers: [c(false), { name: "d", image: "x:1" }, { name: "e", image: "x:1", securityContext: { windowsOptions: {} } }] }), []);
        });
        it("flags hostProcess true in every container list", () => {
            assert.deepStrictEqual(onPod("disallow-host-process", { containers: [c(true)], initContainers: [c(true)], ephemeralContainers: [c(true)] }), [
                "spec.containers[0].securityContext.windowsOptions.hostProcess (host-process-containers)",
                "spec.initContainers[0].securityContext.windowsOptions.hostProcess (host-process-containers)",
                "spec.ephemeralContainers[0].securityContext.windowsOptions.hostProcess (host-process-containers)",
            ]);
        });
        it("does not read the pod-level securityContext, as Kyverno's pattern does not", () => {
            assert.deepStrictEqual(onPod("disallow-host-process", { securityContext: { windowsOptions: { hostProcess: true } }, containers: [{ name: "c", image: "x:1" }] }), []);
        });
    });
});
