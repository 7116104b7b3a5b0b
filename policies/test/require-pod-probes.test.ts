import { podRuleCases } from "./cases";

describe("policy require-pod-probes", () => {
    podRuleCases("require-pod-probes", {
        pass: {},
        fail: {"container": {"livenessProbe": undefined}},
        message: /livenessProbe is required/, lists: ["containers"],
    });
});
