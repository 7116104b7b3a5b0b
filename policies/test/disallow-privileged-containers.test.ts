import { podRuleCases } from "./cases";

describe("policy disallow-privileged-containers", () => {
    podRuleCases("disallow-privileged-containers", {
        pass: {"container": {"securityContext": {"privileged": false}}},
        fail: {"container": {"securityContext": {"privileged": true}}},
        message: /privileged must be unset or false/,
    });
});
