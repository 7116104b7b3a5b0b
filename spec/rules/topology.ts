/** Node counts, pool names and node identity. */
import { CONTROL_PLANE_POOL, nodeName, planNodes, poolsOf } from "../topology";
import type { RuleContext } from "./context";

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
