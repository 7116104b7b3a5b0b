import { podRuleCases } from "./cases";

describe("policy require-ro-rootfs", () => {
    podRuleCases("require-ro-rootfs", {
        pass: {},
        fail: {"container": {"securityContext": {"readOnlyRootFilesystem": false}}},
        message: /must be true/,
    });
});
