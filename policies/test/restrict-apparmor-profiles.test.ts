import { podRuleCases } from "./cases";

describe("policy restrict-apparmor-profiles", () => {
    podRuleCases("restrict-apparmor-profiles", {
        pass: {"container": {"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}},
        fail: {"container": {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}},
        message: /AppArmor profile Unconfined is not allowed/,
    });
});
