import { podRuleCases } from "./cases";

describe("policy disallow-latest-tag", () => {
    podRuleCases("disallow-latest-tag", {
        pass: {"container": {"image": "ghcr.io/acme/app@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},
        fail: {"container": {"image": "docker.io/library/nginx:latest"}},
        message: /uses the latest tag/,
    });
});
