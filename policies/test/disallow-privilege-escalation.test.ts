import { podRuleCases } from "./cases";

describe("policy disallow-privilege-escalation", () => {
    podRuleCases("disallow-privilege-escalation", {
        pass: {},
        fail: {"container": {"securityContext": {"allowPrivilegeEscalation": true}}},
        message: /must be set to false/,
    });
});
