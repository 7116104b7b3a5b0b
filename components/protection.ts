/**
 * Teardown is deliberate (`operations.decommission`, spec/schema.ts). In a production stack the resources
 * whose loss is the cluster's loss are `protect`ed: every machine with its port and volumes, the node
 * network, and the Kubespray cluster command. The engine then refuses `pulumi destroy` and refuses to
 * delete any of them when they leave the program (a node or pool taken out of the stack file by mistake).
 *
 * What the engine checks (pulumi/pulumi pkg/resource/deploy): a delete is refused when the *recorded*
 * state is protected (`DeleteStep.Apply`: `old.Protect`), so lifting protection takes one `pulumi up`
 * before the removal; a replacement is refused only when both the recorded and the new registration are
 * protected (step_generator.go: "we do allow unprotecting and replacing to happen in a single update
 * cycle"). So a machine whose identity changes in this run (the deployed record says it was made with
 * another identity: a planned image, disk or zone change, `operations.replaceNodes`) is registered
 * unprotected for that run and is replaced with its drain and rejoin as usual, then protected again.
 *
 * A node taken out of the stack file is not only a delete: its remove-node.yml runs first (drain, removal
 * from the cluster, Kubespray's reset), and the engine refuses only the delete that comes after. So the
 * deployed record lists the machines each run registered protected, and the program refuses a protected
 * node leaving the stack file before anything runs (`protectedRemovals`, refusals.ts
 * `protectedRemovalRefusal`): its protection is lifted by one `pulumi up` that still has it, then it leaves.
 */
import { CONTROL_PLANE_POOL, nodeName, type ClusterSpec, type PlannedNode } from "../spec";
import type { Deployed } from "./deployed";
import type { ProtectedRemoval } from "./kubespray/refusals";
import { identityHash, machineIdentity } from "./machine-identity";

export interface Protection {
    /** Protect the cluster-wide resources: the node network and the Kubespray cluster command. */
    readonly cluster: boolean;
    /** Protect this node's machine, port and volumes. */
    machine(node: PlannedNode): boolean;
}

export const UNPROTECTED: Protection = { cluster: false, machine: () => false };

export function protection(spec: ClusterSpec, deployed: Deployed): Protection {
    const { decommission } = spec.operations;
    const cluster = spec.meta.environment === "production" && decommission.confirm !== spec.meta.name;
    const released = new Set(decommission.nodes);
    return {
        cluster,
        machine: (node) => cluster && !released.has(node.name) && !replacedNow(spec, deployed, node),
    };
}

/**
 * The nodes whose machine this run registers with `protect` (what the deployed record keeps). Existing
 * hosts have no machine: nothing of theirs is protected.
 */
export function protectedMachines(spec: ClusterSpec, deployed: Deployed): string[] {
    if (spec.meta.environment !== "production" || spec.infrastructure.provider === "existing") {
        return [];
    }
    const rule = protection(spec, deployed);
    return spec.nodes.filter((node) => rule.machine(node)).map((node) => node.name);
}

/**
 * The deployed nodes that leave the stack file while the engine's state protects their machines. A record
 * that does not say which machines it protected (written before it did) counts every machine of a
 * production stack as protected: it cannot tell which ones an earlier `operations.decommission` lifted.
 */
export function protectedRemovals(spec: ClusterSpec, deployed: Deployed): ProtectedRemoval[] {
    const staying = new Set(spec.nodes.map((n) => n.name));
    const leaving = [...deployed.nodes].filter((name) => !staying.has(name));
    const assumed = spec.meta.environment === "production" && spec.infrastructure.provider !== "existing";
    const held = leaving.filter((name) => deployed.machineProtected(name) ?? assumed);
    const { decommission } = spec.operations;
    const liftedNow = (name: string) => decommission.confirm === spec.meta.name || decommission.nodes.includes(name);
    const controlPlane = new Set(deployed.controlPlane);
    const restore = restoreHints(spec, held);
    return held.map((node) => ({ node, restore: restore.get(node)!, liftedNow: liftedNow(node), controlPlane: controlPlane.has(node) }));
}

/**
 * The stack-file change that brings each leaving node back, naming the field: its pool's count (pools keep
 * their nodes by number: spec/topology.ts), or its pool when the pool is gone.
 */
