/**
 * What each Kubespray command resource carries in its environment: its desired state, as plain JSON.
 * A command's environment changes only when its own concern changes (the control plane and versions,
 * the worker set, one node's machine), so an unchanged cluster previews clean and a Day-2 change
 * touches only the commands it concerns.
 */
import { createHash } from "crypto";
import type { ClusterSpec, PlannedNode } from "../../spec";
import { ALL_VARS_FILE, ADDONS_VARS_FILE, CLUSTER_VARS_FILE } from "./inventory";

export interface HostRef {
    readonly name: string;
    readonly address: string;
}

export interface MaintenancePolicy {
    readonly windows: ClusterSpec["operations"]["maintenanceWindows"];
}

/** State of the cluster command: versions, configuration and control-plane membership. */
export interface ClusterState {
    readonly kind: "cluster";
    readonly kubesprayVersion: string;
    readonly kubernetesVersion: string;
    /** Hash of the group_vars: a change means the configuration must be re-applied. */
    readonly configHash: string;
    readonly controlPlane: readonly HostRef[];
    readonly workerBatch: string;
    readonly drain: ClusterSpec["operations"]["drain"];
    readonly etcdSnapshotBeforeUpgrade: boolean;
    readonly provider: ClusterSpec["infrastructure"]["provider"];
    readonly environment: ClusterSpec["meta"]["environment"];
    readonly networks: { readonly nodes: string; readonly pods: string; readonly services: string };
    readonly apiEndpoint: ClusterSpec["infrastructure"]["apiEndpoint"]["type"];
}

/** State of the workers command: the worker set (replacements are the node's own gate and ready). */
export interface WorkersState {
    readonly kind: "workers";
    readonly workers: readonly HostRef[];
}

/** State of one node's gate and ready commands: what its machine looks like. */
export interface MachineState {
    readonly kind: "machine";
    readonly node: HostRef & { readonly role: PlannedNode["role"] };
    readonly machineHash: string;
    readonly generation: number;
}

/** State of the authorize command: which public keys every node must accept. */
export interface KeysState {
    readonly kind: "keys";
    readonly generation: number;
    readonly publicKeys: readonly string[];
}

export type CommandState = ClusterState | WorkersState | MachineState | KeysState;

export function sha(text: string, length = 16): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

export function clusterState(spec: ClusterSpec, inventory: Record<string, string>): ClusterState {
    return {
        kind: "cluster",
        kubesprayVersion: spec.kubespray.version,
        kubernetesVersion: spec.kubernetes.version,
        configHash: sha([ALL_VARS_FILE, CLUSTER_VARS_FILE, ADDONS_VARS_FILE].map((f) => inventory[f]).join("\n---\n")),
        controlPlane: spec.nodes.filter((n) => n.role === "control-plane").map(hostRef),
        workerBatch: String(spec.operations.upgrade.workerBatch),
        drain: spec.operations.drain,
        etcdSnapshotBeforeUpgrade: spec.backup.etcdSnapshotBeforeUpgrade,
        provider: spec.infrastructure.provider,
        environment: spec.meta.environment,
        networks: { nodes: spec.infrastructure.network.subnet, pods: spec.kubernetes.podSubnet, services: spec.kubernetes.serviceSubnet },
        apiEndpoint: spec.infrastructure.apiEndpoint.type,
    };
}

export function workersState(spec: ClusterSpec): WorkersState {
    return { kind: "workers", workers: spec.nodes.filter((n) => n.role === "worker").map(hostRef) };
}

/** Everything about a node's machine whose change restarts or replaces it. */
export function machineState(spec: ClusterSpec, node: PlannedNode): MachineState {
    const provider = spec.infrastructure.provider;
    const image = provider === "openstack" ? spec.infrastructure.openstack?.image
        : provider === "vsphere" ? spec.infrastructure.vsphere?.template
            : provider === "harvester" ? spec.infrastructure.harvester?.image.name : "";
    const size = provider === "vsphere" || provider === "harvester" ? spec.infrastructure.sizes[node.size] ?? node.size : node.size;
    const bootDisk = node.diskGiB ?? (provider === "openstack" ? spec.infrastructure.openstack?.bootVolume.sizeGiB : undefined);
    return {
        kind: "machine",
        node: { ...hostRef(node), role: node.role },
        machineHash: sha(JSON.stringify({ size, image, bootDisk, dataVolumes: node.dataVolumes, generation: node.generation })),
        generation: node.generation,
    };
}

function hostRef(node: PlannedNode): HostRef {
    return { name: node.name, address: node.address };
}

/**
 * The break-glass token of one command's change: a person copies it into `operations.breakGlass`
 * to let exactly this change run outside a maintenance window.
 */
export function breakGlassToken(command: string, state: CommandState): string {
    return `bg-${sha(`${command}\n${JSON.stringify(state)}`, 10)}`;
}
