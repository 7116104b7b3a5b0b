/**
 * Decides which Kubespray runs a command's change needs: its previous state (the command's last
 * stdout), its desired state (its environment) and, where it matters, the nodes the cluster has now.
 * Pure, so the same functions drive the runner, the scenario tests and the Day-2 preview.
 *
 * Every procedure follows Kubespray v2.31.0's own documents (`../shared/upstream/kubespray-v2.31.0/`):
 * - docs/operations/nodes.md: workers join with `playbooks/facts.yml` then `scale.yml --limit`; nodes
 *   leave with `remove-node.yml -e node=a,b` while still in the inventory, with `reset_nodes=false
 *   allow_ungraceful_removal=true` when they cannot be reached; control-plane/etcd nodes join with
 *   `cluster.yml` then `upgrade-cluster.yml`, both `--limit etcd,kube_control_plane -e
 *   ignore_assert_errors=yes`, appended at the end of their groups; the first control-plane host can
 *   only be removed after the inventory puts it elsewhere and `cluster.yml` ran; after an etcd member
 *   leaves, `cluster.yml` regenerates the member lists and the API servers' `--etcd-servers` change;
 *   nodes behind the local nginx proxy restart it when the control plane changes.
 * - docs/operations/upgrades.md: `playbooks/facts.yml` before any `--limit`; `upgrade-cluster.yml`
 *   upgrades the control plane one node at a time, then workers `serial` at a time.
 * - roles/kubernetes/control-plane/tasks/kubeadm-setup.yml and kubeadm-upgrade.yml: static pod
 *   manifests are rewritten (`kubeadm init phase control-plane all`) only with `upgrade_cluster_setup`,
 *   which playbooks/upgrade_cluster.yml sets; cluster.yml only rewrites kubeadm-config.yaml.
 * - docs/operations/recover-control-plane.md and playbooks/recover_control_plane.yml: broken
 *   control-plane nodes go in `broken_etcd` (with `etcd_member_name` set: the inventory sets it for every
 *   control-plane host) and `broken_kube_control_plane`, the surviving nodes first in `etcd` and
 *   `kube_control_plane`, the new machines below them; `recover-control-plane.yml --limit
 *   etcd,kube_control_plane -e etcd_retries=10`. roles/recover_control_plane/etcd decides on the first
 *   etcd host whether quorum is lost; only then does it restore, from `etcd_snapshot` (a file on the
 *   machine running Ansible, copied to the node) or from a snapshot of that first host.
 */
import { nameSet, STATE_FORMAT, workerNames, type ClusterState, type ControlPlaneRecovery, type EtcdSnapshotSource, type HostRef, type KeysState, type MachineState, type WorkersState } from "./state";
import { clusterRefusal, versionRefusal } from "./refusals";
import type { StackSettings } from "./workspace";

export { versionRefusal };

/** Kubespray's playbooks the runner starts, as paths inside the release's checkout. */
export type Playbook = "cluster.yml" | "scale.yml" | "upgrade-cluster.yml" | "remove-node.yml" | "recover-control-plane.yml" | "playbooks/facts.yml";

/**
 * The value of `etcd_snapshot` in a recovery run's extra vars: the runner puts the path of the file the
 * `fetch-etcd-snapshot` step wrote in its place (the planner does not know the machine's paths).
 */
export const FETCHED_ETCD_SNAPSHOT = "<the fetched etcd snapshot>";

/** A host that left the spec but stays in one run's inventory (the run removes it). */
export interface KeptHost {
    readonly name: string;
    readonly role: "control-plane" | "worker";
    /** Known for control-plane nodes; for workers the runner reads the node's InternalIP from the cluster. */
    readonly address?: string;
}

export interface PlaybookStep {
    readonly kind: "playbook";
    readonly title: string;
    readonly playbook: Playbook;
    readonly limit?: readonly string[];
    readonly tags?: readonly string[];
    readonly extraVars: Readonly<Record<string, unknown>>;
    readonly keep?: readonly KeptHost[];
    /**
     * Control-plane/etcd hosts put last in this run's inventory. Kubespray runs `kubeadm init` and makes
     * etcd certificates on the first host of kube_control_plane/etcd, and removes nodes delegating to it.
     */
    readonly last?: readonly string[];
    /** Hosts put in this run's `broken_etcd` and `broken_kube_control_plane` groups (recover-control-plane.yml). */
    readonly broken?: readonly string[];
}

