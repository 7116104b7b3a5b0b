/**
 * What `pulumi up` refuses to do to a cluster, as one pure function with one message per refusal, so the
 * Kubespray runner (planner.ts `planCluster`, from the cluster command's previous state) and the program
 * (components/program.ts, from the deployed record before any resource is registered, in `pulumi preview`
 * and the offline plan too) refuse the same changes with the same words.
 *
 * - Kubernetes: no downgrade, at most one minor at a time (kubeadm upgrades one minor at a time, and
 *   Kubespray's upgrade-cluster.yml drives kubeadm);
 * - Kubespray: no downgrade, one release at a time (docs/operations/upgrades.md, "Multiple upgrades":
 *   "Do not skip minor releases (patches releases are ok) when upgrading--upgrade by one tag at a time");
 * - the control plane: never every member at once (etcd's data lives on them; nodes.md removes members
 *   one at a time and keeps at least one);
 * - while a control-plane recovery (`operations.recoverControlPlane`) is pending: no membership change and
 *   no upgrade in the same run (recover-control-plane.yml runs on the members and versions the cluster has);
 * - production: no node leaves the stack file while its machine is protected (`protectedRemovalRefusal`;
 *   the program only: the runner never sees such a run).
 */
import * as semver from "semver";

/** The facts of a cluster these refusals compare: the cluster command's state, or the deployed record. */
export interface ClusterFacts {
    readonly kubernetesVersion: string;
    /** Empty when unknown (a record written before the program recorded it): the Kubespray checks are skipped. */
    readonly kubesprayVersion: string;
    /** Control-plane node names in inventory order. */
    readonly controlPlane: readonly (string | { readonly name: string })[];
}

/**
 * Between two versions of the cluster: a Kubernetes downgrade or a skip of more than one minor, a
 * Kubespray downgrade or skipped minor.
 */
export function versionRefusal(previous: Pick<ClusterFacts, "kubernetesVersion" | "kubesprayVersion">, desired: Pick<ClusterFacts, "kubernetesVersion" | "kubesprayVersion">): string | undefined {
    const from = semver.parse(previous.kubernetesVersion);
    const to = semver.parse(desired.kubernetesVersion);
    if (from && to) {
        if (semver.lt(to, from)) {
            return `refusing to downgrade Kubernetes from ${from.version} to ${to.version}; Kubespray cannot downgrade a cluster`;
        }
        if (to.major !== from.major || to.minor - from.minor > 1) {
            return `refusing to upgrade Kubernetes from ${from.version} to ${to.version}: more than one minor step. Upgrade to 1.${from.minor + 1}.x first (kubernetes.version), run pulumi up, then continue`;
        }
    }
    const kFrom = semver.parse(previous.kubesprayVersion);
    const kTo = semver.parse(desired.kubesprayVersion);
    if (kFrom && kTo) {
        if (semver.lt(kTo, kFrom)) {
            return `refusing to move Kubespray back from ${kFrom.version} to ${kTo.version}`;
        }
        if (kTo.major !== kFrom.major || kTo.minor - kFrom.minor > 1) {
            return `refusing to jump Kubespray from ${kFrom.version} to ${kTo.version}: Kubespray upgrades one release at a time. Set kubespray.version to 2.${kFrom.minor + 1}.x first`;
        }
    }
    return undefined;
}

const nameOf = (host: string | { readonly name: string }) => (typeof host === "string" ? host : host.name);

/**
 * Removing every control-plane node the cluster has: `live` (the nodes the cluster has now) leaves out
 * members that are gone already; without it every previous member counts.
 */
export function controlPlaneRefusal(previous: ClusterFacts["controlPlane"], desired: ClusterFacts["controlPlane"], live?: ReadonlySet<string>): string | undefined {
    const wanted = new Set(desired.map(nameOf));
    const had = previous.map(nameOf);
    const removed = had.filter((name) => !wanted.has(name) && (!live || live.has(name)));
    return removed.length > 0 && removed.length >= had.length ? "refusing to remove every control-plane node; keep at least one" : undefined;
}

