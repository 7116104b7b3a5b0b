import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const containers = [{ name: "c", image: "x:1" }];

describe("policy disallow-host-namespaces", () => {
    podRuleCases("disallow-host-namespaces", {
        pass: { pod: { hostNetwork: false } },
        fail: { pod: { hostPID: true } },
        message: /hostPID must be unset or false/,
    });
    describe("rule host-namespaces", () => {
        it("passes the fields unset or false", () => {
            assert.deepStrictEqual(onPod("disallow-host-namespaces", { containers }), []);
            assert.deepStrictEqual(onPod("disallow-host-namespaces", { containers, hostNetwork: false, hostPID: false, hostIPC: false }), []);
        });
        it("flags each field that is true", () => {
            assert.deepStrictEqual(onPod("disallow-host-namespaces", { containers, hostNetwork: true, hostPID: true, hostIPC: true }), [
                "spec.hostPID (host-namespaces)", "spec.hostIPC (host-namespaces)", "spec.hostNetwork (host-namespaces)",
            ]);
        });
        it("flags a field present with no value (the key is there; its value is not false)", () => {
            assert.deepStrictEqual(onPod("disallow-host-namespaces", { containers, hostIPC: null }), ["spec.hostIPC (host-namespaces)"]);
        });
    });
});
