import { podRuleCases } from "./cases";

describe("policy disallow-host-path", () => {
    podRuleCases("disallow-host-path", {
        pass: {"pod": {"volumes": [{"name": "scratch", "emptyDir": {}}]}},
        fail: {"pod": {"volumes": [{"name": "etc", "hostPath": {"path": "/etc"}}]}},
        message: /volume etc must not be a hostPath/,
    });
});
