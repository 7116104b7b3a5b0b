/**
 * vSphere VMs cloned from a template into a per-cluster folder, sized per pool, addressed and keyed
 * through cloud-init's VMware datasource (`guestinfo.metadata` / `guestinfo.userdata`), with a DRS
 * anti-affinity rules keeping the control plane's VMs (and each pool's that asks) on different hosts.
 * The API is a kube-vip VIP.
 * Credentials come from the `vsphere:` provider config (or VSPHERE_* environment variables).
 */
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { CONTROL_PLANE_POOL, nodeResources, type ClusterSpec, type PlannedNode } from "../../spec";
import { netplan, renderUserData } from "../cloudinit";
import { accessFromSpec, machineMetadata, machineReplacement, nodeSetOf, pinMachineInputs, type InfrastructureArgs, type NodeSet } from "../nodeset";
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
        const vmsByPool = new Map<string, vsphere.VirtualMachine[]>();
        for (const node of spec.nodes) {
            const size = nodeResources(spec, node);
            const replacement = machineReplacement(spec, node);
            // Everything taken from the template and the rendered guestinfo (keys of the day) is pinned:
            // a template re-imported under the same name, or a rotated key, reaches new and replaced
            // VMs only. Every clone option forces a new VM in the provider, so templateUuid must not move.
            const pins = pinMachineInputs<VmPins>(node.name, replacement.trigger, pulumi.all([template, args.authorizedKeys]).apply(([facts, keys]) => ({
                templateUuid: facts.id,
                guestId: facts.guestId,
                firmware: facts.firmware,
                scsiType: facts.scsiType,
                adapterType: facts.networkInterfaceTypes[0] ?? "vmxnet3",
                thinProvisioned: facts.disks[0]?.thinProvisioned ?? true,
                extraConfig: guestinfo(spec, node, keys),
            })), { parent: this });
            const vm = new vsphere.VirtualMachine(node.name, {
                name: node.name,
                resourcePoolId,
                datastoreId: datastore.id,
                folder: folder.path,
                numCpus: size.cpus,
                memory: size.memoryGiB * 1024,
                guestId: pins.guestId,
                firmware: pins.firmware,
                scsiType: pins.scsiType,
                enableDiskUuid: true,
                networkInterfaces: [{ networkId: network.id, adapterType: pins.adapterType }],
                disks: pins.thinProvisioned.apply((thinProvisioned) => [
                    { label: "disk0", size: size.diskGiB, thinProvisioned, unitNumber: 0 },
                    ...node.dataVolumes.map((volume, i) => ({ label: `disk${i + 1}`, size: volume.sizeGiB, thinProvisioned: true, unitNumber: i + 1 })),
                ]),
                clone: { templateUuid: pins.templateUuid, linkedClone: vs.linkedClone },
                extraConfig: pins.extraConfig,
                annotation: Object.entries(machineMetadata(spec, node)).map(([k, v]) => `${k}=${v}`).join("\n"),
                // Kept from before machine identities: a provider-side trigger that changes with the generation only.
                replaceTrigger: `generation-${node.generation}`,
            }, {
                parent: this,
                dependsOn: args.lifecycle?.before(node, access) ?? [],
                // Production stacks protect every VM (its disks go with it): components/protection.ts.
                protect: args.protection?.machine(node) ?? false,
                ...replacement.options,
            });
            machines[node.name] = [vm];
            args.lifecycle?.after(node, [vm]);
            vmsByPool.set(node.pool, vmsByPool.get(node.pool) ?? []);
            vmsByPool.get(node.pool)!.push(vm);
        }
        for (const rule of antiAffinityRules(spec)) {
            const vms = vmsByPool.get(rule.pool) ?? [];
            if (vms.length > 1) {
                new vsphere.ComputeClusterVmAntiAffinityRule(rule.name, {
                    name: rule.name,
                    computeClusterId: computeCluster.id,
                    virtualMachineIds: vms.map((vm) => vm.id),
                    enabled: true,
                    mandatory: rule.mandatory,
                }, { parent: this });
            }
        }
        this.nodeSet = nodeSetOf(spec, access, machines);
        this.registerOutputs({ folder: folder.path });
    }
}

/** What a VM is made from but the stack file does not say: pinned until its identity changes. */
interface VmPins {
    readonly templateUuid: string;
    readonly guestId: string;
    readonly firmware: string;
    readonly scsiType: string;
    readonly adapterType: string;
    readonly thinProvisioned: boolean;
    readonly extraConfig: Record<string, string>;
}

export interface AntiAffinityRule {
    readonly name: string;
    readonly pool: string;
    /** A mandatory rule: DRS never places two of the pool's VMs on one host, and refuses to power one on rather than break it. */
    readonly mandatory: boolean;
}

/**
 * DRS VM anti-affinity rules: the control plane's (soft, as before: DRS keeps the VMs apart and
 * vSphere HA may still restart one beside another), and one per worker pool that asks for
 * `antiAffinity`: `soft` a preferred rule, `hard` a mandatory one. A rule needs two VMs or more.
 */
export function antiAffinityRules(spec: ClusterSpec): AntiAffinityRule[] {
    const rules: AntiAffinityRule[] = [{ name: `${spec.meta.name}-control-plane`, pool: CONTROL_PLANE_POOL, mandatory: false }];
    for (const pool of spec.infrastructure.workerPools) {
        if (pool.antiAffinity !== "none") {
            rules.push({ name: `${spec.meta.name}-${pool.name}`, pool: pool.name, mandatory: pool.antiAffinity === "hard" });
        }
    }
    return rules;
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
