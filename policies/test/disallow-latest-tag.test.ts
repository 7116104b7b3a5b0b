import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const pod = (...images: unknown[]) => ({ containers: images.map((image, i) => (image === undefined ? { name: `c${i}` } : { name: `c${i}`, image })) });

describe("policy disallow-latest-tag", () => {
    podRuleCases("disallow-latest-tag", {
        pass: { container: { image: "ghcr.io/acme/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" } },
        fail: { container: { image: "docker.io/library/nginx:latest" } },
        message: /uses the latest tag/,
    });
    describe("rules require-image-tag and validate-image-tag", () => {
        it("passes tags, digests, and a registry port (Kyverno's `*:*` sees a colon)", () => {
            assert.deepStrictEqual(onPod("disallow-latest-tag", pod("nginx:1.27", "ghcr.io/a/b@sha256:abc", "registry.local:5000/app")), []);
        });
        it("flags an image without a colon under require-image-tag and a :latest one under validate-image-tag", () => {
            assert.deepStrictEqual(onPod("disallow-latest-tag", { ...pod("nginx"), initContainers: [{ name: "i", image: "busybox:latest" }] }), [
                "spec.containers[0].image (require-image-tag)", "spec.initContainers[0].image (validate-image-tag)",
            ]);
        });
        it("flags a container without an image under both rules (both patterns require one)", () => {
            assert.deepStrictEqual(onPod("disallow-latest-tag", pod(undefined)), ["spec.containers[0].image (require-image-tag)", "spec.containers[0].image (validate-image-tag)"]);
        });
    });
});
