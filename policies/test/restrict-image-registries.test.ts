import { podRuleCases } from "./cases";

describe("policy restrict-image-registries", () => {
    podRuleCases("restrict-image-registries", {
        pass: {"container": {"image": "quay.io/acme/app:2.0.0"}},
        fail: {"container": {"image": "evil.example.com/app:1.0"}},
        message: /not from an allowed registry/,
    });
});