export type Step =
    | { readonly kind: "reachable"; readonly hosts: readonly string[]; readonly title: string }
    | { readonly kind: "wait-cloud-init"; readonly hosts: readonly string[]; readonly title: string }
    | PlaybookStep
    /** Remembers the node's boot ID, so that `wait-ready` can tell a new boot from a stale Node object. */
    | { readonly kind: "record-boot"; readonly node: string; readonly title: string }
    | { readonly kind: "drain" | "uncordon"; readonly node: string; readonly title: string }
    /** Ready, and booted since `record-boot` (a new boot ID), when one was recorded. */
    | { readonly kind: "wait-ready"; readonly node: string; readonly title: string }
    /** Powers the guest off over SSH, so the platform boots it again with its new shape (KubeVirt). */
    | { readonly kind: "poweroff"; readonly node: string; readonly title: string }
    /**
     * An etcd snapshot now, filed under `reason`: a Job from the etcd-backup CronJob when the cluster has it
     * (the snapshot leaves the node: `s3://<bucket>/etcd-snapshots/<cluster>/<reason>/…`), waited for and
     * failing loudly; otherwise `etcdctl` on the first control-plane node, kept there, and said so.
     */
    | { readonly kind: "etcd-snapshot"; readonly reason: string; readonly title: string }
    /** Puts the snapshot a recovery restores on the machine running Ansible (Kubespray copies `etcd_snapshot` from there). */
    | { readonly kind: "fetch-etcd-snapshot"; readonly source: EtcdSnapshotSource; readonly title: string }
    | { readonly kind: "forget-host-key"; readonly node: string; readonly address: string; readonly title: string }
    /** Restarts Kubespray's nginx-proxy static pod on every node so it reloads the control-plane list. */
    | { readonly kind: "restart-api-proxy"; readonly title: string }
    /** Points kube-public/cluster-info at the new first control-plane node (docs/operations/nodes.md step 4). */
    | { readonly kind: "update-cluster-info"; readonly address: string; readonly title: string }
    | {
        readonly kind: "authorize"; readonly title: string;
        /** Keys every node must accept (exclusive on the nodes; added on the bastion). */
        readonly keys: readonly string[];
        /** Keys removed from the bastion (shared jump hosts keep other users' keys). */
        readonly retire: readonly string[];
        /** Log in with the previous generation's key (the only one the nodes know before a rotation). */
        readonly loginWith: "previous" | "current"; readonly tolerateUnreachable: boolean;
    };

export interface Plan {
    readonly steps: readonly Step[];
    /** Steps that drain, remove, restart or upgrade: they wait for a maintenance window or break-glass. */
    readonly disruptive: boolean;
    /** A refusal: nothing runs, and the message says why and what to do. */
    readonly refusal?: string;
}

/** What a planner knows besides the states. */
export interface PlanContext {
    /** Node names the cluster has now (`kubectl get nodes`); undefined before the first install or offline. */
    readonly live?: ReadonlySet<string>;
    /** Control-plane node names in inventory (spec) order. */
    readonly controlPlane?: readonly string[];
    /** Worker names the inventory holds, for desired states that keep digests instead of names. */
    readonly inventoryWorkers?: readonly string[];
    readonly drain?: DrainVars;
    /**
     * Broken control-plane nodes the cluster command recovers (operations.recoverControlPlane): their gate
     * neither drains nor removes them, their ready only waits for the new machine.
     */
    readonly recovering?: ReadonlySet<string>;
    /**
     * Each host's SSH address (the inventory's `ansible_host`): a host that joins or rejoins gets its old
     * host key forgotten first (`forget-host-key`), since a re-added name comes back at the same address
     * with a new key, which `StrictHostKeyChecking=accept-new` rejects.
     */
    readonly addresses?: ReadonlyMap<string, string>;
    /**
     * Existing hosts outlive the cluster: a host removed from it is left as it is (`reset_nodes=false`)
     * unless the stack file asks for a reset (operations.decommission.resetHosts, `except` here). Absent
     * for machines the program makes (they are deleted after their removal; Kubespray's default resets).
     */
    readonly keptOnRemoval?: { readonly except: ReadonlySet<string> };
}

/** The `keptOnRemoval` part of a plan context for a provider and the stack file's resetHosts. */
export function keptOnRemoval(provider: string, resetHosts: readonly string[]): Pick<PlanContext, "keptOnRemoval"> {
    return provider === "existing" ? { keptOnRemoval: { except: new Set(resetHosts) } } : {};
}

/**
 * The part of a plan context that comes from the stack's settings (workspace.ts `stackSettings`, which the
 * program writes to runner.json on every run): drain settings, the control-plane nodes under recovery, and
 * which removed hosts are kept as they are. The runner and the Day-2 preview (cli/operations.ts) both make
 * their context with this function from the same settings, so the preview plans what the runner will run.
 */
export function settingsContext(settings: Pick<StackSettings, "drain" | "recovering" | "provider" | "resetHosts">): Pick<PlanContext, "drain" | "recovering" | "keptOnRemoval"> {
    return {
        drain: settings.drain,
        recovering: new Set(settings.recovering ?? []),
        ...keptOnRemoval(settings.provider, settings.resetHosts ?? []),
    };
}

