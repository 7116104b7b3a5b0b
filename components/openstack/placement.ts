/**
 * Where an OpenStack node is placed: its availability zone and its server-group policy. Pure (spec in,
 * plain values out) because both are replacement-forcing inputs of the node's machine: they feed the
 * machine identity (components/machine-identity.ts) as well as the resources.
 */
import type { ClusterSpec, PlannedNode } from "../../spec";

/**
 * Zone of node n: round-robin by node number over the configured zones **in sorted order**, so the
 * zone depends on the set of zones, never on how the stack file lists them. Reordering
 * `availabilityZones` changes nothing; adding or removing a zone moves (and so, through the machine
 * identity, replaces with a drain) exactly the nodes whose zone changes.
 */
export function availabilityZone(spec: ClusterSpec, node: Pick<PlannedNode, "index">): string | undefined {
    const zones = [...new Set(spec.infrastructure.openstack!.availabilityZones)].sort();
    return zones.length ? zones[(node.index - 1) % zones.length] : undefined;
}

export type ServerGroupPolicy = "anti-affinity" | "soft-anti-affinity";

/**
 * Nova server-group policy of a node's pool: the control plane's from `controlPlaneServerGroup`, a
 * worker pool's from its `antiAffinity` (none: no group). Nova cannot move a server into another
 * group, so a policy change is a replacement of the pool's nodes.
 */
export function serverGroupPolicy(spec: ClusterSpec, node: Pick<PlannedNode, "role" | "antiAffinity">): ServerGroupPolicy | undefined {
    if (node.role === "control-plane") {
        return spec.infrastructure.openstack!.controlPlaneServerGroup;
    }
    switch (node.antiAffinity) {
        case "hard": return "anti-affinity";
        case "soft": return "soft-anti-affinity";
        case "none": return undefined;
    }
}

/** The node network as the ports see it: a created network (its segment) or an existing one (its IDs). */
export function networkIdentity(spec: ClusterSpec): Record<string, unknown> {
    const os = spec.infrastructure.openstack!;
    const vlan = spec.infrastructure.network.vlan;
    if (os.existingNetwork) {
        return { existing: { networkId: os.existingNetwork.networkId, subnetId: os.existingNetwork.subnetId } };
    }
    return vlan !== undefined ? { vlan, physicalNetwork: os.physicalNetwork } : {};
}
