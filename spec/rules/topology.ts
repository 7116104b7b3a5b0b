/** Node counts, pool names and node identity. */
import { MAX_CONTROL_PLANE_NODES, MAX_WORKER_NODES } from "../limits";
import { CONTROL_PLANE_POOL, existingPoolName, nodeName, planNodes, poolsOf } from "../topology";
import type { RuleContext } from "./context";

/**
 * At most 3,000 workers in all pools together (and 9 control-plane nodes): what a plan can hold on the
 * project's 2-core machine (spec/limits.ts, README "Limits"). The schema bounds one pool; this bounds their sum.
 */
export function clusterSizeIsBounded(ctx: RuleContext): void {
    const infra = ctx.config.infrastructure;
    const existing = infra.existing?.nodes ?? [];
    const workers = infra.provider === "existing"
        ? existing.filter((node) => node.role === "worker").length
        : infra.workerPools.reduce((sum, pool) => sum + pool.count, 0);
    const path = infra.provider === "existing" ? "infrastructure.existing.nodes" : "infrastructure.workerPools";
    if (workers > MAX_WORKER_NODES) {
        ctx.error(path, `hold ${workers.toLocaleString("en-US")} workers in all; a cluster may have at most ${MAX_WORKER_NODES.toLocaleString("en-US")} (the plan's time and memory grow with every node: README "Limits")`);
    }
    const controlPlane = existing.filter((node) => node.role === "control-plane").length;
    if (infra.provider === "existing" && controlPlane > MAX_CONTROL_PLANE_NODES) {
        ctx.error(path, `list ${controlPlane} control-plane nodes; at most ${MAX_CONTROL_PLANE_NODES} (etcd members)`);
    }
}

/** On existing hosts a pool has one role, and the control plane's pool name is the control plane's. */
export function existingPoolsHaveOneRole(ctx: RuleContext): void {
    const roles = new Map<string, { role: string; index: number }>();
    (ctx.config.infrastructure.existing?.nodes ?? []).forEach((node, i) => {
        const pool = existingPoolName(node);
        const path = `infrastructure.existing.nodes[${i}].pool`;
        if (node.role === "worker" && pool === CONTROL_PLANE_POOL) {
            ctx.error(path, `"${CONTROL_PLANE_POOL}" is reserved for the control plane; put workers in another pool (default "workers")`);
            return;
        }
        const first = roles.get(pool);
        if (first && first.role !== node.role) {
            ctx.error(path, `"${pool}" already holds ${first.role} nodes (infrastructure.existing.nodes[${first.index}]); a pool has one role`);
        } else if (!first) {
            roles.set(pool, { role: node.role, index: i });
        }
    });
}

/**
 * Volume names the Harvester VM already gives its own disks and their claims (`rootdisk`,
 * `cloudinitdisk`, and `<node>-rootdisk`): a data volume with such a name would be a second disk or
 * claim of the same name.
 */
const RESERVED_VOLUME_NAMES = ["rootdisk", "cloudinitdisk", "cloudinit"];

/**
 * Each data volume becomes resources named `<node>-<volume>` (an OpenStack volume and attachment, a
 * Harvester claim): two volumes of one pool with the same name, or two nodes whose names and volume
 * names join to the same string, would register the same URN twice, which the engine refuses.
 */
export function dataVolumeNamesAreUnique(ctx: RuleContext): void {
    const made = new Map<string, string>();
    for (const pool of poolsOf(ctx.config)) {
        const seen = new Map<string, number>();
        pool.dataVolumes.forEach((volume, j) => {
            const path = `${pool.path}.dataVolumes[${j}].name`;
            const first = seen.get(volume.name);
            if (first !== undefined) {
                ctx.error(path, `"${volume.name}" is already the name of ${pool.path}.dataVolumes[${first}]; volume names must be unique in a pool (each becomes the resource <node>-${volume.name})`);
                return;
            }
            seen.set(volume.name, j);
            if (RESERVED_VOLUME_NAMES.includes(volume.name)) {
                ctx.error(path, `"${volume.name}" is a name the VM already uses for its own disks; choose another (reserved: ${RESERVED_VOLUME_NAMES.join(", ")})`);
                return;
            }
            for (let index = 1; index <= pool.count; index++) {
                const node = nodeName(ctx.config.meta.name, pool.name, index);
                const name = `${node}-${volume.name}`;
                const other = made.get(name);
                if (other !== undefined) {
                    ctx.error(path, `makes the volume ${name} for node ${node}, which ${other} already makes; rename the volume`);
                    return;
                }
                made.set(name, `${pool.path}.dataVolumes[${j}] (node ${node})`);
            }
        });
    }
}

