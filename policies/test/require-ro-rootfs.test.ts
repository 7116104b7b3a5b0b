import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const c = (readOnlyRootFilesystem: unknown) => ({ name: "c", image: "x:1", securityContext: { readOnlyRootFilesystem } });

describe("policy require-ro-rootfs", () => {
    podRuleCases("require-ro-rootfs", {
        pass: {},
        fail: { container: { securityContext: { readOnlyRootFilesystem: false } } },
        message: /must be true/, lists: ["containers"],
    });
    describe("rule validate-readOnlyRootFilesystem", () => {
        it("flags false, unset and non-boolean values in containers, and does not read init or ephemeral containers", () => {
            assert.deepStrictEqual(onPod("require-ro-rootfs", { containers: [c(true), c(false), c("true"), { name: "d", image: "x:1" }], initContainers: [c(false)] }), [
                "spec.containers[1].securityContext.readOnlyRootFilesystem (validate-readOnlyRootFilesystem)",
                "spec.containers[2].securityContext.readOnlyRootFilesystem (validate-readOnlyRootFilesystem)",
                "spec.containers[3].securityContext.readOnlyRootFilesystem (validate-readOnlyRootFilesystem)",
            ]);
        });
    });
});