/** Forgets the old host key of each host that joins or rejoins (see PlanContext.addresses); "" fails loudly in the runner. */
function forgetHostKeys(hosts: readonly { readonly name: string; readonly address?: string }[], ctx: PlanContext): Step[] {
    return hosts.map((h) => ({ kind: "forget-host-key", node: h.name, address: h.address ?? ctx.addresses?.get(h.name) ?? "", title: `forget the old host key of ${h.name}` }));
}

export interface MachineChange {
    readonly previous?: MachineState;
    readonly desired: MachineState;
}

const NOTHING: Plan = { steps: [], disruptive: false };

export interface DrainVars {
    readonly gracePeriodSeconds: number;
    readonly timeoutSeconds: number;
    readonly retries: number;
}

/** Drain settings as the variables remove-node.yml (roles/remove_node/pre_remove) and the upgrade roles read. */
export function drainVars(drain: DrainVars | undefined): Record<string, unknown> {
    return drain ? { drain_nodes: true, drain_grace_period: drain.gracePeriodSeconds, drain_timeout: `${drain.timeoutSeconds}s`, drain_retries: drain.retries } : {};
}

/** docs/operations/nodes.md: remove a node that cannot be reached. */
export const UNGRACEFUL_REMOVAL = { reset_nodes: false, allow_ungraceful_removal: true } as const;

const CONTROL_PLANE_LIMIT = ["etcd", "kube_control_plane"] as const;
const names = (hosts: readonly HostRef[]) => hosts.map((h) => h.name);
const facts = (why: string): PlaybookStep => ({ kind: "playbook", title: `refresh facts of every node before ${why} (playbooks/facts.yml)`, playbook: "playbooks/facts.yml", extraVars: {} });

/**
 * The control-plane order of one run's inventory: members the cluster has first (spec order), nodes it
 * does not have yet after them, then the ones the step puts last. So a node that (re)joins is never
 * first, where Kubespray would run `kubeadm init` and make a new etcd CA.
 */
export function runInventoryOrder(controlPlane: readonly string[], live: ReadonlySet<string> | undefined, last: readonly string[] = []): string[] {
    const rest = controlPlane.filter((n) => !last.includes(n));
    const established = live ? rest.filter((n) => live.has(n)) : rest;
    const joining = live ? rest.filter((n) => !live.has(n)) : [];
    return [...established, ...joining, ...last.filter((n) => controlPlane.includes(n))];
}

/** The first control-plane host Kubespray would use now: the first one the cluster has. */
function firstEstablished(controlPlane: readonly string[], live: ReadonlySet<string> | undefined): string | undefined {
    return runInventoryOrder(controlPlane, live)[0];
}

function removal(hosts: readonly KeptHost[], ungraceful: boolean | "node-gone", drain: DrainVars | undefined, last: readonly string[] = [], leaveAsIs = false): PlaybookStep {
    const list = hosts.map((h) => h.name);
    const how = ungraceful === "node-gone"
        ? `: its Node object is gone but its etcd member may not be; without reaching it (reset_nodes=false, allow_ungraceful_removal=true)`
        : ungraceful ? " without reaching them (reset_nodes=false, allow_ungraceful_removal=true)" : leaveAsIs ? ", leaving the hosts as they are (reset_nodes=false)" : "";
    return {
        kind: "playbook",
        title: `remove ${list.join(", ")}${how} (remove-node.yml)`,
        playbook: "remove-node.yml",
        extraVars: { node: list.join(","), skip_confirmation: true, ...drainVars(drain), ...(ungraceful ? UNGRACEFUL_REMOVAL : leaveAsIs ? { reset_nodes: false } : {}) },
        keep: hosts,
        ...(last.length ? { last } : {}),
    };
}

/**
 * The removal runs for hosts leaving the cluster: one run, or two when some existing hosts are reset
 * (playbooks/remove_node.yml resets the removed hosts unless `reset_nodes` is false) and others kept.
 */
function removals(hosts: readonly KeptHost[], ungraceful: boolean | "node-gone", ctx: PlanContext, last: readonly string[] = []): PlaybookStep[] {
    const kept = ctx.keptOnRemoval;
    if (ungraceful || !kept) {
        return [removal(hosts, ungraceful, ctx.drain, last)];
    }
    const leaveAsIs = hosts.filter((h) => !kept.except.has(h.name));
    const reset = hosts.filter((h) => kept.except.has(h.name));
    return [
        ...(leaveAsIs.length ? [removal(leaveAsIs, false, ctx.drain, last, true)] : []),
        ...(reset.length ? [removal(reset, false, ctx.drain, last)] : []),
    ];
}

/** Removing the current first control-plane host: put it last and run cluster.yml first (nodes.md). */
function demoteFirst(node: string): PlaybookStep {
    return {
        kind: "playbook",
        title: `make ${node} no longer the first control-plane host before it is removed (cluster.yml with ${node} last)`,
        playbook: "cluster.yml", extraVars: {}, last: [node],
    };
}