export function controlPlaneKeepsQuorum(ctx: RuleContext): void {
    const { infrastructure, meta } = ctx.config;
    const count = infrastructure.provider === "existing"
        ? (infrastructure.existing?.nodes ?? []).filter((n) => n.role === "control-plane").length
        : infrastructure.controlPlane?.count;
    const path = infrastructure.provider === "existing" ? "infrastructure.existing.nodes" : "infrastructure.controlPlane.count";
    if (count === undefined) {
        return; // the provider rule reports the missing section
    }
    if (count === 0) {
        ctx.error(path, "needs at least one control-plane node");
    } else if (count % 2 === 0) {
        ctx.error(path, `is ${count}; the control plane carries etcd and must be odd (1, 3, 5, 7 or 9) to keep quorum`);
    } else if (meta.environment === "production" && count < 3) {
        ctx.error(path, `is ${count}; production (meta.environment) needs at least 3 control-plane nodes`);
    }
}

export function poolNamesAreUnique(ctx: RuleContext): void {
    const seen = new Map<string, number>();
    ctx.config.infrastructure.workerPools.forEach((pool, i) => {
        const path = `infrastructure.workerPools[${i}].name`;
        if (pool.name === CONTROL_PLANE_POOL) {
            ctx.error(path, `"${CONTROL_PLANE_POOL}" is reserved for the control plane`);
        }
        const first = seen.get(pool.name);
        if (first !== undefined) {
            ctx.error(path, `"${pool.name}" is already the name of infrastructure.workerPools[${first}]; pool names must be unique`);
        } else {
            seen.set(pool.name, i);
        }
    });
}

export function nodeNamesFit(ctx: RuleContext): void {
    const cluster = ctx.config.meta.name;
    for (const pool of poolsOf(ctx.config)) {
        if (ctx.config.infrastructure.provider === "existing" || pool.count === 0) {
            continue;
        }
        const longest = nodeName(cluster, pool.name, pool.count);
        if (longest.length > 63) {
            ctx.error(`${pool.path}`, `node name ${longest} is ${longest.length} characters; node names must be at most 63 (shorten meta.name or the pool name)`);
        }
    }
    const names = new Map<string, number>();
    (ctx.config.infrastructure.existing?.nodes ?? []).forEach((node, i) => {
        const first = names.get(node.name);
        if (first !== undefined) {
            ctx.error(`infrastructure.existing.nodes[${i}].name`, `"${node.name}" is already infrastructure.existing.nodes[${first}]; node names must be unique`);
        }
        names.set(node.name, i);
    });
}

export function replacementsNameRealNodes(ctx: RuleContext): void {
    const known = new Set(planNodes(ctx.config).map((n) => n.name));
    const seen = new Set<string>();
    ctx.config.operations.replaceNodes.forEach((entry, i) => {
        const path = `operations.replaceNodes[${i}].node`;
        if (!known.has(entry.node)) {
            ctx.error(path, `"${entry.node}" is not a node of this cluster; allowed: ${[...known].join(", ") || "(no nodes)"}`);
        }
        if (seen.has(entry.node)) {
            ctx.error(path, `"${entry.node}" is listed twice; keep one entry and bump its generation`);
        }
        seen.add(entry.node);
    });
    if (ctx.config.infrastructure.provider === "existing" && ctx.config.operations.replaceNodes.length > 0) {
        ctx.error("operations.replaceNodes", "cannot recreate existing hosts; remove the node from infrastructure.existing.nodes and add its replacement instead");
    }
}

export function clusterNameIsNotReserved(ctx: RuleContext): void {
    const name = ctx.config.meta.name;
    if (["default", "kube-system", "kube-public", "kube-node-lease"].includes(name)) {
        ctx.error("meta.name", `"${name}" is a reserved Kubernetes name; choose another cluster name`);
    }
    if (name.includes("--")) {
        ctx.warn("meta.name", "contains '--', which reads badly in node names");
    }
}
