/**
 * What each Kubespray command resource carries in `KUBESPRAY_DESIRED`: its desired state, as plain
 * JSON. A command's state changes only when its own operation changes (the control plane and versions,
 * the worker set, one node's machine, the SSH keys), so an unchanged cluster previews clean and a Day-2
 * change touches only the commands it concerns. Settings that change *how* an operation runs but not
 * *whether* it runs (maintenance windows, break-glass, drain timeouts) are not here: the program writes
 * them to the workspace (see workspace.ts) on every run.
 *
 * Size: `@pulumi/command` passes the previous stdout (this state, printed by the runner) and the new
 * environment to the next run as single environment strings, and Linux refuses one of 128 KiB or more
 * (E2BIG). Node lists are therefore kept compact: worker names per pool as numbered ranges
 * (`t1-w-[1-1000]`), so 3 control-plane nodes + 3,000 workers stay under 512 bytes for the workers
 * command and 2 KiB for the cluster command (measured in test/kubespray/state.test.ts); names that do
 * not form ranges (existing hosts) are listed, and a pool whose list would pass 8 KiB keeps 10-hex-digit
 * digests of its names instead (14 bytes a node: 3,000 existing hosts ≈ 41 KiB). stderr is bounded
 * separately (runner/exec.ts, 32 KiB).
 */
import { createHash } from "crypto";
import type { ClusterSpec, PlannedNode } from "../../spec";
import { identityHash, machineIdentity, type MachineIdentity } from "../machine-identity";
import { CONTROL_PLANE_VARS, inventoryVars } from "./inventory";

/** Format of the states below; a previous state without it was written by an older runner. */
export const STATE_FORMAT = 2;

export interface HostRef {
    readonly name: string;
    readonly address: string;
}

/** State of the cluster command: versions, configuration and control-plane membership. */
export interface ClusterState {
    readonly kind: "cluster";
    readonly v: typeof STATE_FORMAT;
    readonly kubesprayVersion: string;
    readonly kubernetesVersion: string;
    /** Digest of every group_vars value: a change is re-applied with cluster.yml. */
    readonly configHash: string;
    /**
     * Digest of the values the control-plane static pods are made of (kubeadm-config.yaml): a change
     * needs the upgrade path to reach the running API servers (see CONTROL_PLANE_VARS).
     */
    readonly controlPlaneConfigHash: string;
    /** Control-plane (and etcd) nodes in inventory order. */
    readonly controlPlane: readonly HostRef[];
    readonly workerBatch: string;
    readonly etcdSnapshotBeforeUpgrade: boolean;
    /**
     * Nodes reach the API through Kubespray's per-node nginx proxy (no `loadbalancer_apiserver`, i.e.
     * no API VIP): control-plane membership changes must reach every node's proxy configuration.
     */
    readonly localApiProxy: boolean;
    /** Nodes the stack file allows to be removed without being reached (reset_nodes=false). */
    readonly ungraceful: readonly string[];
    /** A control-plane recovery the stack file requests (operations.recoverControlPlane); absent otherwise. */
    readonly recover?: ControlPlaneRecovery;
    /**
     * Present (false) only when the stack file turns Kubespray's monthly certificate renewal off, so the
     * policy pack can warn; absent by default, so existing states keep their inputs.
     */
    readonly autoRenewCertificates?: false;
    // Read by the policy pack (policies/lib/cluster.ts); stable for a cluster's life.
    readonly provider: ClusterSpec["infrastructure"]["provider"];
    readonly environment: ClusterSpec["meta"]["environment"];
    readonly networks: { readonly nodes: string; readonly pods: string; readonly services: string };
    readonly apiEndpoint: ClusterSpec["infrastructure"]["apiEndpoint"]["type"];
}

/** Where the etcd snapshot to restore comes from: an object the etcd-backup CronJob wrote, or a file on a node. */
export type EtcdSnapshotSource =
    | { readonly s3: { readonly bucket: string; readonly key: string; readonly region: string; readonly endpoint?: string } }
    | { readonly node: string; readonly path: string };

