/** Ports with the topology's fixed addresses, instances, data volumes and server groups. */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { CONTROL_PLANE_POOL, type ClusterSpec, type PlannedNode } from "../../spec";
import { renderUserData } from "../cloudinit";
import { machineMetadata, machineReplacement, pinMachineInputs } from "../nodeset";
import type { NodeNetwork } from "./network";
import { availabilityZone, serverGroupPolicy } from "./placement";
import { serviceLoadBalancers } from "./security";

export { availabilityZone } from "./placement";

export interface MachineContext {
    readonly spec: ClusterSpec;
    readonly network: NodeNetwork;
    /** ID of the image named `openstack.image`, as found now (pinned per node, see pinMachineInputs). */
    readonly imageId: pulumi.Input<string>;
    readonly keyPairName: pulumi.Input<string>;
    readonly authorizedKeys: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupId: (node: PlannedNode) => pulumi.Input<string>;
    readonly serverGroupId: (node: PlannedNode) => pulumi.Input<string> | undefined;
    /** Extra addresses a node's port may send from: the kube-vip VIP, pod CIDR without encapsulation. */
    readonly allowedAddresses: (node: PlannedNode) => string[];
    readonly parent: pulumi.Resource;
    /** Protect the node's port, instance and data volumes from deletion (components/protection.ts). */
    readonly protect?: (node: PlannedNode) => boolean;
}

/** The server group of the control plane and of each worker pool whose `antiAffinity` asks for one. */
export function serverGroups(spec: ClusterSpec, parent: pulumi.Resource): Map<string, openstack.compute.ServerGroup> {
    const groups = new Map<string, openstack.compute.ServerGroup>();
    const pools = [
        { name: CONTROL_PLANE_POOL, role: "control-plane" as const, antiAffinity: "hard" as const },
        ...spec.infrastructure.workerPools.map((pool) => ({ name: pool.name, role: "worker" as const, antiAffinity: pool.antiAffinity })),
    ];
    for (const pool of pools) {
        const policy = serverGroupPolicy(spec, pool);
        if (policy) {
            groups.set(pool.name, new openstack.compute.ServerGroup(`${spec.meta.name}-${pool.name}`, {
                name: `${spec.meta.name}-${pool.name}`,
                policies: [policy],
            }, { parent }));
        }
    }
    return groups;
}

/** What a node's instance is made from but the stack file does not say: pinned until its identity changes. */
export interface InstancePins {
    readonly imageId: string;
    readonly serverGroupId?: string;
    readonly userData: string;
}

/**
 * Whether the OpenStack cloud controller adds security groups of its own to this node's port: with
 * `loadBalancerProvider: ovn` it runs with `manage-security-groups` (spec/cloud.ts) and attaches one group
 * per Service of type LoadBalancer to the member (worker) ports. The port then ignores its
 * `securityGroupIds` after creation, so a `pulumi up --refresh` does not strip the controller's groups and
 * cut the Services off (the worker group the program sets is made once per cluster and never changes).
 */
export function controllerManagedSecurityGroups(spec: ClusterSpec, node: PlannedNode): boolean {
    return node.role === "worker" && spec.infrastructure.openstack?.loadBalancerProvider === "ovn" && serviceLoadBalancers(spec);
}

/**
 * A node's machine: its port (kept across replacements, so the address stays), its instance booting
 * from a volume made from the image, and its data volumes. The instance is replaced exactly when the
 * node's identity changes (machineReplacement); every other input that would make Nova recreate it is
 * derived from that identity or pinned (see test/components/replacement.test.ts).
 */
export function machine(ctx: MachineContext, node: PlannedNode, gate: pulumi.Resource[]): pulumi.Resource[] {
    const { spec, network, parent } = ctx;
    const os = spec.infrastructure.openstack!;
    const allowed = ctx.allowedAddresses(node);
    const protect = ctx.protect?.(node) ?? false;
    const port = new openstack.networking.Port(node.name, {
        name: node.name,
        networkId: network.networkId,
        fixedIps: [{ subnetId: network.subnetId, ipAddress: node.address }],
        securityGroupIds: [ctx.securityGroupId(node)],
        allowedAddressPairs: allowed.length ? allowed.map((ipAddress) => ({ ipAddress })) : undefined,
        adminStateUp: true,
    }, { parent, dependsOn: network.ready, protect, ignoreChanges: controllerManagedSecurityGroups(spec, node) ? ["securityGroupIds"] : [] });
    const zone = availabilityZone(spec, node);
    const replacement = machineReplacement(spec, node);
    const serverGroupId = ctx.serverGroupId(node);
    const pins = pinMachineInputs<InstancePins>(node.name, replacement.trigger, {
        imageId: ctx.imageId,
        serverGroupId,
        // cloud-init reads user data at first boot only: the keys of the day go into each new machine,
        // and Ansible rolls them on running ones, so a key rotation never recreates a node.
        userData: pulumi.output(ctx.authorizedKeys).apply((keys) => renderUserData(spec, node, keys)),
    }, { parent });
    const instance = new openstack.compute.Instance(node.name, {
        name: node.name,
        flavorName: node.size,
        availabilityZone: zone,
        keyPair: ctx.keyPairName,
        configDrive: true,
        blockDevices: [{
            sourceType: "image",
            uuid: pins.imageId,
            destinationType: "volume",
            volumeSize: node.diskGiB ?? os.bootVolume.sizeGiB,
            volumeType: os.bootVolume.type,
            bootIndex: 0,
            deleteOnTermination: true,
        }],
        networks: [{ port: port.id }],
        schedulerHints: serverGroupId ? [{ group: pins.apply((p) => p.serverGroupId!) }] : undefined,
        userData: pins.userData,
        metadata: { ...machineMetadata(spec, node), generation: String(node.generation) },
        stopBeforeDestroy: true,
    }, { parent, dependsOn: gate, protect, ...replacement.options });
    const volumes = node.dataVolumes.map((volumeSpec) => {
        const volume = new openstack.blockstorage.Volume(`${node.name}-${volumeSpec.name}`, {
            name: `${node.name}-${volumeSpec.name}`,
            size: volumeSpec.sizeGiB,
            volumeType: volumeSpec.type,
            availabilityZone: zone,
            metadata: machineMetadata(spec, node),
        }, { parent, protect });
        const attachment = new openstack.compute.VolumeAttach(`${node.name}-${volumeSpec.name}`, {
            instanceId: instance.id,
            volumeId: volume.id,
        }, { parent });
        return [volume, attachment];
    }).flat();
    return [port, instance, ...volumes];
}
