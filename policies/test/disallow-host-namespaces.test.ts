import { podRuleCases } from "./cases";

describe("policy disallow-host-namespaces", () => {
    podRuleCases("disallow-host-namespaces", {
        pass: {},
        fail: {"pod": {"hostNetwork": true}},
        message: /hostNetwork must be unset or false/,
    });
});