export interface ControlPlaneRecovery {
    /** Broken control-plane nodes with their replacement generation: a new generation is a new request. */
    readonly broken: readonly (HostRef & { readonly generation: number })[];
    /** Restored only when quorum is lost (Kubespray's `etcd_snapshot`); without it Kubespray snapshots the first etcd member. */
    readonly etcdSnapshot?: EtcdSnapshotSource;
}

/** One worker pool: its nodes (compact, see `compactNames`) and a digest of their labels and taints. */
export interface PoolState {
    readonly nodes: readonly string[];
    readonly labels: string;
}

/** State of the workers command: the worker set by pool (replacements are each node's gate and ready). */
export interface WorkersState {
    readonly kind: "workers";
    readonly v: typeof STATE_FORMAT;
    readonly pools: Readonly<Record<string, PoolState>>;
    /** Nodes the stack file allows to be removed without being reached (reset_nodes=false). */
    readonly ungraceful: readonly string[];
}

/** State of one node's gate and ready commands: what its machine is (components/machine-identity.ts). */
export interface MachineState {
    readonly kind: "machine";
    readonly v: typeof STATE_FORMAT;
    readonly node: HostRef & { readonly role: PlannedNode["role"] };
    /** Digest of the values whose change recreates the machine: drain → remove → recreate → rejoin. */
    readonly replaceHash: string;
    /** Digest of the values whose change restarts the machine: drain → change → restart → Ready. */
    readonly restartHash: string;
    readonly restartAppliedBy: MachineIdentity["restartAppliedBy"];
    /** The stack file allows removing this node without reaching it (reset_nodes=false). */
    readonly ungraceful: boolean;
}

/** State of the authorize command: which public keys every node (and the bastion) must accept. */
export interface KeysState {
    readonly kind: "keys";
    readonly generation: number;
    readonly publicKeys: readonly string[];
}

/** State of the kubeconfig command: which service-account credential and API endpoint it hands out. */
export interface KubeconfigState {
    readonly kind: "kubeconfig";
    readonly v: typeof STATE_FORMAT;
    /** Bumped to rotate the token: a new Secret, the old ones deleted. */
    readonly generation: number;
    readonly server: string;
}

export type CommandState = ClusterState | WorkersState | MachineState | KeysState | KubeconfigState;

export function sha(text: string, length = 16): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * Nodes that left the stack file and may be removed without being reached (operations.removeUnreachable),
 * sorted: what the cluster and workers commands remove. A node that stays (a worker being recreated) is
 * its own gate's business (MachineState.ungraceful), so naming it changes neither command.
 */
function leavingUnreachable(spec: ClusterSpec): string[] {
    if (!spec.operations.removeUnreachable.length) return [];
    const staying = new Set(spec.nodes.map((n) => n.name));
    return spec.operations.removeUnreachable.filter((name) => !staying.has(name)).sort();
}

/**
 * A requested control-plane recovery (operations.recoverControlPlane), as the cluster command runs it:
 * Kubespray's recover-control-plane.yml with these nodes in `broken_etcd` and `broken_kube_control_plane`.
 */
export function controlPlaneRecovery(spec: ClusterSpec): ControlPlaneRecovery | undefined {
    const request = spec.operations.recoverControlPlane;
    if (!request) return undefined;
    const broken = spec.nodes.filter((n) => n.role === "control-plane" && request.broken.includes(n.name)).map((n) => ({ ...hostRef(n), generation: n.generation }));
    const snapshot = request.etcdSnapshot;
    const storage = spec.backup.storage;
    const etcdSnapshot: EtcdSnapshotSource | undefined = !snapshot ? undefined
        : "s3Key" in snapshot
            ? { s3: { bucket: storage?.bucket ?? "", key: snapshot.s3Key, region: storage?.region ?? "us-east-1", ...(storage?.s3Url ? { endpoint: storage.s3Url } : {}) } }
            : { node: snapshot.node, path: snapshot.path };
    return { broken, ...(etcdSnapshot ? { etcdSnapshot } : {}) };
}

