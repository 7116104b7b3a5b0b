/**
 * Recovery choices (`operations.removeUnreachable`, `operations.recoverControlPlane`): each name must be a
 * node this cluster has or had, each choice must be one the runner can carry out, and each unsafe choice
 * is repeated as a warning (printed by `npm run plan` and `pulumi preview`), so a reviewer sees it besides
 * the stack-file diff.
 */
import { planNodes, type PlannedNode } from "../topology";
import type { RuleContext } from "./context";

const list = (names: readonly string[]) => names.join(", ") || "(none)";

/**
 * `operations.removeUnreachable`: a node of the stack file (a worker being recreated: `replaceNodes`), or
 * one leaving it. Leaving nodes of a cloud cluster are named `<cluster>-<pool>-<n>`; existing hosts keep
 * their own names, so any name is one the cluster may have had.
 */
export function unreachableNodesAreRealNodes(ctx: RuleContext): void {
    const { config } = ctx;
    const nodes = new Map<string, PlannedNode>(planNodes(config).map((n) => [n.name, n]));
    const replaced = new Set(config.operations.replaceNodes.map((r) => r.node));
    const seen = new Set<string>();
    // meta.name is a DNS label (letters, digits, '-'): nothing in it is special in a regular expression.
    const nodeShape = new RegExp(`^${config.meta.name}-[a-z0-9-]+-[1-9][0-9]*$`);
    config.operations.removeUnreachable.forEach((name, i) => {
        const path = `operations.removeUnreachable[${i}]`;
        if (seen.has(name)) {
            ctx.error(path, `"${name}" is listed twice`);
            return;
        }
        seen.add(name);
        const node = nodes.get(name);
        if (node?.role === "control-plane") {
            ctx.error(path, `"${name}" is a control-plane node of the stack file; a broken control-plane node that stays is brought back with operations.recoverControlPlane: {broken: [${name}]} (Kubespray's recover-control-plane.yml), not removed`);
        } else if (node && !replaced.has(name)) {
            ctx.error(path, config.infrastructure.provider === "existing"
                ? `"${name}" stays in infrastructure.existing.nodes, so nothing would remove it; remove the host from infrastructure.existing.nodes (add it back once it is reinstalled at the same address)`
                : `"${name}" stays in the stack file and is not being replaced, so nothing would remove it; to recreate its machine add {node: ${name}, generation: <n>} to operations.replaceNodes, or remove it from its pool`);
        } else if (!node && config.infrastructure.provider !== "existing" && !nodeShape.test(name)) {
            ctx.error(path, `"${name}" is neither a node of this stack file nor a name this cluster's nodes have (${config.meta.name}-<pool>-<n>); nodes of this stack file: ${list([...nodes.keys()])}`);
        } else {
            ctx.warn(path, `${name} will be removed without being reached (remove-node.yml reset_nodes=false allow_ungraceful_removal=true): no graceful drain, PodDisruptionBudgets are not honoured, nothing on it is reset. Remove the entry once pulumi up has removed it`);
        }
    });
}

/**
 * `operations.recoverControlPlane`: broken nodes are control-plane nodes of the stack file, at least one
 * is not broken (Kubespray's recover-control-plane.md: "you need at least one functional node"), and the
 * snapshot can be read: an S3 key needs the backup storage and its credentials; a file must be on a
 * control-plane node whose disk survives.
 */
