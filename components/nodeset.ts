/**
 * The one shape every infrastructure component hands forward. Kubespray, Flux and the policies read
 * this and never ask which provider made a node.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec, PlannedNode } from "../spec";

export interface NodeSet {
    /** Every node with its name, role, pool and address (known from the spec, never from a cloud). */
    readonly nodes: readonly PlannedNode[];
    /** Host clients use for the API: the VIP, the load balancer's address, or their floating IP. */
    readonly apiEndpoint: pulumi.Output<string>;
    readonly apiPort: number;
    /** Jump host for SSH, when nodes are reachable only through one. */
    readonly bastion?: { readonly host: pulumi.Output<string>; readonly user: string };
    readonly sshUser: string;
    /** The resources that make up each node's machine, by node name (empty for existing hosts). */
    readonly machines: Readonly<Record<string, readonly pulumi.Resource[]>>;
}

/** How nodes are reached, known before any machine exists. */
export interface NodeAccess {
    /** Host clients use for the API. */
    readonly apiHost: pulumi.Output<string>;
    /** Jump host, when there is one. */
    readonly bastion?: pulumi.Output<string>;
}

/**
 * Hooks the Kubespray lifecycle puts around each machine so that a change which restarts or replaces
 * machines drains each node first and rejoins it after, one control-plane node at a time and workers
 * in batches: the machine depends on `before`, and `after` sees the machine.
 */
export interface MachineLifecycle {
    before(node: PlannedNode, access: NodeAccess): pulumi.Resource[];
    after(node: PlannedNode, machine: readonly pulumi.Resource[]): void;
}

/** What every infrastructure component takes. */
export interface InfrastructureArgs {
    readonly spec: ClusterSpec;
    /** Public keys authorized for the SSH user at first boot (cluster key first). */
    readonly authorizedKeys: pulumi.Input<pulumi.Input<string>[]>;
    /** Drain-before and rejoin-after hooks for every machine (see MachineLifecycle). */
    readonly lifecycle?: MachineLifecycle;
}

/** Metadata every provider puts on a node's machine, so an operator can tell what it is from the console. */
export function machineMetadata(spec: ClusterSpec, node: PlannedNode): Record<string, string> {
    return {
        "cluster": spec.meta.name,
        "organization": spec.meta.organization,
        "environment": spec.meta.environment,
        "pool": node.pool,
        "role": node.role,
        "managed-by": "pulumi-clusters",
    };
}

/** Access for providers whose API address and jump host come straight from the spec. */
export function accessFromSpec(spec: ClusterSpec): NodeAccess {
    const { apiEndpoint, network, bastion } = spec.infrastructure;
    return {
        apiHost: pulumi.output(apiEndpoint.dnsName ?? network.apiVip!),
        bastion: bastion.enabled ? pulumi.output(bastion.address!) : undefined,
    };
}

/** The NodeSet of a provider, from the access it computed and the machines it declared. */
export function nodeSetOf(spec: ClusterSpec, access: NodeAccess, machines: Record<string, readonly pulumi.Resource[]>): NodeSet {
    return {
        nodes: spec.nodes,
        apiEndpoint: access.apiHost,
        apiPort: spec.kubernetes.apiPort,
        bastion: access.bastion ? { host: access.bastion, user: spec.infrastructure.ssh.user } : undefined,
        sshUser: spec.infrastructure.ssh.user,
        machines,
    };
}
