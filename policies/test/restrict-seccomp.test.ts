import { podRuleCases } from "./cases";

describe("policy restrict-seccomp", () => {
    podRuleCases("restrict-seccomp", {
        pass: {"container": {"securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}}},
        fail: {"container": {"securityContext": {"seccompProfile": {"type": "Unconfined"}}}},
        message: /seccomp profile Unconfined is not allowed/,
    });
});
