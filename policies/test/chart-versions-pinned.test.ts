import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy chart-versions-pinned", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("chart-versions-pinned", "kubernetes:helm.sh/v3:Release", { chart: "c", version: "0.28.0" }), []));
    it("fails", () => {
        const messages = runResourcePolicy("chart-versions-pinned", "kubernetes:helm.sh/v3:Release", { chart: "c", version: "~0.28" });
        assert.ok(messages.some((m) => /chart version ~0.28 is not an exact version/.test(m)), JSON.stringify(messages));
    });
    it("checks Flux HelmReleases too", () => {
        const release = (version: string) => ({ apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name: "h", namespace: "apps" }, spec: { chart: { spec: { chart: "c", version } } } });
        assert.deepStrictEqual(runResourcePolicy("chart-versions-pinned", "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease", release("1.2.3")), []);
        assert.strictEqual(runResourcePolicy("chart-versions-pinned", "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease", release("1.x")).length, 1);
    });
});
