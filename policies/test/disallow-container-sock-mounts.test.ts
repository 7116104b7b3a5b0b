import { podRuleCases } from "./cases";

describe("policy disallow-container-sock-mounts", () => {
    podRuleCases("disallow-container-sock-mounts", {
        pass: {"pod": {"volumes": [{"name": "tmp", "emptyDir": {}}]}},
        fail: {"pod": {"volumes": [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]}},
        message: /container runtime socket/,
    });
});