function cloudInitWait(provider: ClusterState["provider"], hosts: readonly string[], title: string): Step[] {
    return provider === "existing" ? [] : [{ kind: "wait-cloud-init", hosts, title }];
}

// ---------------------------------------------------------------------------------------------------
// The cluster command

/** The cluster command: install once, then upgrades, reconfiguration and control-plane membership. */
export function planCluster(previous: ClusterState | undefined, desired: ClusterState, ctx: PlanContext = {}): Plan {
    if (!previous) {
        return {
            disruptive: false,
            steps: [
                { kind: "reachable", hosts: ["all"], title: "check SSH reachability of all nodes" },
                ...cloudInitWait(desired.provider, ["all"], "wait for cloud-init on all nodes"),
                { kind: "playbook", title: "install (cluster.yml)", playbook: "cluster.yml", extraVars: {} },
            ],
        };
    }
    const { live, drain } = ctx;
    const recovery = pendingRecovery(previous, desired);
    // The same refusals, with the same words, as the program's (refusals.ts): preview shows them too.
    const refusal = clusterRefusal(previous, desired, live, recovery !== undefined);
    if (refusal) {
        return { ...NOTHING, refusal };
    }
    if (recovery) {
        return planRecovery(desired, recovery);
    }
    const adopting = previous.v !== STATE_FORMAT;
    const wanted = new Set(names(desired.controlPlane));
    const had = new Set(names(previous.controlPlane));
    // Every member the previous state has and the stack file no longer wants, whether or not its Node is
    // still there: the state only advances when a run succeeds, so a removal whose remove-node.yml ran but
    // whose cluster.yml/upgrade-cluster.yml failed is planned again in full, and a Node that a cloud
    // controller deleted (its VM vanished) still leaves an etcd member behind. The absence of a Node says
    // nothing about etcd membership.
    const removed = previous.controlPlane.filter((h) => !wanted.has(h.name));
    const added = desired.controlPlane.filter((h) => !had.has(h.name));
    const steps: Step[] = [];
    let fullCluster = false;
    let controlPlaneUpgrade = false;
    let restartProxy = false;

    // Removals, one etcd member per run so quorum holds throughout.
    let order = names(previous.controlPlane);
    // Members being removed count as established for "who is first": on a resumed run the first host's
    // Node may be gone already, and cluster-info must still be pointed at a survivor.
    const established = live && new Set([...live, ...names(removed)]);
    let firstRemoved: string | undefined;
    for (const host of removed) {
        // roles/remove_node/pre_remove and remove-node/post-remove skip the drain, the volume wait and the
        // Node deletion when `kubectl get nodes` does not list the host; remove-node/remove-etcd-node,
        // delegated to the first etcd host, removes the member whose peer URL is the host's, if there is
        // one. A host without a Node was either removed by an earlier run (post-remove runs after the
        // reset) or its machine vanished: it is not reached again (reset_nodes=false).
        const nodeGone = live !== undefined && !live.has(host.name);
        if (firstEstablished(order, established) === host.name) {
            // Demoting means a cluster.yml run on every host, the leaving one included: only while it is a node.
            if (!nodeGone) steps.push(demoteFirst(host.name));
            firstRemoved = host.name;
        }
        const ungraceful = desired.ungraceful.includes(host.name) || (nodeGone ? "node-gone" as const : false);
        steps.push(...removals([{ name: host.name, role: "control-plane", address: host.address }], ungraceful, ctx, [host.name]));
        order = order.filter((n) => n !== host.name);
    }
    if (removed.length) {
        // nodes.md "Removing an etcd node": cluster.yml regenerates the member lists on the remaining
        // nodes; the API servers' --etcd-servers change through the upgrade path.
        fullCluster = true;
        controlPlaneUpgrade = true;
        restartProxy = desired.localApiProxy;
    }

    let controlPlaneUpgraded = false;
    if (added.length) {
        const hosts = names(added);
        steps.push(
            // A name may come back (the control plane shrank, then grew) at the same address with a new host key.
            ...forgetHostKeys(added, ctx),
            { kind: "reachable", hosts, title: `check SSH reachability of ${hosts.join(", ")}` },
            ...cloudInitWait(desired.provider, hosts, `wait for cloud-init on ${hosts.join(", ")}`),
            facts("joining control-plane nodes"),
            {
                kind: "playbook", title: `add ${hosts.join(", ")} to etcd and the control plane (cluster.yml)`, playbook: "cluster.yml",
                limit: CONTROL_PLANE_LIMIT, extraVars: { ignore_assert_errors: true, ...(hosts.length > 1 ? { etcd_retries: 10 } : {}) }, last: hosts,
            },
            {
                kind: "playbook", title: "update etcd and API server configuration on every control-plane node (upgrade-cluster.yml)", playbook: "upgrade-cluster.yml",
                limit: CONTROL_PLANE_LIMIT, extraVars: { ignore_assert_errors: true, ...drainVars(drain) }, last: hosts,
            },
        );
        controlPlaneUpgraded = true;
        if (desired.localApiProxy) {
            // nodes.md "Adding/replacing a control plane node": cluster.yml renders every node's proxy configuration.
            fullCluster = true;
            restartProxy = true;
        }
    }

    const upgrade = previous.kubernetesVersion !== desired.kubernetesVersion || previous.kubesprayVersion !== desired.kubesprayVersion;
    if (upgrade) {
        if (desired.etcdSnapshotBeforeUpgrade) {
            const reason = `pre-upgrade-${desired.kubernetesVersion.replace(/[^0-9A-Za-z]+/g, "-")}`;
            steps.push({ kind: "etcd-snapshot", reason, title: `etcd snapshot before the upgrade (${reason})` });
        }
        steps.push({
            kind: "playbook",
            title: `upgrade Kubernetes ${previous.kubernetesVersion} → ${desired.kubernetesVersion} with Kubespray ${desired.kubesprayVersion} (upgrade-cluster.yml)`,
            playbook: "upgrade-cluster.yml",
            // Kubespray upgrades the control plane one node at a time, then workers `serial` at a time,
            // and rewrites every configuration file and static pod on the way.
            extraVars: { serial: desired.workerBatch, ...drainVars(drain) },
        });
    } else {
        if (!adopting && previous.configHash !== desired.configHash) {
            fullCluster = true;
        }
        if (!adopting && previous.controlPlaneConfigHash !== desired.controlPlaneConfigHash) {
            controlPlaneUpgrade = true;
        }
        if (fullCluster) {
            steps.push({ kind: "playbook", title: removed.length ? "regenerate configuration on the remaining nodes (cluster.yml)" : "apply the cluster configuration (cluster.yml)", playbook: "cluster.yml", extraVars: {} });
        }
        if (firstRemoved && desired.localApiProxy) {
            const next = desired.controlPlane.find((h) => h.name === firstEstablished(order, live));
            if (next) steps.push({ kind: "update-cluster-info", address: next.address, title: `point kube-public/cluster-info at ${next.name}` });
        }
        if (controlPlaneUpgrade && !controlPlaneUpgraded) {
            steps.push(
                facts("the control-plane upgrade path"),
                {
                    kind: "playbook",
                    title: "rewrite the control-plane static pods with the new configuration, one node at a time (upgrade-cluster.yml)",
                    playbook: "upgrade-cluster.yml", limit: CONTROL_PLANE_LIMIT, extraVars: { ...drainVars(drain) },
                },
            );
        }
    }
    if (restartProxy) {
        steps.push({ kind: "restart-api-proxy", title: "restart nginx-proxy on every node so it reloads the control-plane list" });
    }
    return { steps, disruptive: steps.length > 0 };
}

