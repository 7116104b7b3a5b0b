import { podRuleCases } from "./cases";

describe("policy disallow-host-ports-range", () => {
    podRuleCases("disallow-host-ports-range", {
        pass: {"container": {"ports": [{"containerPort": 80, "hostPort": 5500}]}},
        fail: {"container": {"ports": [{"containerPort": 80, "hostPort": 80}]}},
        message: /hostPort 80 is outside 5000-6000/,
    });
});
