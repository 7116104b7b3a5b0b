import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (capabilities: unknown) => ({ name: "c", image: "x:1", securityContext: { capabilities } });
const policy = "disallow-capabilities-strict";

describe("policy disallow-capabilities-strict", () => {
    podRuleCases(policy, {
        pass: { container: { securityContext: { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } } } },
        fail: { container: { securityContext: { capabilities: { drop: ["ALL"], add: ["CHOWN"] } } } },
        message: /capability CHOWN may not be added; allowed: NET_BIND_SERVICE/,
    });
    describe("rule require-drop-all", () => {
        it("passes a container that drops ALL, alone or among others", () => {
            assert.deepStrictEqual(onPod(policy, { containers: [c({ drop: ["ALL"] }), c({ drop: ["NET_RAW", "ALL"] })] }), []);
        });
        it("flags a container that drops less, nothing, or `all` in lower case (Kyverno compares exactly)", () => {
            assert.deepStrictEqual(onPod(policy, { containers: [c({ drop: ["NET_RAW"] }), { name: "bare", image: "x:1" }], initContainers: [c({ drop: ["all"] })] }), [
                "spec.containers[0].securityContext.capabilities.drop (require-drop-all)",
                "spec.containers[1].securityContext.capabilities.drop (require-drop-all)",
                "spec.initContainers[0].securityContext.capabilities.drop (require-drop-all)",
            ]);
        });
    });
    describe("rule adding-capabilities-strict (known disagreement: adding NET_BIND_SERVICE is allowed)", () => {
        it("allows adding NET_BIND_SERVICE, and an empty entry, to a container that drops ALL", () => {
            assert.deepStrictEqual(onPod(policy, { containers: [c({ drop: ["ALL"], add: ["NET_BIND_SERVICE"] }), c({ drop: ["ALL"], add: [""] })] }), []);
        });
        it("holds NET_BIND_SERVICE against adding-capabilities-strict even where ALL is not dropped: only require-drop-all fails", () => {
            assert.deepStrictEqual(onPod(policy, { containers: [c({ add: ["NET_BIND_SERVICE"] })] }), ["spec.containers[0].securityContext.capabilities.drop (require-drop-all)"]);
        });
        it("flags any other capability, with or without NET_BIND_SERVICE beside it", () => {
            assert.deepStrictEqual(onPod(policy, { containers: [c({ drop: ["ALL"], add: ["NET_BIND_SERVICE", "CHOWN"] })], ephemeralContainers: [c({ drop: ["ALL"], add: ["SYS_ADMIN"] })] }), [
                "spec.containers[0].securityContext.capabilities.add[1] (adding-capabilities-strict)",
                "spec.ephemeralContainers[0].securityContext.capabilities.add[0] (adding-capabilities-strict)",
            ]);
        });
    });
});
