import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy versions-pinned", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("versions-pinned", "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", { apiVersion: "fluxcd.controlplane.io/v1", kind: "FluxInstance", metadata: { name: "flux", namespace: "flux-system" }, spec: { distribution: { version: "2.9.4" } } }), []));
    it("fails", () => {
        const messages = runResourcePolicy("versions-pinned", "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", { apiVersion: "fluxcd.controlplane.io/v1", kind: "FluxInstance", metadata: { name: "flux", namespace: "flux-system" }, spec: { distribution: { version: "2.x" } } });
        assert.ok(messages.some((m) => /Flux 2\.x is not an exact version/.test(m)), JSON.stringify(messages));
    });
    it("checks the Kubespray and Kubernetes versions and the runner image", () => {
        const prepare = (version: string, image: string) => ({ create: "node runner.ts prepare", environment: { KUBESPRAY_VERSION: version, KUBESPRAY_RUNNER: "container", KUBESPRAY_IMAGE: image } });
        assert.deepStrictEqual(runResourcePolicy("versions-pinned", "command:local:Command", prepare("2.31.0", "quay.io/kubespray/kubespray:v2.31.0")), []);
        assert.strictEqual(runResourcePolicy("versions-pinned", "command:local:Command", prepare("2.31", "quay.io/kubespray/kubespray:latest")).length, 2);
    });
});
