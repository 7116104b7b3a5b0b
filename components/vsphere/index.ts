/**
 * vSphere VMs cloned from a template into a per-cluster folder, sized per pool, addressed and keyed
 * through cloud-init's VMware datasource (`guestinfo.metadata` / `guestinfo.userdata`), with a DRS
 * anti-affinity rule keeping control-plane VMs on different hosts. The API is a kube-vip VIP.
 * Credentials come from the `vsphere:` provider config (or VSPHERE_* environment variables).
 */
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { nodeResources, type ClusterSpec, type PlannedNode } from "../../spec";
import { netplan, renderUserData } from "../cloudinit";
import { accessFromSpec, machineMetadata, nodeSetOf, type InfrastructureArgs, type NodeSet } from "../nodeset";
import * as vsphere from "./binding";

export class VsphereInfrastructure extends pulumi.ComponentResource {
    readonly nodeSet: NodeSet;

    constructor(name: string, args: InfrastructureArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clusters:vsphere:Infrastructure", name, {}, opts);
        const { spec } = args;
        const vs = spec.infrastructure.vsphere!;
        const invokeOpts = { parent: this };
        const datacenter = vsphere.getDatacenter({ name: vs.datacenter }, invokeOpts);
        const computeCluster = vsphere.getComputeCluster({ name: vs.computeCluster, datacenterId: datacenter.id }, invokeOpts);
        const datastore = vsphere.getDatastore({ name: vs.datastore, datacenterId: datacenter.id }, invokeOpts);
        const network = vsphere.getNetwork({ name: vs.network, datacenterId: datacenter.id }, invokeOpts);
        const template = vsphere.getVirtualMachine({ name: vs.template, datacenterId: datacenter.id }, invokeOpts);
        const resourcePoolId = vs.resourcePool
            ? vsphere.getResourcePool({ name: vs.resourcePool, datacenterId: datacenter.id }, invokeOpts).id
            : computeCluster.resourcePoolId;
        const folder = new vsphere.Folder(`${spec.meta.name}-folder`, { path: vs.folder!, type: "vm", datacenterId: datacenter.id }, { parent: this });

        const access = accessFromSpec(spec);
        const machines: Record<string, pulumi.Resource[]> = {};
        const controlPlaneVms: vsphere.VirtualMachine[] = [];
        for (const node of spec.nodes) {
            const size = nodeResources(spec, node);
            const vm = new vsphere.VirtualMachine(node.name, {
                name: node.name,
                resourcePoolId,
                datastoreId: datastore.id,
                folder: folder.path,
                numCpus: size.cpus,
                memory: size.memoryGiB * 1024,
                guestId: template.guestId,
                firmware: template.firmware,
                scsiType: template.scsiType,
                enableDiskUuid: true,
                networkInterfaces: [{ networkId: network.id, adapterType: template.networkInterfaceTypes.apply((types) => types[0] ?? "vmxnet3") }],
                disks: template.disks.apply((disks) => [
                    { label: "disk0", size: size.diskGiB, thinProvisioned: disks[0]?.thinProvisioned ?? true, unitNumber: 0 },
                    ...node.dataVolumes.map((volume, i) => ({ label: `disk${i + 1}`, size: volume.sizeGiB, thinProvisioned: true, unitNumber: i + 1 })),
                ]),
                clone: { templateUuid: template.id, linkedClone: vs.linkedClone },
                extraConfig: pulumi.output(args.authorizedKeys).apply((keys) => guestinfo(spec, node, keys)),
                annotation: Object.entries(machineMetadata(spec, node)).map(([k, v]) => `${k}=${v}`).join("\n"),
                replaceTrigger: `generation-${node.generation}`,
            }, {
                parent: this,
                dependsOn: args.lifecycle?.before(node, access) ?? [],
                // cloud-init reads guestinfo at first boot only; keys are rolled by Ansible afterwards.
                ignoreChanges: ["extraConfig"],
                deleteBeforeReplace: true,
            });
            machines[node.name] = [vm];
            args.lifecycle?.after(node, [vm]);
            if (node.role === "control-plane") {
                controlPlaneVms.push(vm);
            }
        }
        if (controlPlaneVms.length > 1) {
            new vsphere.ComputeClusterVmAntiAffinityRule(`${spec.meta.name}-control-plane`, {
                name: `${spec.meta.name}-control-plane`,
                computeClusterId: computeCluster.id,
                virtualMachineIds: controlPlaneVms.map((vm) => vm.id),
                enabled: true,
                // A soft rule: DRS keeps the VMs apart, vSphere HA may still restart one beside another.
                mandatory: false,
            }, { parent: this });
        }
        this.nodeSet = nodeSetOf(spec, access, machines);
        this.registerOutputs({ folder: folder.path });
    }
}

/** cloud-init VMware datasource keys: metadata (host name, static network) and user data, base64. */
export function guestinfo(spec: ClusterSpec, node: PlannedNode, authorizedKeys: readonly string[]): Record<string, string> {
    const metadata = {
        "instance-id": `${node.name}-g${node.generation}`,
        "local-hostname": node.name,
        network: netplan(spec, node.address, "ens*"),
    };
    const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
    return {
        "guestinfo.metadata": base64(stringify(metadata, { lineWidth: 0 })),
        "guestinfo.metadata.encoding": "base64",
        "guestinfo.userdata": base64(renderUserData(spec, node, authorizedKeys)),
        "guestinfo.userdata.encoding": "base64",
    };
}