// ---------------------------------------------------------------------------------------------------
// Control-plane recovery

/** The recovery the stack file asks for and the cluster command has not run yet (a new request). */
export function pendingRecovery(previous: ClusterState | undefined, desired: ClusterState): ControlPlaneRecovery | undefined {
    if (!desired.recover) return undefined;
    return previous && JSON.stringify(previous.recover) === JSON.stringify(desired.recover) ? undefined : desired.recover;
}

/**
 * Kubespray's recover-control-plane.yml (docs/operations/recover-control-plane.md): the broken nodes (on
 * their new machines, already made by their gate and ready) must answer; the snapshot, if the stack file
 * names one, is fetched to this machine; facts are refreshed before the limited run; the run puts the
 * broken nodes in `broken_etcd`/`broken_kube_control_plane` and last in `etcd`/`kube_control_plane`,
 * behind the survivors; then each broken node must be Ready again. Not held back by maintenance windows:
 * the control plane is already broken, and the stack-file section is the reviewed acknowledgement. Only
 * after it runs does the cluster command take other changes (the next `pulumi up`).
 */
function planRecovery(desired: ClusterState, recovery: ControlPlaneRecovery): Plan {
    const broken = recovery.broken.map((b) => b.name);
    const members = names(desired.controlPlane);
    // Membership and version changes during a recovery are refused before (refusals.ts recoveryRefusal).
    if (!broken.length || broken.some((b) => !members.includes(b)) || members.every((m) => broken.includes(m))) {
        return { ...NOTHING, refusal: `recover-control-plane.yml needs broken control-plane nodes and at least one functional one; broken: ${broken.join(", ") || "(none)"}, control plane: ${members.join(", ")}` };
    }
    const survivors = members.filter((m) => !broken.includes(m));
    const snapshot = recovery.etcdSnapshot;
    const steps: Step[] = [
        // A broken node comes back reinstalled at its address (an existing host, or a machine its ready recreated).
        ...forgetHostKeys(recovery.broken, {}),
        { kind: "reachable", hosts: broken, title: `check SSH reachability of ${broken.join(", ")} (a machine that is gone is recreated first: operations.replaceNodes)` },
        ...(snapshot ? [{ kind: "fetch-etcd-snapshot" as const, source: snapshot, title: `fetch the etcd snapshot ${describeSnapshot(snapshot)} to restore if quorum is lost` }] : []),
        facts("the control-plane recovery"),
        {
            kind: "playbook",
            title: `recover the control plane: ${broken.join(", ")} broken, ${survivors.join(", ")} first (recover-control-plane.yml)`,
            playbook: "recover-control-plane.yml",
            limit: CONTROL_PLANE_LIMIT,
            extraVars: { etcd_retries: 10, ...(snapshot ? { etcd_snapshot: FETCHED_ETCD_SNAPSHOT } : {}) },
            last: broken,
            broken,
        },
        ...broken.map((node): Step => ({ kind: "wait-ready", node, title: `wait until ${node} is Ready again` })),
    ];
    return { steps, disruptive: false };
}

