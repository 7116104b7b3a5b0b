import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy sops-decryption", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("sops-decryption", "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "apps", namespace: "flux-system" }, spec: { interval: "10m", prune: true, path: "./apps", sourceRef: { kind: "GitRepository", name: "flux-system" }, decryption: { provider: "sops", secretRef: { name: "sops-age" } } } }), []));
    it("fails", () => {
        const messages = runResourcePolicy("sops-decryption", "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "apps", namespace: "flux-system" }, spec: { interval: "10m", prune: true, path: "./apps", sourceRef: { kind: "GitRepository", name: "flux-system" } } });
        assert.ok(messages.some((m) => /spec\.decryption: must be/.test(m)), JSON.stringify(messages));
    });
    it("leaves Kustomizations of the base repository alone", () => {
        const base = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "x-base", namespace: "flux-system" }, spec: { interval: "15m", prune: true, sourceRef: { kind: "GitRepository", name: "opencenter-x" } } };
        assert.deepStrictEqual(runResourcePolicy("sops-decryption", "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", base), []);
    });
});