/**
 * The cluster command's state. The configuration digests are taken over the group_vars values with
 * sorted keys, so the order of keys in the stack file (or in extraVars) never changes them.
 */
export function clusterState(spec: ClusterSpec, apiHost: string): ClusterState {
    // The API host is part of the certificates' names: a new one means the configuration changed.
    const vars = inventoryVars({ spec, apiHost });
    const controlPlaneVars = Object.fromEntries(Object.entries(vars).filter(([key]) => CONTROL_PLANE_VARS.has(key) || key in spec.kubespray.extraVars));
    const controlPlane = spec.nodes.filter((n) => n.role === "control-plane");
    const recover = controlPlaneRecovery(spec);
    return {
        kind: "cluster",
        v: STATE_FORMAT,
        kubesprayVersion: spec.kubespray.version,
        kubernetesVersion: spec.kubernetes.version,
        configHash: identityHash(vars),
        controlPlaneConfigHash: identityHash(controlPlaneVars),
        controlPlane: controlPlane.map(hostRef),
        workerBatch: String(spec.operations.upgrade.workerBatch),
        etcdSnapshotBeforeUpgrade: spec.backup.etcdSnapshotBeforeUpgrade,
        localApiProxy: !spec.infrastructure.network.apiVip,
        ungraceful: leavingUnreachable(spec),
        ...(recover ? { recover } : {}),
        ...(spec.kubernetes.autoRenewCertificates ? {} : { autoRenewCertificates: false as const }),
        provider: spec.infrastructure.provider,
        environment: spec.meta.environment,
        networks: { nodes: spec.infrastructure.network.subnet, pods: spec.kubernetes.podSubnet, services: spec.kubernetes.serviceSubnet },
        apiEndpoint: spec.infrastructure.apiEndpoint.type,
    };
}

