import { podRuleCases } from "./cases";

describe("policy require-requests-limits", () => {
    podRuleCases("require-requests-limits", {
        pass: {},
        fail: {"container": {"resources": {"requests": {"memory": "64Mi"}}}},
        message: /cpu request is required/, lists: ["containers"],
    });
});
