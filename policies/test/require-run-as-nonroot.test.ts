import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (runAsNonRoot?: unknown) => ({ name: "c", image: "x:1", securityContext: runAsNonRoot === undefined ? {} : { runAsNonRoot } });
const policy = "require-run-as-nonroot";

describe("policy require-run-as-nonroot", () => {
    podRuleCases(policy, {
        pass: { container: { securityContext: { runAsNonRoot: true } } },
        fail: { container: { securityContext: { runAsNonRoot: false } } },
        message: /runAsNonRoot: must be true or unset when the pod sets runAsNonRoot/,
    });
    describe("rule run-as-non-root (either pattern passes)", () => {
        it("pattern 1: the pod sets true and no container says otherwise", () => {
            assert.deepStrictEqual(onPod(policy, { securityContext: { runAsNonRoot: true }, containers: [c(), c(true)], initContainers: [c()] }), []);
        });
        it("pattern 2: every container sets true, whatever the pod says", () => {
            assert.deepStrictEqual(onPod(policy, { securityContext: { runAsNonRoot: false }, containers: [c(true)], initContainers: [c(true)], ephemeralContainers: [c(true)] }), []);
        });
        it("flags the containers that override a pod-level true", () => {
            assert.deepStrictEqual(onPod(policy, { securityContext: { runAsNonRoot: true }, containers: [c(false), c()] }), ["spec.containers[0].securityContext.runAsNonRoot (run-as-non-root)"]);
        });
        it("flags every container without true when the pod does not set true", () => {
            assert.deepStrictEqual(onPod(policy, { containers: [c(true), c()], initContainers: [c("true")] }), [
                "spec.containers[1].securityContext.runAsNonRoot (run-as-non-root)",
                "spec.initContainers[0].securityContext.runAsNonRoot (run-as-non-root)",
            ]);
        });
    });
});
