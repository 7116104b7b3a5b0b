import * as assert from "assert";
import { findings, onPod, podRuleCases, podSpec, wrap } from "./cases";

describe("policy restrict-image-registries", () => {
    podRuleCases("restrict-image-registries", {
        pass: { container: { image: "quay.io/acme/app:2.0.0" } },
        fail: { container: { image: "evil.example.com/app:1.0" } },
        message: /not from an allowed registry/,
    });
    describe("rule validate-registries", () => {
        it("flags images from elsewhere in every list, and a container without an image", () => {
            assert.deepStrictEqual(onPod("restrict-image-registries", { containers: [{ name: "a", image: "ghcr.io/a:1" }, { name: "b", image: "nginx:1" }, { name: "c" }], initContainers: [{ name: "i", image: "evil.io/x:1" }] }), [
                "spec.containers[1].image (validate-registries)", "spec.containers[2].image (validate-registries)", "spec.initContainers[0].image (validate-registries)",
            ]);
        });
        it("takes the registries from config", () => {
            const object = wrap("Deployment", podSpec({ image: "registry.example.com/team/app:1.0" }));
            assert.deepStrictEqual(findings("restrict-image-registries", object, { allowedRegistries: ["registry.example.com/"] }), []);
            assert.strictEqual(findings("restrict-image-registries", object).length, 1);
        });
    });
});
