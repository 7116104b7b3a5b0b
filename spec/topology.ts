/**
 * Node topology: which nodes exist, what they are called and which address each one has.
 *
 * Identity is stable by construction: a node's name is `<cluster>-<pool>-<n>` and its address comes
 * from its own pool's block or list at position n. Nothing depends on a node's position in a shared
 * list, so changing one pool's count never changes another node's name, address or inputs, and
 * shrinking a pool removes its highest-numbered nodes.
 */
import * as ipaddr from "ipaddr.js";
import type { ClusterConfig } from "./schema";
import { DEFAULT_SIZES } from "./infrastructure";

export type NodeRole = "control-plane" | "worker";

/** Pool name of the control plane; reserved, so no worker pool may take it. */
export const CONTROL_PLANE_POOL = "cp";

export interface Taint {
    readonly key: string;
    readonly value: string;
    readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface DataVolume {
    readonly name: string;
    readonly sizeGiB: number;
    readonly type?: string;
}

/** What every node of a pool shares. */
export interface PoolSettings {
    readonly role: NodeRole;
    /** Flavor (OpenStack) or size name (vSphere, Harvester); "" for existing hosts. */
    readonly size: string;
    /** Boot disk in GiB, when the stack sets one for the pool. */
    readonly diskGiB?: number;
    readonly dataVolumes: readonly DataVolume[];
    readonly labels: Readonly<Record<string, string>>;
    readonly taints: readonly Taint[];
    readonly antiAffinity: "none" | "soft" | "hard";
}

export interface PlannedNode extends PoolSettings {
    /** `<cluster>-<pool>-<n>` (or the host's own name for existing hosts). */
    readonly name: string;
    readonly pool: string;
    /** 1-based number within the pool. */
    readonly index: number;
    readonly address: string;
    /** Replacement generation from `operations.replaceNodes` (0 = original). */
    readonly generation: number;
}

export interface Pool extends PoolSettings {
    readonly name: string;
    readonly count: number;
    /** Address of node n (1-based), or undefined beyond the pool's block or list. */
    readonly addressOf: (index: number) => string | undefined;
    /** Field path of the pool in the stack file, for error messages. */
    readonly path: string;
}

/** Stack-file path of each pool's `addresses`, by pool name (existing hosts: their node list). */
export function addressPaths(config: ClusterConfig): Map<string, string> {
    return new Map(poolsOf(config).map((pool) => [pool.name, `${pool.path}.addresses`]));
}

export type Addresses = { from: string; to: string } | string[];

export function addressFromBlock(addresses: Addresses, index: number): string | undefined {
    if (Array.isArray(addresses)) {
        return addresses[index - 1];
    }
    const start = ipv4ToInt(addresses.from);
    const candidate = start + index - 1;
    return candidate <= ipv4ToInt(addresses.to) ? intToIpv4(candidate) : undefined;
}

export function blockCapacity(addresses: Addresses): number {
    return Array.isArray(addresses) ? addresses.length : Math.max(0, ipv4ToInt(addresses.to) - ipv4ToInt(addresses.from) + 1);
}

export function ipv4ToInt(address: string): number {
    return ipaddr.IPv4.parse(address).toByteArray().reduce((acc, byte) => acc * 256 + byte, 0);
}

export function intToIpv4(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** The pools of a stack, control plane first, in stack-file order (existing hosts grouped by pool). */
export function poolsOf(config: ClusterConfig): Pool[] {
    const infra = config.infrastructure;
    if (infra.provider === "existing") {
        return existingPools(config);
    }
    const pools: Pool[] = [];
    if (infra.controlPlane) {
        const cp = infra.controlPlane;
        pools.push({
            name: CONTROL_PLANE_POOL, role: "control-plane", count: cp.count, size: cp.size, diskGiB: cp.diskGiB,
            dataVolumes: cp.dataVolumes, labels: {}, taints: [], antiAffinity: "hard",
            addressOf: (index) => addressFromBlock(cp.addresses, index), path: "infrastructure.controlPlane",
        });
    }
    infra.workerPools.forEach((pool, i) => pools.push({
        name: pool.name, role: "worker", count: pool.count, size: pool.size, diskGiB: pool.diskGiB,
        dataVolumes: pool.dataVolumes, labels: pool.labels, taints: pool.taints, antiAffinity: pool.antiAffinity,
        addressOf: (index) => addressFromBlock(pool.addresses, index), path: `infrastructure.workerPools[${i}]`,
    }));
    return pools;
}

function existingPools(config: ClusterConfig): Pool[] {
    const nodes = config.infrastructure.existing?.nodes ?? [];
    const byPool = new Map<string, { role: NodeRole; addresses: string[] }>();
    for (const node of nodes) {
        const pool = existingPoolName(node);
        const entry = byPool.get(pool) ?? { role: node.role, addresses: [] };
        entry.addresses.push(node.address);
        byPool.set(pool, entry);
    }
    return [...byPool.entries()].map(([name, entry]) => ({
        name, role: entry.role, count: entry.addresses.length, size: "", dataVolumes: [], labels: {}, taints: [],
        antiAffinity: "none" as const, addressOf: (index: number) => entry.addresses[index - 1], path: "infrastructure.existing.nodes",
    }));
}

export function existingPoolName(node: { role: NodeRole; pool?: string }): string {
    return node.pool ?? (node.role === "control-plane" ? CONTROL_PLANE_POOL : "workers");
}

export function nodeName(cluster: string, pool: string, index: number): string {
    return `${cluster}-${pool}-${index}`;
}

/**
 * Every node of the cluster, control plane first, then pools in stack-file order, each pool by number.
 * Assumes a validated config (addresses exist for every node).
 */
export function planNodes(config: ClusterConfig): PlannedNode[] {
    const generations = new Map(config.operations.replaceNodes.map((r) => [r.node, r.generation]));
    if (config.infrastructure.provider === "existing") {
        const counters = new Map<string, number>();
        return sortControlPlaneFirst((config.infrastructure.existing?.nodes ?? []).map((node) => {
            const pool = existingPoolName(node);
            const index = (counters.get(pool) ?? 0) + 1;
            counters.set(pool, index);
            return {
                name: node.name, role: node.role, pool, index, address: node.address, size: "", dataVolumes: [],
                labels: {}, taints: [], antiAffinity: "none", generation: generations.get(node.name) ?? 0,
            };
        }));
    }
    const nodes: PlannedNode[] = [];
    for (const pool of poolsOf(config)) {
        for (let index = 1; index <= pool.count; index++) {
            const name = nodeName(config.meta.name, pool.name, index);
            nodes.push({
                name, role: pool.role, pool: pool.name, index, address: pool.addressOf(index) ?? "",
                size: pool.size, diskGiB: pool.diskGiB, dataVolumes: pool.dataVolumes, labels: pool.labels,
                taints: pool.taints, antiAffinity: pool.antiAffinity, generation: generations.get(name) ?? 0,
            });
        }
    }
    return nodes;
}

function sortControlPlaneFirst(nodes: PlannedNode[]): PlannedNode[] {
    return [...nodes.filter((n) => n.role === "control-plane"), ...nodes.filter((n) => n.role === "worker")];
}

/**
 * CPU, memory and disk of a size name on providers that take numbers rather than flavors. Own keys
 * only: a size called `constructor` or `toString` must not find what every object inherits.
 */
export function resolveSize(config: ClusterConfig, size: string): { cpus: number; memoryGiB: number; diskGiB: number } | undefined {
    const { sizes } = config.infrastructure;
    if (Object.hasOwn(sizes, size)) {
        return sizes[size];
    }
    return Object.hasOwn(DEFAULT_SIZES, size) ? DEFAULT_SIZES[size] : undefined;
}
