import { podRuleCases } from "./cases";

describe("policy disallow-capabilities", () => {
    podRuleCases("disallow-capabilities", {
        pass: {"container": {"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}}},
        fail: {"container": {"securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}},
        message: /capability SYS_ADMIN may not be added/,
    });
});
