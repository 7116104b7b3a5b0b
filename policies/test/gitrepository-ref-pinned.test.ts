import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy gitrepository-ref-pinned", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("gitrepository-ref-pinned", "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "opencenter-x", namespace: "flux-system" }, spec: { url: "https://e.com/r.git", interval: "15m", ref: { tag: "2026.01" } } }), []));
    it("fails", () => {
        const messages = runResourcePolicy("gitrepository-ref-pinned", "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "opencenter-x", namespace: "flux-system" }, spec: { url: "https://e.com/r.git", interval: "15m", ref: { branch: "main" } } });
        assert.ok(messages.some((m) => /follows branch main; pin a tag/.test(m)), JSON.stringify(messages));
    });
    it("lets dev stacks follow branches", () => {
        assert.deepStrictEqual(runResourcePolicy("gitrepository-ref-pinned", "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "opencenter-x", namespace: "flux-system" }, spec: { url: "https://e.com/r.git", interval: "15m", ref: { branch: "main" } } }, { environment: "dev" }), []);
    });
    it("exempts the cluster's own repository", () => {
        const root = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "flux-system", namespace: "flux-system" }, spec: { url: "https://e.com/r.git", interval: "1m", ref: { branch: "main" } } };
        assert.deepStrictEqual(runResourcePolicy("gitrepository-ref-pinned", "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", root), []);
    });
});
