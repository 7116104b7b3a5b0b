import * as assert from "assert";
import { identityHash, machineIdentity } from "../../components/machine-identity";
import { loadClusterSpec } from "../../spec";
import { existingConfig, harvesterConfig, openstackConfig, vsphereConfig, withValue, type Config } from "../fixtures/configs";

/** The identity of one node of a config. */
const identityOf = (config: Config, name: string) => {
    const { spec } = loadClusterSpec(config);
    return machineIdentity(spec, spec.nodes.find((n) => n.name === name)!);
};
const hashOf = (config: Config, name: string) => identityHash(identityOf(config, name).replace);

describe("machine identity (the contract with the Kubespray component)", () => {
    it("says, per provider, what replaces a machine, what restarts it and who applies the restart", () => {
        const zoned = withValue(withValue(openstackConfig(), "infrastructure.openstack.availabilityZones", ["az2", "az1"]), "infrastructure.workerPools[0].antiAffinity", "soft");
        assert.deepStrictEqual(identityOf(zoned, "t1-w-2"), {
            replace: { image: "ubuntu-24.04", bootDiskGiB: 40, bootVolumeType: undefined, availabilityZone: "az2", serverGroupPolicy: "soft-anti-affinity", network: {}, dataVolumes: [], generation: 0 },
            restart: { flavor: "m1.xlarge" },
            restartAppliedBy: "provider",
        });
        assert.deepStrictEqual(identityOf(vsphereConfig(), "t2-cp-1"), {
            replace: { template: "tpl", linkedClone: false, diskGiB: 60, dataVolumes: [], generation: 0 },
            restart: { cpus: 4, memoryGiB: 8 },
            restartAppliedBy: "provider",
        });
        assert.deepStrictEqual(identityOf(harvesterConfig(), "t3-apps-1"), {
            replace: { image: "ubuntu", namespace: "default", network: "vmnet", dataStorageClass: undefined, diskGiB: 100, dataVolumes: [], generation: 0 },
            restart: { cpus: 8, memoryGiB: 16 },
            restartAppliedBy: "guest-poweroff",
        });
        assert.deepStrictEqual(identityOf(existingConfig(), "w-a"), { replace: { generation: 0 }, restart: {}, restartAppliedBy: "provider" });
    });

    it("depends on the set of availability zones, not on their order", () => {
        const zones = (list: string[]) => withValue(openstackConfig(), "infrastructure.openstack.availabilityZones", list);
        const names = ["t1-cp-1", "t1-cp-2", "t1-cp-3", "t1-w-1", "t1-w-2"];
        const hashes = (config: Config) => names.map((name) => hashOf(config, name));
        assert.deepStrictEqual(hashes(zones(["az2", "az3", "az1"])), hashes(zones(["az1", "az2", "az3"])));
        assert.deepStrictEqual(names.map((name) => identityOf(zones(["az3", "az1", "az2"]), name).replace.availabilityZone), ["az1", "az2", "az3", "az1", "az2"]);
        // A fourth zone moves only the nodes whose round-robin slot changes (none of these five).
        assert.deepStrictEqual(hashes(zones(["az1", "az2", "az3", "az4"])), hashes(zones(["az1", "az2", "az3"])));
    });

    it("hashes meaning, not key order, and changes with every replacing value", () => {
        assert.strictEqual(identityHash({ a: 1, b: { c: 2, d: 3 } }), identityHash({ b: { d: 3, c: 2 }, a: 1 }));
        const base = hashOf(openstackConfig(), "t1-w-1");
        for (const [path, value] of [
            ["infrastructure.openstack.image", "ubuntu-26.04"],
            ["infrastructure.openstack.bootVolume", { sizeGiB: 80 }],
            ["infrastructure.openstack.bootVolume", { sizeGiB: 40, type: "ssd" }],
            ["infrastructure.openstack.availabilityZones", ["az9"]],
            ["infrastructure.workerPools[0].antiAffinity", "hard"],
            ["infrastructure.workerPools[0].dataVolumes", [{ name: "data", sizeGiB: 10 }]],
            ["operations.replaceNodes", [{ node: "t1-w-1", generation: 1 }]],
        ] as const) {
            assert.notStrictEqual(hashOf(withValue(openstackConfig(), path, value), "t1-w-1"), base, path);
        }
        for (const [path, value] of [
            ["infrastructure.workerPools[0].size", "m1.2xlarge"],
            ["infrastructure.workerPools[0].labels", { tier: "apps" }],
            ["operations.replaceNodes", [{ node: "t1-w-2", generation: 1 }]],
            ["operations.keyRotation", { sshGeneration: 3 }],
        ] as const) {
            assert.strictEqual(hashOf(withValue(openstackConfig(), path, value), "t1-w-1"), base, path);
        }
    });
});
