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

/** How a node's machine must wait: resources that have to finish before it is created or changed. */
export type MachineGate = (node: PlannedNode) => pulumi.Resource[];

/** What every infrastructure component takes. */
export interface InfrastructureArgs {
    readonly spec: ClusterSpec;
    /** Public keys authorized for the SSH user at first boot (cluster key first). */
    readonly authorizedKeys: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Called once per node before its machine is declared; the machine depends on what it returns.
     * The Kubespray lifecycle uses it to drain a node before its machine is replaced or resized.
     */
    readonly machineGate?: MachineGate;
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
