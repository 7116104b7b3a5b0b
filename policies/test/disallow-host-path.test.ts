import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const containers = [{ name: "c", image: "x:1" }];

describe("policy disallow-host-path", () => {
    podRuleCases("disallow-host-path", {
        pass: { pod: { volumes: [{ name: "data", emptyDir: {} }] } },
        fail: { pod: { volumes: [{ name: "root", hostPath: { path: "/" } }] } },
        message: /volume root must not be a hostPath/,
    });
    describe("rule host-path", () => {
        it("passes pods without volumes or without hostPath volumes", () => {
            assert.deepStrictEqual(onPod("disallow-host-path", { containers }), []);
            assert.deepStrictEqual(onPod("disallow-host-path", { containers, volumes: [{ name: "a", configMap: { name: "a" } }] }), []);
        });
        it("flags every hostPath volume, even an empty one", () => {
            assert.deepStrictEqual(onPod("disallow-host-path", { containers, volumes: [{ name: "a", emptyDir: {} }, { name: "b", hostPath: { path: "/etc" } }, { name: "c", hostPath: null }] }), [
                "spec.volumes[1].hostPath (host-path)", "spec.volumes[2].hostPath (host-path)",
            ]);
        });
    });
});