export function workersState(spec: ClusterSpec): WorkersState {
    const pools: Record<string, PoolState> = {};
    const byPool = new Map<string, PlannedNode[]>();
    for (const node of spec.nodes.filter((n) => n.role === "worker")) {
        byPool.set(node.pool, [...(byPool.get(node.pool) ?? []), node]);
    }
    for (const [pool, nodes] of [...byPool.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        pools[pool] = { nodes: compactNames(nodes.map((n) => n.name)), labels: identityHash({ labels: nodes[0].labels, taints: nodes[0].taints }) };
    }
    return { kind: "workers", v: STATE_FORMAT, pools, ungraceful: leavingUnreachable(spec) };
}

/** Everything about a node's machine whose change restarts or replaces it (machine-identity.ts decides which). */
export function machineState(spec: ClusterSpec, node: PlannedNode): MachineState {
    const identity = machineIdentity(spec, node);
    return {
        kind: "machine",
        v: STATE_FORMAT,
        node: { ...hostRef(node), role: node.role },
        replaceHash: identityHash(identity.replace),
        restartHash: identityHash(identity.restart),
        restartAppliedBy: identity.restartAppliedBy,
        ungraceful: spec.operations.removeUnreachable.includes(node.name),
    };
}

export function keysState(spec: ClusterSpec, clusterKeys: readonly string[]): KeysState {
    return { kind: "keys", generation: spec.operations.keyRotation.sshGeneration, publicKeys: [...clusterKeys, ...spec.infrastructure.ssh.authorizedKeys] };
}

export function kubeconfigState(spec: ClusterSpec, apiHost: string): KubeconfigState {
    return { kind: "kubeconfig", v: STATE_FORMAT, generation: spec.operations.keyRotation.kubeconfigGeneration, server: `https://${apiHost}:${spec.kubernetes.apiPort}` };
}

function hostRef(node: PlannedNode): HostRef {
    return { name: node.name, address: node.address };
}

/**
 * The break-glass token of one command's change: a person copies it into `operations.breakGlass`
 * to let exactly this change run outside a maintenance window. Key order does not change it.
 */
export function breakGlassToken(command: string, state: CommandState): string {
    return `bg-${sha(`${command}\n${identityHash(state)}`, 10)}`;
}

// ---------------------------------------------------------------------------------------------------
// Compact node sets

const RANGE = /^(.*?)\[(\d+)-(\d+)\]$/;
const DIGEST = /^#[0-9a-f]{10}$/;
/** Past this many bytes of JSON, a pool's names that form no range are kept as digests. */
export const PLAIN_NAMES_LIMIT = 8 * 1024;

const nameDigest = (name: string) => `#${sha(name, 10)}`;

/** A run of consecutive numbers after one prefix: `prefix<first>` … `prefix<last>`. */
export interface NumberRun {
    readonly prefix: string;
    readonly first: number;
    readonly last: number;
}

/** `prefix[a-b]` for a run of several names, the name itself for a run of one. */
export const runEntry = (run: NumberRun): string => (run.first === run.last ? `${run.prefix}${run.first}` : `${run.prefix}[${run.first}-${run.last}]`);

/**
 * Names ending in a number without leading zeros, as runs of consecutive numbers per prefix (prefixes
 * sorted, runs ascending); the other names as they came. Shared by the command states (`compactNames`)
 * and the deployed record (deployed.ts `rangeNames`).
 */
export function numberRuns(names: readonly string[]): { runs: NumberRun[]; plain: string[] } {
    const numbered = new Map<string, number[]>();
    const plain: string[] = [];
    for (const name of names) {
        const match = /^(.*?)([1-9]\d*)$/.exec(name);
        if (match) {
            numbered.set(match[1], [...(numbered.get(match[1]) ?? []), Number(match[2])]);
        } else {
            plain.push(name);
        }
    }
    const runs: NumberRun[] = [];
    for (const [prefix, numbers] of [...numbered.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const sorted = [...new Set(numbers)].sort((a, b) => a - b);
        for (let i = 0; i < sorted.length;) {
            let j = i;
            while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
            runs.push({ prefix, first: sorted[i], last: sorted[j] });
            i = j + 1;
        }
    }
    return { runs, plain };
}

/**
 * Names as entries of three kinds: `prefix[a-b]` for `prefix<a>` … `prefix<b>` (numbers without
 * leading zeros), a plain name, or `#<10 hex>` (the digest of a name, when plain names would be large).
 * Node names are DNS labels, so `[`, `]` and `#` never occur in one.
 */
export function compactNames(names: readonly string[]): string[] {
    const { runs, plain } = numberRuns(names);
    const entries = runs.filter((run) => run.first !== run.last).map(runEntry);
    plain.push(...runs.filter((run) => run.first === run.last).map(runEntry));
    const sortedPlain = [...new Set(plain)].sort();
    const asDigests = JSON.stringify(sortedPlain).length > PLAIN_NAMES_LIMIT;
    return [...entries, ...(asDigests ? sortedPlain.map(nameDigest).sort() : sortedPlain)];
}

/** A compact name set: membership for any name, and the names it can list (all but digests). */
export interface NameSet {
    has(name: string): boolean;
    /** Names written out or as ranges (digests cannot be listed). */
    readonly listed: readonly string[];
}

export function nameSet(entries: readonly string[]): NameSet {
    const listed: string[] = [];
    const digests = new Set<string>();
    const ranges: { prefix: string; from: number; to: number }[] = [];
    for (const entry of entries) {
        const range = RANGE.exec(entry);
        if (range) {
            ranges.push({ prefix: range[1], from: Number(range[2]), to: Number(range[3]) });
            for (let n = Number(range[2]); n <= Number(range[3]); n++) listed.push(`${range[1]}${n}`);
        } else if (DIGEST.test(entry)) {
            digests.add(entry);
        } else {
            listed.push(entry);
        }
    }
    const plain = new Set(listed);
    return {
        listed,
        has: (name) => plain.has(name) || (digests.size > 0 && digests.has(nameDigest(name))),
    };
}

/** Every worker entry of a workers state, across pools. */
export function workerNames(state: WorkersState): NameSet {
    const sets = Object.values(state.pools).map((pool) => nameSet(pool.nodes));
    return { listed: sets.flatMap((s) => s.listed), has: (name) => sets.some((s) => s.has(name)) };
}