/** A control-plane recovery runs alone: on the members and the versions the cluster has now. */
export function recoveryRefusal(previous: ClusterFacts, desired: ClusterFacts): string | undefined {
    if (JSON.stringify(previous.controlPlane.map(nameOf)) !== JSON.stringify(desired.controlPlane.map(nameOf))) {
        return "refusing to change control-plane membership while recovering the control plane: recover first (operations.recoverControlPlane), then change infrastructure.controlPlane in a later pulumi up";
    }
    if (previous.kubernetesVersion !== desired.kubernetesVersion || (previous.kubesprayVersion !== "" && previous.kubesprayVersion !== desired.kubesprayVersion)) {
        return "refusing to upgrade while recovering the control plane: recover first (operations.recoverControlPlane) with the versions the cluster runs, then upgrade in a later pulumi up";
    }
    return undefined;
}

/**
 * Everything `pulumi up` refuses between what is deployed (`previous`) and what the stack file asks
 * (`desired`); `recovering`: a control-plane recovery the cluster has not run yet is requested.
 */
export function clusterRefusal(previous: ClusterFacts, desired: ClusterFacts, live?: ReadonlySet<string>, recovering = false): string | undefined {
    return versionRefusal(previous, desired)
        ?? (recovering ? recoveryRefusal(previous, desired) : controlPlaneRefusal(previous.controlPlane, desired.controlPlane, live));
}

/** A node that leaves the stack file while the engine's state still protects its machine. */
export interface ProtectedRemoval {
    readonly node: string;
    /** The stack-file change that keeps it, naming the field: `infrastructure.workerPools[0].count to 4`. */
    readonly restore: string;
    /** Named in `operations.decommission` by this same run: too late, the engine checks the protection the last run recorded. */
    readonly liftedNow: boolean;
    /** A control-plane node: its removal takes an etcd member away too. */
    readonly controlPlane: boolean;
}

const listed = (names: readonly string[]) => (names.length > 8 ? `${names.slice(0, 8).join(", ")} and ${names.length - 8} more` : names.join(", "));

/**
 * A production node whose machine is protected leaves the stack file. Without this refusal `pulumi up`
 * would drain it, run remove-node.yml (which removes it from the cluster, an etcd member too, and resets
 * it) and only then reach the machine's delete, which the engine refuses: a protected resource is
 * deleted only after a previous update recorded it unprotected (Pulumi docs, "protect" resource option:
 * "you must first set protect: false and run pulumi up. Then you can delete the resource";
 * pkg/resource/deploy/step.go, DeleteStep.Apply checks the *old* state's Protect). So the protection is
 * lifted by one `pulumi up` that still has the node (`operations.decommission.nodes`), and the node is
 * taken out in the next; refused here before anything runs, in `pulumi preview` and the offline plan too.
 */
export function protectedRemovalRefusal(removals: readonly ProtectedRemoval[]): string | undefined {
    if (removals.length === 0) {
        return undefined;
    }
    const restore = [...new Set(removals.map((r) => r.restore))].join(" and ");
    const unlisted = removals.filter((r) => !r.liftedNow).map((r) => r.node);
    const lifted = removals.filter((r) => r.liftedNow).map((r) => r.node);
    const parts: string[] = [];
    if (unlisted.length) {
        const etcd = removals.some((r) => !r.liftedNow && r.controlPlane) ? ", its etcd member" : "";
        parts.push(`${listed(unlisted)} ${unlisted.length === 1 ? "leaves" : "leave"} the stack file but ${unlisted.length === 1 ? "its machine is" : "their machines are"} protected, so pulumi up would take ${unlisted.length === 1 ? "it" : "them"} out of the cluster (drain, remove-node.yml and its reset${etcd}) before the engine refused to delete the machine`);
    }
    if (lifted.length) {
        parts.push(`${listed(lifted)} ${lifted.length === 1 ? "is" : "are"} unprotected by operations.decommission in the same pulumi up that takes ${lifted.length === 1 ? "it" : "them"} out of the stack file, and the engine deletes only machines the previous pulumi up recorded unprotected`);
    }
    return `operations.decommission.nodes: ${parts.join("; ")}; to keep ${removals.length === 1 ? "it" : "them"}, restore ${restore}; to remove ${removals.length === 1 ? "it" : "them"}, restore that, run pulumi up once with ${removals.length === 1 ? "it" : "them"} in operations.decommission.nodes, then take ${removals.length === 1 ? "it" : "them"} out of the stack file`;
}
