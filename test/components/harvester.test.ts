import * as assert from "assert";
import { loadOfflineStack } from "../../cli/stacks";
import { harvesterConfig, withValue } from "../fixtures/configs";
import { diffRuns, infrastructureOnly, named, ofType, runConfig, runStack, strings, urnName } from "../helpers";
import { validateObject } from "../schemas";

const CR = "kubernetes:kubevirt.io/v1:VirtualMachine";

/** The Kubernetes object a recorded Harvester resource applies. */
const objectOf = (inputs: Record<string, unknown>) => inputs as { apiVersion: string; kind: string; metadata: any; spec: any };

describe("Harvester infrastructure", () => {
    it("creates image, VM network, cloud-init secrets and VMs, all valid against the strict schemas", async () => {
        const run = await runStack("enclave-harvester");
        const onHarvester = run.resources.filter((r) => r.options.provider?.includes("::enclave-harvester::"));
        const custom = onHarvester.filter((r) => r.type !== "kubernetes:core/v1:Secret");
        assert.deepStrictEqual(custom.map((r) => r.type).sort(), [
            "kubernetes:harvesterhci.io/v1beta1:VirtualMachineImage", "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition",
            ...Array(6).fill(CR),
        ]);
        for (const resource of custom) {
            assert.deepStrictEqual(validateObject(objectOf(resource.rawInputs)), [], resource.name);
        }
        assert.strictEqual(onHarvester.filter((r) => r.type === "kubernetes:core/v1:Secret").length, 6);
    });

    it("builds the VM as the Harvester Terraform provider would", async () => {
        const run = await runStack("enclave-harvester");
        const vm = objectOf(named(run, CR, "virtualmachine:enclave/enclave-cp-1").rawInputs);
        const claims = JSON.parse(vm.metadata.annotations["harvesterhci.io/volumeClaimTemplates"]);
        assert.match(claims[0].metadata.name, /^enclave-cp-1-rootdisk-[0-9a-f]{8}$/);
        // The image the stack downloads is named after its URL too (objects.ts imageObjectName).
        assert.match(claims[0].metadata.annotations["harvesterhci.io/imageId"], /^enclave\/ubuntu-2404-[0-9a-f]{8}$/);
        assert.strictEqual(vm.metadata.annotations["harvesterhci.io/removedPersistentVolumeClaims"], claims.map((c: any) => c.metadata.name).join(","));
        assert.strictEqual(vm.spec.runStrategy, "Always");
        assert.deepStrictEqual([claims[0].spec.resources.requests.storage, claims[0].spec.storageClassName, claims[0].spec.volumeMode],
            ["60Gi", `longhorn-${claims[0].metadata.annotations["harvesterhci.io/imageId"].split("/")[1]}`, "Block"]);
        const template = vm.spec.template.spec;
        assert.deepStrictEqual(template.domain.cpu, { cores: 4, sockets: 1, threads: 1 });
        assert.deepStrictEqual(template.domain.resources.limits, { cpu: "4", memory: "8Gi" });
        assert.deepStrictEqual(template.networks, [{ name: "nic-1", multus: { networkName: "enclave/enclave-flat" } }]);
        assert.deepStrictEqual(template.volumes.at(-1), { name: "cloudinitdisk", cloudInitNoCloud: { secretRef: { name: "enclave-cp-1-cloudinit" }, networkDataSecretRef: { name: "enclave-cp-1-cloudinit" } } });
        const nad = objectOf(ofType(run, "kubernetes:k8s.cni.cncf.io/v1:NetworkAttachmentDefinition")[0].rawInputs);
        assert.deepStrictEqual(JSON.parse(nad.spec.config), { cniVersion: "0.3.1", name: "enclave-flat", type: "bridge", bridge: "mgmt-br", promiscMode: true, ipam: {} });
    });

    it("spreads the enclave's three control-plane VMs over three hosts by required anti-affinity", async () => {
        const run = await runStack("enclave-harvester");
        for (const name of ["enclave-cp-1", "enclave-cp-2", "enclave-cp-3"]) {
            const vm = objectOf(named(run, CR, `virtualmachine:enclave/${name}`).rawInputs);
            const rule = vm.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
            assert.strictEqual(rule.topologyKey, "kubernetes.io/hostname");
            assert.deepStrictEqual(rule.labelSelector.matchLabels, { "clusters.pulumi.io/cluster": "enclave", "clusters.pulumi.io/pool": "cp" });
            assert.strictEqual(vm.spec.template.metadata.labels["clusters.pulumi.io/pool"], "cp");
        }
        const worker = objectOf(named(run, CR, "virtualmachine:enclave/enclave-apps-1").rawInputs);
        assert.strictEqual(worker.spec.template.spec.affinity, undefined);
    });

    it("puts the static address in the cloud-init network data and no secret in the user data", async () => {
        const run = await runStack("enclave-harvester");
        const secret = named(run, "kubernetes:core/v1:Secret", "enclave-apps-2-cloudinit").rawInputs as any;
        assert.match(secret.stringData.networkdata, /- 10\.10\.12\.235\/22/);
        assert.match(secret.stringData.userdata, /^#cloud-config\nhostname: enclave-apps-2/);
        assert.ok(!/PRIVATE/.test(secret.stringData.userdata));
    });

    it("keeps the Harvester kubeconfig secret", async () => {
        const run = await runStack("enclave-harvester");
        const provider = named(run, "pulumi:providers:kubernetes", "enclave-harvester");
        assert.deepStrictEqual(provider.secretPaths, ["kubeconfig"]);
        assert.strictEqual(provider.inputs.kubeconfig, "[secret]");
        assert.ok(!run.resources.flatMap((r) => strings(r.inputs)).some((s) => s.includes("offline-stand-in")));
    });

    it("creates the cluster network, VLAN config and load balancer when asked, all schema-valid", async () => {
        let config = withValue(harvesterConfig(), "infrastructure.harvester.network", { name: "vmnet", clusterNetwork: "k8s", create: { uplinkNics: ["eno2"] } });
        config = withValue(config, "infrastructure.network.vlan", 100);
        config = withValue(config, "infrastructure.apiEndpoint.type", "loadbalancer");
        config = withValue(config, "infrastructure.harvester.loadBalancerPool", { from: "10.10.12.225", to: "10.10.12.230" });
        const run = await runConfig(config);
        const objects = run.resources.filter((r) => r.custom && /harvesterhci|cni\.cncf|kubevirt/.test(r.type));
        assert.deepStrictEqual([...new Set(objects.map((r) => objectOf(r.rawInputs).kind))].sort(), ["ClusterNetwork", "IPPool", "LoadBalancer", "NetworkAttachmentDefinition", "VirtualMachine", "VlanConfig"]);
        for (const object of objects) {
            assert.deepStrictEqual(validateObject(objectOf(object.rawInputs)), [], object.name);
        }
        const nad = objectOf(objects.find((r) => r.type.includes("NetworkAttachmentDefinition"))!.rawInputs);
        assert.strictEqual(JSON.parse(nad.spec.config).vlan, 100);
        const lb = objectOf(objects.find((r) => r.type.endsWith(":LoadBalancer"))!.rawInputs);
        assert.deepStrictEqual(lb.spec.listeners, [{ name: "kube-api", port: 6443, protocol: "TCP", backendPort: 6443 }]);
        // The load balancer takes the next free address of its pool, so the pool is exactly apiVip: the
        // address Kubespray, the certificates and the kubeconfig use (issue #14).
        const pool = objectOf(objects.find((r) => r.type.endsWith(":IPPool"))!.rawInputs);
        assert.deepStrictEqual([lb.spec.ipam, lb.spec.ipPool], ["pool", pool.metadata.name]);
        assert.deepStrictEqual(pool.spec.ranges, [{ subnet: "10.10.12.0/22", rangeStart: "10.10.12.230", rangeEnd: "10.10.12.230", gateway: "10.10.12.1" }]);
    });

    it("growing a pool adds only that pool's VM and secret", async () => {
        const before = await runStack("enclave-harvester");
        const after = await runConfig(withValue(loadOfflineStack("enclave-harvester").values, "infrastructure.workerPools[0].count", 4), { stack: "enclave-harvester" });
        const diff = diffRuns(before, after, infrastructureOnly);
        assert.deepStrictEqual([diff.added.map(urnName).sort(), diff.removed, diff.changed], [["enclave-apps-4-cloudinit", "enclave-apps-4-pins", "virtualmachine:enclave/enclave-apps-4"], [], []]);
    });
});