export function describeSnapshot(source: EtcdSnapshotSource): string {
    return "s3" in source ? `s3://${source.s3.bucket}/${source.s3.key}` : `${source.node}:${source.path}`;
}

// ---------------------------------------------------------------------------------------------------
// The workers command

/** A workers state written by an older runner (a flat list), read as the current format. */
function currentWorkers(state: WorkersState | { kind: "workers"; workers: readonly HostRef[] }): WorkersState {
    if ("pools" in state) return state;
    return { kind: "workers", v: STATE_FORMAT, pools: { "": { nodes: state.workers.map((w) => w.name), labels: "" } }, ungraceful: [] };
}

/**
 * The workers command: nodes that left the spec are removed (one run for all of them, `node=a,b`);
 * nodes the cluster does not have yet join with one `scale.yml` run limited to exactly them; pools whose
 * labels or taints changed get Kubespray's node-label and node-taint roles on their nodes.
 */
export function planWorkers(previousState: WorkersState | undefined, desired: WorkersState, ctx: PlanContext = {}): Plan {
    const { live } = ctx;
    const wantedSet = workerNames(desired);
    const wanted = (ctx.inventoryWorkers ?? wantedSet.listed).filter((n) => wantedSet.has(n));
    if (!previousState) {
        // Day 1: the install put every worker in. A re-run after a failed join finds them through `live`.
        const missing = live ? wanted.filter((w) => !live.has(w)) : [];
        return missing.length ? { disruptive: false, steps: joinSteps(missing, ctx) } : NOTHING;
    }
    const previous = currentWorkers(previousState);
    const had = workerNames(previous);
    const leaving = (live ? [...live].sort() : had.listed).filter((n) => had.has(n) && !wantedSet.has(n));
    // A worker joins until a run that joined it succeeded (the previous state only advances on success):
    // a scale.yml that registered the Node and then failed (network plugin, labels) is run again for it,
    // not skipped because its Node exists. A worker the state has whose Node is gone joins again.
    // Leaving workers, in contrast, come from the node list: a worker's Node is deleted by remove-node.yml's
    // last play (remove-node/post-remove, after the reset), and a worker has no etcd member, so a worker
    // without a Node has nothing left to remove (its address, which a removal run needs, is not known either).
    const joining = wanted.filter((w) => !had.has(w) || (live !== undefined && !live.has(w)));
    const steps: Step[] = [];
    const graceful = leaving.filter((n) => !desired.ungraceful.includes(n));
    const ungraceful = leaving.filter((n) => desired.ungraceful.includes(n));
    if (graceful.length) {
        steps.push(
            { kind: "reachable", hosts: graceful, title: `check SSH reachability of ${graceful.join(", ")} before removing them (a node that is gone for good goes in operations.removeUnreachable)` },
            ...removals(graceful.map((name) => ({ name, role: "worker" as const })), false, ctx),
        );
    }
    if (ungraceful.length) {
        steps.push(...removals(ungraceful.map((name) => ({ name, role: "worker" as const })), true, ctx));
    }
    if (joining.length) {
        steps.push(...joinSteps(joining, ctx));
    }
    const relabel = Object.entries(desired.pools)
        .filter(([pool, state]) => previous.pools[pool] && previous.v === STATE_FORMAT && previous.pools[pool].labels !== state.labels)
        .flatMap(([, state]) => wanted.filter((n) => nameSet(state.nodes).has(n) && !joining.includes(n)));
    if (relabel.length) {
        steps.push(
            facts("the label run"),
            {
                kind: "playbook", title: `apply node labels and taints to ${describe(relabel)} (scale.yml --tags node-label,node-taint)`,
                playbook: "scale.yml", limit: relabel, tags: ["node-label", "node-taint"], extraVars: {},
            },
        );
    }
    return { steps, disruptive: leaving.length > 0 };
}

