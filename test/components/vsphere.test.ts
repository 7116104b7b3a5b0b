import * as assert from "assert";
import { loadOfflineStack } from "../../cli/stacks";
import { VSPHERE_PROVIDER_VERSION } from "../../components/vsphere/binding";
import { vsphereConfig, withValue } from "../fixtures/configs";
import { diffRuns, infrastructureOnly, named, ofType, runConfig, runStack, urnName } from "../helpers";
import { validateVsphere } from "../schemas";

const VM = "vsphere:index/virtualMachine:VirtualMachine";

describe("vSphere infrastructure", () => {
    it("sets only inputs the provider's schema knows, with the right types and required fields", async () => {
        const run = await runStack("prod-vsphere");
        const vsphere = run.resources.filter((r) => r.type.startsWith("vsphere:"));
        assert.deepStrictEqual([...new Set(vsphere.map((r) => r.type))].sort(), [
            "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule", "vsphere:index/folder:Folder", VM,
        ]);
        for (const resource of vsphere) {
            assert.deepStrictEqual(validateVsphere(resource.type, resource.rawInputs), [], resource.name);
            assert.strictEqual(resource.options.version, VSPHERE_PROVIDER_VERSION, `${resource.name} pins the plugin version`);
        }
        const invokes = run.invokes.filter((i) => i.token.startsWith("vsphere:"));
        assert.deepStrictEqual([...new Set(invokes.map((i) => i.token.split(":").pop()))].sort(), ["getComputeCluster", "getDatacenter", "getDatastore", "getNetwork", "getVirtualMachine"]);
        for (const invoke of invokes) {
            assert.deepStrictEqual(validateVsphere(invoke.token, invoke.inputs, "function"), [], invoke.token);
        }
    });

    it("clones every VM from the template, sized per pool, in the cluster's folder", async () => {
        const run = await runStack("prod-vsphere");
        const cp = named(run, VM, "prod-vs-cp-1").rawInputs as any;
        const general = named(run, VM, "prod-vs-general-1").rawInputs as any;
        assert.deepStrictEqual([cp.numCpus, cp.memory, cp.disks[0].size], [4, 16384, 80]);
        assert.deepStrictEqual([general.numCpus, general.memory, general.disks[0].size], [8, 16384, 100]);
        assert.strictEqual(cp.clone.templateUuid.length, 36);
        assert.strictEqual(cp.folder, "prod-vs");
        assert.strictEqual(ofType(run, VM).length, 9);
    });

    it("gives each VM its static address and keys through cloud-init guestinfo, with no secret", async () => {
        const run = await runStack("prod-vsphere");
        const extra = (named(run, VM, "prod-vs-ingress-2").rawInputs as any).extraConfig;
        const metadata = Buffer.from(extra["guestinfo.metadata"], "base64").toString();
        const userdata = Buffer.from(extra["guestinfo.userdata"], "base64").toString();
        assert.match(metadata, /local-hostname: prod-vs-ingress-2/);
        assert.match(metadata, /- 172\.26\.0\.101\/24/);
        assert.match(metadata, /via: 172\.26\.0\.1/);
        assert.match(userdata, /^#cloud-config/);
        assert.match(userdata, /- ssh-ed25519 /);
        assert.ok(!/PRIVATE/.test(userdata));
        assert.deepStrictEqual([extra["guestinfo.metadata.encoding"], extra["guestinfo.userdata.encoding"]], ["base64", "base64"]);
    });

    it("keeps control-plane VMs apart with a DRS anti-affinity rule", async () => {
        const run = await runStack("prod-vsphere");
        const rule = ofType(run, "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule")[0];
        const cpIds = ["prod-vs-cp-1", "prod-vs-cp-2", "prod-vs-cp-3"].map((n) => named(run, VM, n).urn);
        assert.strictEqual((rule.rawInputs.virtualMachineIds as string[]).length, 3);
        assert.ok(cpIds.every((urn) => rule.dependencies.includes(urn)));
    });

    it("makes worker-pool antiAffinity a DRS rule per pool: preferred when soft, mandatory when hard", async () => {
        const RULE = "vsphere:index/computeClusterVmAntiAffinityRule:ComputeClusterVmAntiAffinityRule";
        let config = withValue(vsphereConfig(), "infrastructure.workerPools", [
            { name: "soft", count: 2, size: "large", antiAffinity: "soft", addresses: ["172.16.0.20", "172.16.0.21"] },
            { name: "hard", count: 3, size: "large", antiAffinity: "hard", addresses: ["172.16.0.30", "172.16.0.31", "172.16.0.32"] },
            { name: "none", count: 2, size: "large", addresses: ["172.16.0.40", "172.16.0.41"] },
            { name: "single", count: 1, size: "large", antiAffinity: "hard", addresses: ["172.16.0.50"] },
        ]);
        config = withValue(config, "infrastructure.controlPlane.count", 3);
        const run = await runConfig(config);
        const rules = ofType(run, RULE);
        assert.deepStrictEqual(rules.map((r) => [r.name, r.rawInputs.mandatory, r.rawInputs.enabled]).sort(), [
            ["t2-control-plane", false, true], ["t2-hard", true, true], ["t2-soft", false, true],
        ]);
        for (const rule of rules) {
            assert.deepStrictEqual(validateVsphere(rule.type, rule.rawInputs), [], rule.name);
        }
        // Each rule holds exactly its pool's VMs (their IDs are dependencies of the rule).
        const vmUrns = (pool: string) => ofType(run, VM).filter((vm) => vm.name.startsWith(`t2-${pool}-`)).map((vm) => vm.urn).sort();
        const hard = named(run, RULE, "t2-hard");
        assert.strictEqual((hard.rawInputs.virtualMachineIds as string[]).length, 3);
        assert.deepStrictEqual(hard.dependencies.filter((urn) => urn.includes(VM)).sort(), vmUrns("hard"));
    });

    it("growing a pool adds only that pool's VMs", async () => {
        const before = await runStack("prod-vsphere");
        const after = await runConfig(withValue(loadOfflineStack("prod-vsphere").values, "infrastructure.workerPools[1].count", 3), { stack: "prod-vsphere" });
        const diff = diffRuns(before, after, infrastructureOnly);
        assert.deepStrictEqual([diff.added.map(urnName), diff.removed, diff.changed], [["prod-vs-ingress-3-pins", "prod-vs-ingress-3"], [], []]);
    });

    it("recreates a replaced VM through its identity", async () => {
        const before = await runConfig(vsphereConfig());
        const run = await runConfig(withValue(vsphereConfig(), "operations.replaceNodes", [{ node: "t2-cp-2", generation: 3 }]));
        const vm = named(run, VM, "t2-cp-2");
        assert.strictEqual(vm.rawInputs.replaceTrigger, "generation-3");
        assert.notStrictEqual(vm.options.replacementTrigger, named(before, VM, "t2-cp-2").options.replacementTrigger);
        assert.strictEqual(vm.options.deleteBeforeReplace, true);
        assert.deepStrictEqual(vm.options.ignoreChanges, []);
    });
});
