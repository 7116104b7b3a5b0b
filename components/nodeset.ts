/**
 * The one shape every infrastructure component hands forward. Kubespray, Flux and the policies read
 * this and never ask which provider made a node.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec, PlannedNode } from "../spec";
import { identityHash, machineIdentity } from "./machine-identity";
import type { Protection } from "./protection";

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
    /** Which machines and cluster-wide resources are protected from deletion (components/protection.ts); none when absent. */
    readonly protection?: Protection;
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

/**
 * The Pulumi CLI this program needs: its engine must honour the `replacementTrigger` resource option
 * (engine support pulumi/pulumi#20936, first released with the 3.212.0 SDKs) and know `pulumi:index:Stash`.
 * An older engine would silently ignore the trigger, so a planned replacement would never happen.
 */
export const REQUIRED_PULUMI_VERSION = ">=3.212.0";

let engineChecked: Promise<void> | undefined;

/** Refuses to run on an engine that would ignore replacement triggers (a no-op under the mock runtime). */
function requireEngine(): Promise<void> {
    engineChecked ??= pulumi.runtime.requirePulumiVersion(REQUIRED_PULUMI_VERSION).catch((error: unknown) => {
        throw new Error(`This program needs the Pulumi CLI ${REQUIRED_PULUMI_VERSION} (machine replacements use the replacementTrigger resource option): ${error instanceof Error ? error.message : String(error)}`);
    });
    return engineChecked;
}

/**
 * How a node's machine is replaced: exactly when the hash of its identity's `replace` values changes
 * (`replacementTrigger`, compared by the engine with the value recorded in state, so a refresh or a
 * console edit can never fire it; going from no trigger to a trigger replaces nothing), deleting the
 * old machine first so the new one takes the same name and address.
 */
export function machineReplacement(spec: ClusterSpec, node: PlannedNode): { readonly trigger: string; readonly options: pulumi.CustomResourceOptions } {
    const trigger = identityHash(machineIdentity(spec, node).replace);
    return { trigger, options: { replacementTrigger: trigger, deleteBeforeReplace: true } };
}

/** Values to pin: each may still be an Output. */
export type PinInputs<T> = pulumi.Input<{ [K in keyof T]: pulumi.Input<T[K]> }>;

/** The values a machine was made with, as recorded in its pins Stash. */
export interface PinnedValues<T> {
    /** The identity hash the values were resolved for. */
    readonly identity: string;
    readonly values: T;
}

/**
 * Pins values a machine is made from but that the program does not decide (IDs found by name, the
 * rendered cloud-init with the keys of the day): a `pulumi.Stash` keeps the first value it was given,
 * and is replaced, so resolves again, only when the machine's identity changes. A re-published image,
 * a re-imported template or a rotated key therefore never changes a machine behind the program's
 * back, while a planned replacement (and every new node) takes the values current at that moment.
 */
export function pinMachineInputs<T>(name: string, trigger: string, values: PinInputs<T>, opts: pulumi.CustomResourceOptions): pulumi.Output<T> {
    const resolvedValues = pulumi.output(values as pulumi.Input<unknown>) as pulumi.Output<unknown>;
    const input = pulumi.all([requireEngine().then(() => trigger), resolvedValues])
        .apply(([identity, resolved]): PinnedValues<unknown> => ({ identity, values: resolved }));
    const stash = new pulumi.Stash(`${name}-pins`, { input }, { ...opts, replacementTrigger: trigger });
    return (stash.output as pulumi.Output<PinnedValues<T>>).apply((pinned) => pinned.values);
}
