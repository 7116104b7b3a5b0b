/** Ports with the topology's fixed addresses, instances, data volumes and server groups. */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec, PlannedNode } from "../../spec";
import { renderUserData } from "../cloudinit";
import { machineMetadata } from "../nodeset";
import type { NodeNetwork } from "./network";

export interface MachineContext {
    readonly spec: ClusterSpec;
    readonly network: NodeNetwork;
    readonly imageId: pulumi.Input<string>;
    readonly keyPairName: pulumi.Input<string>;
    readonly authorizedKeys: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupId: (node: PlannedNode) => pulumi.Input<string>;
    readonly serverGroupId: (node: PlannedNode) => pulumi.Input<string> | undefined;
    /** Extra addresses a node's port may send from: the kube-vip VIP, pod CIDR without encapsulation. */
    readonly allowedAddresses: (node: PlannedNode) => string[];
    readonly parent: pulumi.Resource;
}

/** The server group of the control plane (policy from the spec) and of each pool that asks for one. */
export function serverGroups(spec: ClusterSpec, parent: pulumi.Resource): Map<string, openstack.compute.ServerGroup> {
    const groups = new Map<string, openstack.compute.ServerGroup>();
    const os = spec.infrastructure.openstack!;
    const add = (pool: string, policy: string) => groups.set(pool, new openstack.compute.ServerGroup(`${spec.meta.name}-${pool}`, {
        name: `${spec.meta.name}-${pool}`,
        policies: [policy],
    }, { parent }));
    add("cp", os.controlPlaneServerGroup);
    for (const pool of spec.infrastructure.workerPools) {
        if (pool.antiAffinity !== "none") {
            add(pool.name, pool.antiAffinity === "hard" ? "anti-affinity" : "soft-anti-affinity");
        }
    }
    return groups;
}

/** Zone of node n: round-robin over the configured zones by node number, so it never moves. */
export function availabilityZone(spec: ClusterSpec, node: PlannedNode): string | undefined {
    const zones = spec.infrastructure.openstack!.availabilityZones;
    return zones.length ? zones[(node.index - 1) % zones.length] : undefined;
}

export function machine(ctx: MachineContext, node: PlannedNode, gate: pulumi.Resource[]): pulumi.Resource[] {
    const { spec, network, parent } = ctx;
    const os = spec.infrastructure.openstack!;
    const allowed = ctx.allowedAddresses(node);
    const port = new openstack.networking.Port(node.name, {
        name: node.name,
        networkId: network.networkId,
        fixedIps: [{ subnetId: network.subnetId, ipAddress: node.address }],
        securityGroupIds: [ctx.securityGroupId(node)],
        allowedAddressPairs: allowed.length ? allowed.map((ipAddress) => ({ ipAddress })) : undefined,
        adminStateUp: true,
    }, { parent, dependsOn: network.ready });
    const zone = availabilityZone(spec, node);
    const serverGroupId = ctx.serverGroupId(node);
    const instance = new openstack.compute.Instance(node.name, {
        name: node.name,
        flavorName: node.size,
        availabilityZone: zone,
        keyPair: ctx.keyPairName,
        configDrive: true,
        blockDevices: [{
            sourceType: "image",
            uuid: ctx.imageId,
            destinationType: "volume",
            volumeSize: node.diskGiB ?? os.bootVolume.sizeGiB,
            volumeType: os.bootVolume.type,
            bootIndex: 0,
            deleteOnTermination: true,
        }],
        networks: [{ port: port.id }],
        schedulerHints: serverGroupId ? [{ group: serverGroupId }] : undefined,
        userData: pulumi.output(ctx.authorizedKeys).apply((keys) => renderUserData(spec, node, keys)),
        metadata: { ...machineMetadata(spec, node), generation: String(node.generation) },
        stopBeforeDestroy: true,
    }, {
        parent,
        dependsOn: gate,
        // cloud-init reads user data at first boot only and keys are rolled by Ansible, so neither may replace a node.
        ignoreChanges: ["userData", "keyPair"],
        // A bumped replacement generation recreates the node; its port (and address) stays.
        replaceOnChanges: ["metadata.generation"],
        deleteBeforeReplace: true,
    });
    const volumes = node.dataVolumes.map((spec_) => {
        const volume = new openstack.blockstorage.Volume(`${node.name}-${spec_.name}`, {
            name: `${node.name}-${spec_.name}`,
            size: spec_.sizeGiB,
            volumeType: spec_.type,
            availabilityZone: zone,
            metadata: machineMetadata(spec, node),
        }, { parent });
        const attachment = new openstack.compute.VolumeAttach(`${node.name}-${spec_.name}`, {
            instanceId: instance.id,
            volumeId: volume.id,
        }, { parent });
        return [volume, attachment];
    }).flat();
    return [port, instance, ...volumes];
}
