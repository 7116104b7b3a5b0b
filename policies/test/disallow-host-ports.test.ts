import { podRuleCases } from "./cases";

describe("policy disallow-host-ports", () => {
    podRuleCases("disallow-host-ports", {
        pass: {"container": {"ports": [{"containerPort": 80}]}},
        fail: {"container": {"ports": [{"containerPort": 80, "hostPort": 80}]}},
        message: /hostPort 80 must be unset or 0/,
    });
});
