/**
 * Decides which Kubespray runs a command's change needs: its previous state (the command's last
 * stdout), its desired state (its environment) and, where it matters, the nodes the cluster has now.
 * Pure, so the same function drives the runner and the scenario tests.
 */
import * as semver from "semver";
import type { ClusterState, HostRef, KeysState, MachineState, WorkersState } from "./state";

export type Step =
    | { readonly kind: "reachable"; readonly hosts: readonly string[]; readonly title: string }
    | { readonly kind: "wait-cloud-init"; readonly hosts: readonly string[]; readonly title: string }
    | {
        readonly kind: "playbook"; readonly title: string; readonly playbook: string;
        readonly limit?: readonly string[]; readonly extraVars: Readonly<Record<string, unknown>>;
        /** Hosts that left the spec but must stay in this run's inventory (the ones being removed). */
        readonly extraHosts?: readonly (HostRef & { readonly role: "control-plane" | "worker" })[];
    }
    | { readonly kind: "drain" | "uncordon" | "wait-ready"; readonly node: string; readonly title: string }
    | { readonly kind: "etcd-snapshot"; readonly label: string; readonly title: string }
    | { readonly kind: "forget-host-key"; readonly address: string; readonly title: string }
    | {
        readonly kind: "authorize"; readonly title: string; readonly keys: readonly string[];
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

const NOTHING: Plan = { steps: [], disruptive: false };

export interface DrainVars {
    readonly gracePeriodSeconds: number;
    readonly timeoutSeconds: number;
    readonly retries: number;
}

export function drainVars(drain: DrainVars): Record<string, unknown> {
    return { drain_nodes: true, drain_grace_period: drain.gracePeriodSeconds, drain_timeout: `${drain.timeoutSeconds}s`, drain_retries: drain.retries };
}

const names = (hosts: readonly HostRef[]) => hosts.map((h) => h.name);

/** The cluster command: install once, then upgrades, reconfiguration and control-plane changes. */
export function planCluster(previous: ClusterState | undefined, desired: ClusterState, live?: ReadonlySet<string>): Plan {
    const everyone = names(desired.controlPlane);
    const cloudInit = desired.provider === "existing" ? [] : [{ kind: "wait-cloud-init" as const, hosts: ["all"], title: "wait for cloud-init on all nodes" }];
    if (!previous) {
        return {
            disruptive: false,
            steps: [
                { kind: "reachable", hosts: ["all"], title: "check SSH reachability of all nodes" },
                ...cloudInit,
                { kind: "playbook", title: "install (cluster.yml)", playbook: "cluster.yml", extraVars: {} },
            ],
        };
    }
    const refusal = versionRefusal(previous, desired);
    if (refusal) {
        return { ...NOTHING, refusal };
    }
    const steps: Step[] = [];
    const before = new Set(names(previous.controlPlane));
    const after = new Set(everyone);
    const removed = previous.controlPlane.filter((h) => !after.has(h.name) && (!live || live.has(h.name)));
    const added = desired.controlPlane.filter((h) => !before.has(h.name));
    if (removed.length >= previous.controlPlane.length) {
        return { ...NOTHING, refusal: "refusing to remove every control-plane node; keep at least one" };
    }
    for (const host of removed) {
        // One at a time: etcd shrinks by one member per run and keeps quorum throughout.
        steps.push({
            kind: "playbook", title: `remove control-plane node ${host.name} (remove-node.yml)`, playbook: "remove-node.yml",
            extraVars: { node: host.name, skip_confirmation: true, ...drainVars(desired.drain) },
            extraHosts: [{ ...host, role: "control-plane" }],
        });
    }
    if (added.length > 0) {
        const limit = ["etcd", "kube_control_plane"];
        steps.push(
            { kind: "reachable", hosts: names(added), title: "check SSH reachability of the new control-plane nodes" },
            ...(desired.provider === "existing" ? [] : [{ kind: "wait-cloud-init" as const, hosts: names(added), title: "wait for cloud-init on the new control-plane nodes" }]),
            { kind: "playbook", title: "add control-plane nodes (cluster.yml)", playbook: "cluster.yml", limit, extraVars: { ignore_assert_errors: true } },
            { kind: "playbook", title: "restart control plane with the new members (upgrade-cluster.yml)", playbook: "upgrade-cluster.yml", limit, extraVars: { ...drainVars(desired.drain) } },
        );
    }
    const upgrade = previous.kubernetesVersion !== desired.kubernetesVersion || previous.kubesprayVersion !== desired.kubesprayVersion;
    if (upgrade) {
        if (desired.etcdSnapshotBeforeUpgrade) {
            steps.push({ kind: "etcd-snapshot", label: `pre-upgrade-${desired.kubernetesVersion}`, title: "etcd snapshot before the upgrade" });
        }
        steps.push({
            kind: "playbook",
            title: `upgrade Kubernetes ${previous.kubernetesVersion} → ${desired.kubernetesVersion} (upgrade-cluster.yml)`,
            playbook: "upgrade-cluster.yml",
            // Kubespray upgrades the control plane one node at a time, then workers `serial` at a time.
            extraVars: { serial: desired.workerBatch, ...drainVars(desired.drain) },
        });
    } else if (previous.configHash !== desired.configHash && added.length === 0) {
        steps.push({ kind: "playbook", title: "apply the changed cluster configuration (cluster.yml)", playbook: "cluster.yml", extraVars: {} });
    }
    return { steps, disruptive: steps.length > 0 };
}

function versionRefusal(previous: ClusterState, desired: ClusterState): string | undefined {
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

/**
 * The workers command: nodes that left the spec are drained and removed; nodes the cluster does not
 * have yet join with one `scale.yml` run limited to exactly them.
 */
export function planWorkers(previous: WorkersState | undefined, desired: WorkersState, live?: ReadonlySet<string>, drain?: DrainVars): Plan {
    if (!previous) {
        // Day 1: the install put every worker in. A re-run after a failed join finds them through `live`.
        const missing = live ? desired.workers.filter((w) => !live.has(w.name)) : [];
        return missing.length ? joinPlan(names(missing), false) : NOTHING;
    }
    const wanted = new Set(names(desired.workers));
    const leaving = previous.workers.filter((w) => !wanted.has(w.name) && (!live || live.has(w.name)));
    const joining = desired.workers.filter((w) => (live ? !live.has(w.name) : !previous.workers.some((p) => p.name === w.name)));
    const steps: Step[] = [];
    if (leaving.length) {
        steps.push({
            kind: "playbook", title: `remove ${names(leaving).join(", ")} (remove-node.yml)`, playbook: "remove-node.yml",
            extraVars: { node: names(leaving).join(","), skip_confirmation: true, ...(drain ? drainVars(drain) : {}) },
            extraHosts: leaving.map((w) => ({ name: w.name, address: w.address, role: "worker" as const })),
        });
    }
    const join = joining.length ? joinPlan(names(joining), true).steps : [];
    return { steps: [...steps, ...join], disruptive: leaving.length > 0 };
}

function joinPlan(hosts: string[], cloudInit: boolean): Plan {
    return {
        disruptive: false,
        steps: [
            { kind: "reachable", hosts, title: `check SSH reachability of ${hosts.join(", ")}` },
            ...(cloudInit ? [{ kind: "wait-cloud-init" as const, hosts, title: `wait for cloud-init on ${hosts.join(", ")}` }] : []),
            { kind: "playbook", title: "refresh facts (facts.yml)", playbook: "facts.yml", extraVars: {} },
            { kind: "playbook", title: `join ${hosts.join(", ")} (scale.yml)`, playbook: "scale.yml", limit: hosts, extraVars: {} },
        ],
    };
}

/** Before a node's machine changes: drain it; before it is recreated: also remove it from the cluster. */
export function planGate(previous: MachineState | undefined, desired: MachineState, live?: ReadonlySet<string>, drain?: DrainVars): Plan {
    if (!previous || previous.machineHash === desired.machineHash) {
        return NOTHING;
    }
    const node = desired.node.name;
    if (live && !live.has(node)) {
        return NOTHING;
    }
    if (previous.generation !== desired.generation) {
        return {
            disruptive: true,
            steps: [
                { kind: "drain", node, title: `drain ${node}` },
                {
                    kind: "playbook", title: `remove ${node} before it is recreated (remove-node.yml)`, playbook: "remove-node.yml",
                    extraVars: { node, skip_confirmation: true, ...(drain ? drainVars(drain) : {}) },
                },
            ],
        };
    }
    return { disruptive: true, steps: [{ kind: "drain", node, title: `drain ${node} before its machine changes` }] };
}

/** After a node's machine changed: rejoin it if it was recreated, wait until Ready, uncordon. */
export function planReady(previous: MachineState | undefined, desired: MachineState, live?: ReadonlySet<string>): Plan {
    if (!previous || previous.machineHash === desired.machineHash) {
        return NOTHING;
    }
    const node = desired.node;
    const steps: Step[] = [];
    if (previous.generation !== desired.generation || (live && !live.has(node.name))) {
        steps.push({ kind: "forget-host-key", address: node.address, title: `forget the old host key of ${node.name}` });
        steps.push({ kind: "reachable", hosts: [node.name], title: `check SSH reachability of ${node.name}` });
        steps.push({ kind: "wait-cloud-init", hosts: [node.name], title: `wait for cloud-init on ${node.name}` });
        if (node.role === "control-plane") {
            const limit = ["etcd", "kube_control_plane"];
            steps.push(
                { kind: "playbook", title: `rejoin ${node.name} to etcd and the control plane (cluster.yml)`, playbook: "cluster.yml", limit, extraVars: { ignore_assert_errors: true } },
                { kind: "playbook", title: "restart control plane with the rejoined member (upgrade-cluster.yml)", playbook: "upgrade-cluster.yml", limit, extraVars: {} },
            );
        } else {
            steps.push(
                { kind: "playbook", title: "refresh facts (facts.yml)", playbook: "facts.yml", extraVars: {} },
                { kind: "playbook", title: `rejoin ${node.name} (scale.yml)`, playbook: "scale.yml", limit: [node.name], extraVars: {} },
            );
        }
    }
    steps.push({ kind: "wait-ready", node: node.name, title: `wait until ${node.name} is Ready` });
    steps.push({ kind: "uncordon", node: node.name, title: `uncordon ${node.name}` });
    return { steps, disruptive: false };
}

/**
 * SSH key rotation: authorize the new key with the old one (nodes made during the rotation only know
 * the new one and are skipped), check that the new key reaches every node, then retire the old key.
 */
export function planAuthorize(previous: KeysState | undefined, desired: KeysState): Plan {
    if (!previous || JSON.stringify(previous) === JSON.stringify(desired)) {
        return NOTHING;
    }
    if (previous.generation === desired.generation) {
        return { disruptive: false, steps: [{ kind: "authorize", title: "update authorized SSH keys", keys: desired.publicKeys, loginWith: "current", tolerateUnreachable: false }] };
    }
    const both = [...new Set([...desired.publicKeys, previous.publicKeys[0]])];
    return {
        disruptive: false,
        steps: [
            { kind: "authorize", title: `authorize SSH key generation ${desired.generation} alongside ${previous.generation}`, keys: both, loginWith: "previous", tolerateUnreachable: true },
            { kind: "reachable", hosts: ["all"], title: `check the generation ${desired.generation} key reaches every node` },
            { kind: "authorize", title: `retire SSH key generation ${previous.generation}`, keys: desired.publicKeys, loginWith: "current", tolerateUnreachable: false },
        ],
    };
}
