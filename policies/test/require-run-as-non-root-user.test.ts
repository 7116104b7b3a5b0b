import { podRuleCases } from "./cases";

describe("policy require-run-as-non-root-user", () => {
    podRuleCases("require-run-as-non-root-user", {
        pass: {"container": {"securityContext": {"runAsUser": 1000}}},
        fail: {"container": {"securityContext": {"runAsUser": 0}}},
        message: /must not be 0/,
    });
});
