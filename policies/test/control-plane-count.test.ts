import * as assert from "assert";
import { runResourcePolicy } from "./harness";

describe("policy control-plane-count", () => {
    it("passes", () => assert.deepStrictEqual(runResourcePolicy("control-plane-count", "command:local:Command", { create: "node runner.ts cluster", environment: { KUBESPRAY_DESIRED: JSON.stringify({ kind: "cluster", kubernetesVersion: "1.33.7", kubesprayVersion: "2.31.0", controlPlane: [{ name: "a" }, { name: "b" }, { name: "c" }], environment: "production" }) } }), []));
    it("fails", () => {
        const messages = runResourcePolicy("control-plane-count", "command:local:Command", { create: "node runner.ts cluster", environment: { KUBESPRAY_DESIRED: JSON.stringify({ kind: "cluster", kubernetesVersion: "1.33.7", kubesprayVersion: "2.31.0", controlPlane: [{ name: "a" }, { name: "b" }], environment: "dev" }) } });
        assert.ok(messages.some((m) => /etcd needs an odd number/.test(m)), JSON.stringify(messages));
    });
    it("needs three in production", () => {
        const messages = runResourcePolicy("control-plane-count", "command:local:Command", { create: "node runner.ts cluster", environment: { KUBESPRAY_DESIRED: JSON.stringify({ kind: "cluster", kubernetesVersion: "1.33.7", kubesprayVersion: "2.31.0", controlPlane: [{ name: "a" }], environment: "production" }) } });
        assert.ok(messages.some((m) => /at least 3 are needed/.test(m)));
    });
    it("allows one in dev", () => assert.deepStrictEqual(runResourcePolicy("control-plane-count", "command:local:Command", { create: "node runner.ts cluster", environment: { KUBESPRAY_DESIRED: JSON.stringify({ kind: "cluster", kubernetesVersion: "1.33.7", kubesprayVersion: "2.31.0", controlPlane: [{ name: "a" }], environment: "dev" }) } }), []));
});
