import { podRuleCases } from "./cases";

describe("policy restrict-seccomp-strict", () => {
    podRuleCases("restrict-seccomp-strict", {
        pass: {},
        fail: {"container": {"securityContext": {"seccompProfile": {"type": "Unconfined"}}}},
        message: /Unconfined is not allowed/,
    });
});