function restoreHints(spec: ClusterSpec, names: readonly string[]): Map<string, string> {
    const infra = spec.infrastructure;
    const pools = [
        ...(infra.controlPlane ? [{ name: CONTROL_PLANE_POOL, path: "infrastructure.controlPlane.count" }] : []),
        ...infra.workerPools.map((pool, i) => ({ name: pool.name, path: `infrastructure.workerPools[${i}].count` })),
    ];
    const highest = new Map<string, number>();
    const poolOf = new Map<string, string>();
    for (const name of names) {
        for (const pool of pools) {
            const prefix = nodeName(spec.meta.name, pool.name, 0).slice(0, -1);
            const index = name.startsWith(prefix) ? name.slice(prefix.length) : "";
            if (/^[1-9]\d*$/.test(index)) {
                poolOf.set(name, pool.path);
                highest.set(pool.path, Math.max(highest.get(pool.path) ?? 0, Number(index)));
                break;
            }
        }
    }
    return new Map(names.map((name) => {
        const path = poolOf.get(name);
        return [name, path ? `${path} to ${highest.get(path)}` : `the pool of ${name} in infrastructure.workerPools`];
    }));
}

/** The deployed record knows the node's machine and its identity differs from the stack file's now. */
export function replacedNow(spec: ClusterSpec, deployed: Deployed, node: PlannedNode): boolean {
    const before = deployed.identity(node.name);
    return before !== undefined && before !== identityHash(machineIdentity(spec, node).replace);
}

/**
 * What the plan and preview say loudly about protection: warnings for `pulumi.log.warn` and for plan.md.
 * Empty for a stack that is not being decommissioned and loses no protected node.
 */
export function decommissionNotices(spec: ClusterSpec, deployed: Deployed): string[] {
    const { decommission } = spec.operations;
    const production = spec.meta.environment === "production";
    const notices: string[] = [];
    if (decommission.confirm === spec.meta.name) {
        notices.push(production
            ? `operations.decommission.confirm: DECOMMISSIONING cluster ${spec.meta.name}: the protection of every machine, volume and network and of the Kubespray cluster command is lifted; after this pulumi up, pulumi destroy (or removing them from the stack file) deletes them. Remove operations.decommission to protect them again`
            : `operations.decommission.confirm: cluster ${spec.meta.name} is a ${spec.meta.environment} stack, whose resources are not protected: pulumi destroy deletes them with or without this setting`);
    }
    const staying = new Set(spec.nodes.map((n) => n.name));
    const lifting = decommission.nodes.filter((name) => staying.has(name));
    if (lifting.length) {
        const nodes = lifting.join(", ");
        notices.push(production
            ? `operations.decommission.nodes: the machines, ports and volumes of ${nodes} lose their protection; after this pulumi up, taking them out of the stack file drains them, removes them from the cluster and deletes them`
            : `operations.decommission.nodes: ${nodes}: ${spec.meta.environment} stacks are not protected; taking nodes out of the stack file deletes their machines with or without this setting`);
    }
    const gone = decommission.nodes.filter((name) => !staying.has(name) && !deployed.has(name));
    if (gone.length) {
        notices.push(`operations.decommission.nodes: ${gone.join(", ")} ${gone.length === 1 ? "is" : "are"} not in the stack file nor in the cluster (any more); take ${gone.length === 1 ? "it" : "them"} off the list`);
    }
    const unprotectedLeaving = production && spec.infrastructure.provider !== "existing"
        ? [...deployed.nodes].filter((name) => !staying.has(name) && deployed.machineProtected(name) === false)
        : [];
    if (unprotectedLeaving.length) {
        const one = unprotectedLeaving.length === 1;
        notices.push(`operations.decommission.nodes: ${unprotectedLeaving.join(", ")} ${one ? "leaves" : "leave"} the stack file, unprotected by the last pulumi up: this pulumi up drains ${one ? "it" : "them"}, removes ${one ? "it" : "them"} from the cluster (remove-node.yml) and deletes ${one ? "its machine" : "their machines"}, ports and volumes`);
    }
    if (decommission.resetHosts.length) {
        notices.push(`operations.decommission.resetHosts: ${decommission.resetHosts.join(", ")} will be reset by Kubespray (Kubernetes, etcd data and CNI state wiped) when they leave the cluster`);
    }
    return notices;
}
