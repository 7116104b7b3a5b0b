import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (securityContext: unknown) => ({ name: "c", image: "x:1", securityContext });

describe("policy disallow-capabilities", () => {
    podRuleCases("disallow-capabilities", {
        pass: { container: { securityContext: { capabilities: { add: ["CHOWN", "NET_BIND_SERVICE"] } } } },
        fail: { container: { securityContext: { capabilities: { add: ["NET_ADMIN"] } } } },
        message: /capability NET_ADMIN may not be added/,
    });
    describe("rule adding-capabilities", () => {
        it("allows every capability of the baseline set, and no capabilities at all", () => {
            assert.deepStrictEqual(onPod("disallow-capabilities", { containers: [c({ capabilities: { add: ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"] } })] }), []);
            assert.deepStrictEqual(onPod("disallow-capabilities", { containers: [c(undefined), c({ capabilities: {} }), c({ capabilities: { drop: ["ALL"] } })] }), []);
        });
        it("flags each capability outside the set, in any container list, by its index", () => {
            assert.deepStrictEqual(onPod("disallow-capabilities", {
                containers: [c({ capabilities: { add: ["CHOWN", "SYS_ADMIN"] } })],
                initContainers: [c({ capabilities: { add: ["NET_RAW"] } })],
                ephemeralContainers: [c({ capabilities: { add: ["sys_chroot"] } })],
            }), [
                "spec.containers[0].securityContext.capabilities.add[1] (adding-capabilities)",
                "spec.initContainers[0].securityContext.capabilities.add[0] (adding-capabilities)",
                "spec.ephemeralContainers[0].securityContext.capabilities.add[0] (adding-capabilities)",
            ]);
        });
    });
});