export function controlPlaneRecoveryIsPossible(ctx: RuleContext): void {
    const { config } = ctx;
    const recovery = config.operations.recoverControlPlane;
    if (!recovery) return;
    const controlPlane = planNodes(config).filter((n) => n.role === "control-plane").map((n) => n.name);
    const seen = new Set<string>();
    recovery.broken.forEach((name, i) => {
        const path = `operations.recoverControlPlane.broken[${i}]`;
        if (!controlPlane.includes(name)) {
            ctx.error(path, `"${name}" is not a control-plane node of this stack file; allowed: ${list(controlPlane)}`);
        } else if (seen.has(name)) {
            ctx.error(path, `"${name}" is listed twice`);
        }
        seen.add(name);
    });
    const survivors = controlPlane.filter((n) => !seen.has(n));
    if (controlPlane.length > 0 && survivors.length === 0) {
        ctx.error("operations.recoverControlPlane.broken", "lists every control-plane node; Kubespray's recover-control-plane.yml needs at least one functional control-plane node (docs/operations/recover-control-plane.md). With every control-plane node lost, rebuild the cluster and restore it with Velero (README: When things break)");
    }
    // Quorum is gone when the broken members are at least half. Kubespray then restores etcd onto the first
    // survivor alone (roles/recover_control_plane/etcd/tasks/recover_lost_quorum.yml) and removes no data
    // directory, so every other member must come back empty: on a new machine, or with its data emptied.
    const quorumLost = controlPlane.length > 0 && seen.size * 2 >= controlPlane.length;
    if (quorumLost && survivors.length > 1) {
        ctx.error("operations.recoverControlPlane.broken", `leaves etcd without quorum (${seen.size} of ${controlPlane.length} members broken): Kubespray restores etcd onto the first survivor (${survivors[0]}) alone, and ${list(survivors.slice(1))} would rejoin with the old cluster's data; list them as broken too`);
    }
    if (quorumLost && config.infrastructure.provider !== "existing") {
        const replaced = new Set(config.operations.replaceNodes.map((r) => r.node));
        recovery.broken.forEach((name, i) => {
            if (controlPlane.includes(name) && !replaced.has(name)) {
                ctx.error(`operations.recoverControlPlane.broken[${i}]`, `${name} must come back on a new machine when etcd has lost quorum (Kubespray removes no broken member's data then): add {node: ${name}, generation: <n>} to operations.replaceNodes`);
            }
        });
    }
    const snapshot = recovery.etcdSnapshot;
    if (snapshot && "s3Key" in snapshot) {
        if (!config.backup.storage) {
            ctx.error("operations.recoverControlPlane.etcdSnapshot.s3Key", "needs backup.storage: the runner reads the snapshot from backup.storage.bucket");
        }
        for (const secret of ["backupAccessKeyId", "backupSecretAccessKey"] as const) {
            if (config.secrets[secret] === undefined) {
                ctx.error("operations.recoverControlPlane.etcdSnapshot.s3Key", `needs secrets.${secret} (pulumi config set --secret --path 'secrets.${secret}'): the runner downloads the snapshot with the backup storage's credentials`);
            }
        }
        if (!snapshot.s3Key.startsWith(`etcd-snapshots/${config.meta.name}/`)) {
            ctx.error("operations.recoverControlPlane.etcdSnapshot.s3Key", `is not a snapshot of this cluster: the etcd-backup CronJob writes etcd-snapshots/${config.meta.name}/<reason>/<file>.db`);
        }
    } else if (snapshot) {
        if (!controlPlane.includes(snapshot.node)) {
            ctx.error("operations.recoverControlPlane.etcdSnapshot.node", `"${snapshot.node}" is not a control-plane node of this stack file; allowed: ${list(controlPlane)}`);
        } else if (config.operations.replaceNodes.some((r) => r.node === snapshot.node)) {
            ctx.error("operations.recoverControlPlane.etcdSnapshot.node", `${snapshot.node} is being recreated (operations.replaceNodes): a file on its disk goes with its old machine; name a snapshot on a surviving node or in the backup storage`);
        }
    }
    if (survivors.length > 0 && seen.size > 0) {
        const from = !snapshot ? `a snapshot Kubespray takes of ${survivors[0]}'s etcd` : "s3Key" in snapshot ? `s3://${config.backup.storage?.bucket ?? "<bucket>"}/${snapshot.s3Key}` : `${snapshot.node}:${snapshot.path}`;
        const existingHosts = quorumLost && config.infrastructure.provider === "existing" ? ` Reinstall ${list([...seen])} (or empty their /var/lib/etcd) before pulumi up.` : "";
        ctx.warn("operations.recoverControlPlane", `recover-control-plane.yml will run with ${list([...seen])} as broken: their etcd members and Node objects are deleted and they rejoin behind ${list(survivors)}. If etcd has lost quorum, etcd is restored from ${from} and every write after it is lost.${existingHosts} Remove this section once pulumi up has finished`);
    }
}