function describe(hosts: readonly string[]): string {
    return hosts.length <= 5 ? hosts.join(", ") : `${hosts.slice(0, 3).join(", ")} and ${hosts.length - 3} more`;
}

function joinSteps(hosts: readonly string[], ctx: PlanContext): Step[] {
    return [
        // A pool that shrank and grows again brings the same name back at the same address, with a new host key.
        ...forgetHostKeys(hosts.map((name) => ({ name })), ctx),
        { kind: "reachable", hosts, title: `check SSH reachability of ${describe(hosts)}` },
        { kind: "wait-cloud-init", hosts, title: `wait for cloud-init on ${describe(hosts)}` },
        facts("the scale run"),
        { kind: "playbook", title: `join ${describe(hosts)} (scale.yml)`, playbook: "scale.yml", limit: hosts, extraVars: {} },
    ];
}

// ---------------------------------------------------------------------------------------------------
// Gates and readies: around machines that change

interface Classified {
    readonly node: MachineState["node"];
    readonly replace: boolean;
    readonly restart: boolean;
    readonly desired: MachineState;
}

function classify(changes: readonly MachineChange[], live: ReadonlySet<string> | undefined, requireLive: boolean): Classified[] {
    return changes.flatMap(({ previous, desired }) => {
        // A state from an older runner has other digests: adopt the new ones without touching the node.
        if (!previous || previous.v !== STATE_FORMAT) return [];
        const replace = previous.replaceHash !== desired.replaceHash;
        const restart = previous.restartHash !== desired.restartHash;
        if (!replace && !restart) return [];
        // A node the cluster does not list has nothing to drain or restart around; but a control-plane node
        // whose machine is recreated may still be an etcd member (a cloud controller deletes the Node of a
        // vanished VM; an earlier gate may have failed after its remove-node.yml): its member is removed.
        if (requireLive && live && !live.has(desired.node.name) && !(replace && desired.node.role === "control-plane")) return [];
        return [{ node: desired.node, replace, restart, desired }];
    });
}

/**
 * Before machines change: remember each node's boot, drain it; before a machine is recreated, also
 * remove its node from the cluster (workers in one run, control-plane nodes one at a time, the first
 * control-plane host demoted first). Takes one node's change or a whole batch's.
 */
export function planGate(changes: readonly MachineChange[], ctx: PlanContext = {}): Plan {
    const changed = classify(changes, ctx.live, true);
    if (!changed.length) {
        return NOTHING;
    }
    // A broken control-plane node under recovery: the cluster command removes its etcd member and Node
    // object (recover-control-plane.yml), and with quorum lost the API cannot drain or read anything.
    const handled = changed.filter((c) => !ctx.recovering?.has(c.node.name));
    if (!handled.length) {
        return NOTHING;
    }
    return gateSteps(handled, ctx);
}

function gateSteps(changed: readonly Classified[], ctx: PlanContext): Plan {
    const { live, drain } = ctx;
    const steps: Step[] = [];
    const listed = (c: Classified) => !live || live.has(c.node.name);
    for (const c of changed.filter(listed)) {
        steps.push({ kind: "record-boot", node: c.node.name, title: `remember the boot of ${c.node.name}` });
        if (!c.desired.ungraceful) {
            steps.push({ kind: "drain", node: c.node.name, title: `drain ${c.node.name} before its machine ${c.replace ? "is recreated" : "changes"}` });
        }
    }
    const replaced = changed.filter((c) => c.replace);
    const workers = replaced.filter((c) => c.node.role === "worker");
    for (const ungraceful of [false, true]) {
        const group = workers.filter((c) => c.desired.ungraceful === ungraceful);
        if (group.length) {
            steps.push(removal(group.map((c) => ({ name: c.node.name, role: "worker", address: c.node.address })), ungraceful, drain));
        }
    }
    let order = ctx.controlPlane ?? [];
    for (const c of replaced.filter((r) => r.node.role === "control-plane")) {
        if (firstEstablished(order, live) === c.node.name) {
            steps.push(demoteFirst(c.node.name));
        }
        const ungraceful = c.desired.ungraceful || (listed(c) ? false : "node-gone" as const);
        steps.push(removal([{ name: c.node.name, role: "control-plane", address: c.node.address }], ungraceful, drain, [c.node.name]));
        order = order.filter((n) => n !== c.node.name);
    }
    return { steps, disruptive: true };
}

/**
 * After machines changed: a recreated machine rejoins (workers with one scale.yml run, control-plane
 * nodes through cluster.yml and upgrade-cluster.yml limited to etcd and the control plane, appended
 * last); a restarted Harvester guest is powered off so KubeVirt boots it with its new shape; then each
 * node must be Ready *on a new boot* (never a stale Node object) and is uncordoned. Never refused by a
 * maintenance window: it finishes what the gate started.
 */
