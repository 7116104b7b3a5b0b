import { podRuleCases } from "./cases";

describe("policy disallow-host-process", () => {
    podRuleCases("disallow-host-process", {
        pass: {},
        fail: {"container": {"securityContext": {"windowsOptions": {"hostProcess": true}}}},
        message: /hostProcess must be unset or false/,
    });
});
