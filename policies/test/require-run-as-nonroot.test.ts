import { podRuleCases } from "./cases";

describe("policy require-run-as-nonroot", () => {
    podRuleCases("require-run-as-nonroot", {
        pass: {},
        fail: {"container": {"securityContext": {"runAsNonRoot": false}}},
        message: /must not be false/,
    });
});