export function planReady(changes: readonly MachineChange[], ctx: PlanContext = {}): Plan {
    const { live, drain } = ctx;
    let changed = classify(changes, live, false);
    if (!changed.length) {
        return NOTHING;
    }
    // A recovering node's new machine only has to answer: the cluster command's recovery run joins it.
    const recovering = changed.filter((c) => ctx.recovering?.has(c.node.name) && c.replace);
    changed = changed.filter((c) => !ctx.recovering?.has(c.node.name));
    const rejoin = changed.filter((c) => c.replace || (live !== undefined && !live.has(c.node.name)));
    const steps: Step[] = [];
    if (recovering.length) {
        const hosts = recovering.map((c) => c.node.name);
        steps.push(
            ...recovering.map((c): Step => ({ kind: "forget-host-key", node: c.node.name, address: c.node.address, title: `forget the old host key of ${c.node.name}` })),
            { kind: "reachable", hosts, title: `check SSH reachability of ${describe(hosts)} (its recovery runs in the cluster command)` },
            { kind: "wait-cloud-init", hosts, title: `wait for cloud-init on ${describe(hosts)}` },
        );
    }
    for (const c of rejoin) {
        steps.push({ kind: "forget-host-key", node: c.node.name, address: c.node.address, title: `forget the old host key of ${c.node.name}` });
    }
    if (rejoin.length) {
        const hosts = rejoin.map((c) => c.node.name);
        steps.push(
            { kind: "reachable", hosts, title: `check SSH reachability of ${describe(hosts)}` },
            { kind: "wait-cloud-init", hosts, title: `wait for cloud-init on ${describe(hosts)}` },
        );
        const workers = rejoin.filter((c) => c.node.role === "worker").map((c) => c.node.name);
        const controlPlane = rejoin.filter((c) => c.node.role === "control-plane").map((c) => c.node.name);
        if (controlPlane.length) {
            steps.push(
                facts("the control-plane rejoin"),
                {
                    kind: "playbook", title: `rejoin ${controlPlane.join(", ")} to etcd and the control plane (cluster.yml)`, playbook: "cluster.yml",
                    limit: CONTROL_PLANE_LIMIT, extraVars: { ignore_assert_errors: true, ...(controlPlane.length > 1 ? { etcd_retries: 10 } : {}) }, last: controlPlane,
                },
                {
                    kind: "playbook", title: "update etcd and API server configuration with the rejoined member (upgrade-cluster.yml)", playbook: "upgrade-cluster.yml",
                    limit: CONTROL_PLANE_LIMIT, extraVars: { ignore_assert_errors: true, ...drainVars(drain) }, last: controlPlane,
                },
            );
        }
        if (workers.length) {
            steps.push(facts("the scale run"), { kind: "playbook", title: `rejoin ${describe(workers)} (scale.yml)`, playbook: "scale.yml", limit: workers, extraVars: {} });
        }
    }
    for (const c of changed) {
        if (!rejoin.includes(c) && c.restart && c.desired.restartAppliedBy === "guest-poweroff") {
            steps.push({ kind: "poweroff", node: c.node.name, title: `power ${c.node.name} off so the platform boots it with its new shape` });
        }
    }
    for (const c of changed) {
        steps.push({ kind: "wait-ready", node: c.node.name, title: `wait until ${c.node.name} is Ready on a new boot` });
    }
    for (const c of changed) {
        steps.push({ kind: "uncordon", node: c.node.name, title: `uncordon ${c.node.name}` });
    }
    return { steps, disruptive: false };
}

// ---------------------------------------------------------------------------------------------------
// SSH keys

/**
 * SSH key rotation: authorize the new key with the old one (nodes made during the rotation only know
 * the new one and are skipped), check that the new key reaches every node, then retire the old key.
 * The bastion gets the same keys (added, never exclusively: a jump host may be shared).
 */
export function planAuthorize(previous: KeysState | undefined, desired: KeysState): Plan {
    if (!previous || JSON.stringify(previous) === JSON.stringify(desired)) {
        return NOTHING;
    }
    const retired = previous.publicKeys.filter((k) => !desired.publicKeys.includes(k));
    if (previous.generation === desired.generation) {
        return { disruptive: false, steps: [{ kind: "authorize", title: "update authorized SSH keys", keys: desired.publicKeys, retire: retired, loginWith: "current", tolerateUnreachable: false }] };
    }
    const both = [...new Set([...desired.publicKeys, previous.publicKeys[0]])];
    return {
        disruptive: false,
        steps: [
            { kind: "authorize", title: `authorize SSH key generation ${desired.generation} alongside ${previous.generation}`, keys: both, retire: [], loginWith: "previous", tolerateUnreachable: true },
            { kind: "reachable", hosts: ["all"], title: `check the generation ${desired.generation} key reaches every node` },
            { kind: "authorize", title: `retire SSH key generation ${previous.generation}`, keys: desired.publicKeys, retire: retired, loginWith: "current", tolerateUnreachable: false },
        ],
    };
}
