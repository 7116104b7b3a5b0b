import * as assert from "assert";
import { onPod, podRuleCases } from "./cases";

const containers = [{ name: "c", image: "x:1" }];

describe("policy restrict-volume-types", () => {
    podRuleCases("restrict-volume-types", {
        pass: { pod: { volumes: [{ name: "tmp", emptyDir: {} }, { name: "cfg", configMap: { name: "cfg" } }] } },
        fail: { pod: { volumes: [{ name: "nfs", nfs: { server: "nfs", path: "/" } }] } },
        message: /volume type nfs is not allowed/,
    });
    describe("rule restricted-volumes", () => {
        it("passes every allowed type", () => {
            const volumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"].map((type) => ({ name: type.toLowerCase(), [type]: {} }));
            assert.deepStrictEqual(onPod("restrict-volume-types", { containers, volumes }), []);
        });
        it("flags each other key of each volume", () => {
            assert.deepStrictEqual(onPod("restrict-volume-types", { containers, volumes: [{ name: "a", hostPath: { path: "/" } }, { name: "b", secret: {} }, { name: "c", iscsi: {}, gitRepo: {} }] }), [
                "spec.volumes[0].hostPath (restricted-volumes)", "spec.volumes[2].iscsi (restricted-volumes)", "spec.volumes[2].gitRepo (restricted-volumes)",
            ]);
        });
    });
});
