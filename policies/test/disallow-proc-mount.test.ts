import { podRuleCases } from "./cases";

describe("policy disallow-proc-mount", () => {
    podRuleCases("disallow-proc-mount", {
        pass: {"container": {"securityContext": {"procMount": "Default"}}},
        fail: {"container": {"securityContext": {"procMount": "Unmasked"}}},
        message: /procMount Unmasked must be unset or Default/,
    });
});
