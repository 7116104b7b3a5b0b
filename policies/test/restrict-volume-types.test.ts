import { podRuleCases } from "./cases";

describe("policy restrict-volume-types", () => {
    podRuleCases("restrict-volume-types", {
        pass: {"pod": {"volumes": [{"name": "config", "configMap": {"name": "c"}}]}},
        fail: {"pod": {"volumes": [{"name": "share", "nfs": {"server": "nfs", "path": "/"}}]}},
        message: /volume type nfs is not allowed/,
    });
});
