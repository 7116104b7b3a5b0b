import { podRuleCases } from "./cases";

describe("policy drop-all-capabilities", () => {
    podRuleCases("drop-all-capabilities", {
        pass: {},
        fail: {"container": {"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}},
        message: /must include ALL/,
    });
});
