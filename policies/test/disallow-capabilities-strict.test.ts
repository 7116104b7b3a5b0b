import { podRuleCases } from "./cases";

describe("policy disallow-capabilities-strict", () => {
    podRuleCases("disallow-capabilities-strict", {
        pass: {"container": {"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}},
        fail: {"container": {"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}}},
        message: /capability CHOWN may not be added; allowed: NET_BIND_SERVICE/,
    });
});
