/**
 * Day-2 cases of the Kubespray planner, each as the states before and after a stack-file change and
 * the plan the runner makes of it. Shared by planner.test.ts (the exact playbook runs, in order) and
 * upstream.test.ts (each planned invocation checked against the real Kubespray tree).
 */
import { planCluster, settingsContext, planGate, planReady, planWorkers, type Plan, type PlanContext, type PlaybookStep } from "../../components/kubespray/planner";
import { clusterState, machineState, workersState } from "../../components/kubespray/state";
import { stackSettings } from "../../components/kubespray/workspace";
import { loadClusterSpec, type ClusterSpec } from "../../spec";
import { existingConfig, harvesterConfig, openstackConfig, withValue, type Config } from "../fixtures/configs";

export const API_HOST = "10.0.0.5";
export const DRAIN = { gracePeriodSeconds: 300, timeoutSeconds: 360, retries: 3 };

export function specOf(edits: Record<string, unknown> = {}, base: () => Config = openstackConfig): ClusterSpec {
    return loadClusterSpec(Object.entries(edits).reduce((c, [k, v]) => withValue(c, k, v), base())).spec;
}

/** Backup storage with its credentials: what restoring a snapshot from the bucket needs. */
export const BACKUP_STORAGE = {
    "backup.storage": { bucket: "t1-backups", region: "eu-west-1", s3Url: "https://s3.example.net" },
    "secrets.backupAccessKeyId": "AKIDEXAMPLE",
    "secrets.backupSecretAccessKey": "not-a-real-secret",
};
export const SNAPSHOT_KEY = "etcd-snapshots/t1/scheduled/t1-etcd-20260301T010002Z-t1-cp-1-scheduled.db";

const names = (spec: ClusterSpec) => new Set(spec.nodes.map((n) => n.name));
const controlPlaneOf = (spec: ClusterSpec) => spec.nodes.filter((n) => n.role === "control-plane").map((n) => n.name);
const node = (spec: ClusterSpec, name: string) => spec.nodes.find((n) => n.name === name)!;

export interface Case {
    readonly name: string;
    /** The spec whose inventory the runs use (the desired one). */
    readonly spec: ClusterSpec;
    readonly plans: readonly { readonly command: string; readonly plan: Plan; readonly live: ReadonlySet<string> }[];
}

export function ctx(before: ClusterSpec, after: ClusterSpec, live = names(before)): PlanContext {
    return {
        live, controlPlane: controlPlaneOf(after), addresses: new Map(after.nodes.map((n) => [n.name, n.address])),
        // What the runner reads from runner.json (workspace.ts stackSettings), through the runner's own function.
        ...settingsContext(stackSettings(after, "", undefined)),
    };
}

export function cases(): Case[] {
    const base = specOf();
    const list: Case[] = [];

    // Two workers removed in one change: one remove-node.yml run for both (docs/operations/nodes.md).
    {
        const before = specOf({ "infrastructure.workerPools[0].count": 4 });
        const after = specOf({ "infrastructure.workerPools[0].count": 2 });
        list.push({ name: "two workers removed", spec: after, plans: [{ command: "t1-workers", live: names(before), plan: planWorkers(workersState(before), workersState(after), ctx(before, after)) }] });
    }
    // A worker that is gone for good: the stack file names it in operations.removeUnreachable.
    {
        const before = specOf({ "infrastructure.workerPools[0].count": 3 });
        const after = specOf({ "operations.removeUnreachable": ["t1-w-3"] });
        list.push({ name: "unreachable worker removed", spec: after, plans: [{ command: "t1-workers", live: names(before), plan: planWorkers(workersState(before), workersState(after), ctx(before, after)) }] });
    }
    // Existing hosts leave: removed from the cluster and left as they are, but for the one the stack file
    // asks to reset (remove_node.yml resets unless reset_nodes is false).
    {
        const hosts = ["w-a", "w-b", "w-c"].map((name, i) => ({ name, address: `192.168.1.${21 + i}`, role: "worker" }));
        const withHosts = (list: typeof hosts) => [{ name: "cp-a", address: "192.168.1.11", role: "control-plane" }, ...list];
        const before = specOf({ "infrastructure.existing.nodes": withHosts(hosts) }, existingConfig);
        const after = specOf({ "infrastructure.existing.nodes": withHosts(hosts.slice(0, 1)), "operations.decommission": { resetHosts: ["w-c"] } }, existingConfig);
        list.push({ name: "existing hosts removed", spec: after, plans: [{ command: "t4-workers", live: names(before), plan: planWorkers(workersState(before), workersState(after), ctx(before, after)) }] });
    }
    // Workers join: facts.yml, then scale.yml limited to exactly the new nodes.
    {
        const after = specOf({ "infrastructure.workerPools[0].count": 4 });
        list.push({ name: "two workers added", spec: after, plans: [{ command: "t1-workers", live: names(base), plan: planWorkers(workersState(base), workersState(after), ctx(base, after)) }] });
    }
    // A pool's labels and taints change: Kubespray's node-label and node-taint roles on its nodes.
    {
        const after = specOf({ "infrastructure.workerPools[0].labels": { tier: "edge" }, "infrastructure.workerPools[0].taints": [{ key: "dedicated", value: "ingress", effect: "NoSchedule" }] });
        list.push({ name: "pool labels changed", spec: after, plans: [{ command: "t1-workers", live: names(base), plan: planWorkers(workersState(base), workersState(after), ctx(base, after)) }] });
    }
    // The first control-plane node is replaced: demoted, removed, recreated, rejoined last.
    {
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-cp-1", generation: 1 }] });
        const change = { previous: machineState(base, node(base, "t1-cp-1")), desired: machineState(after, node(after, "t1-cp-1")) };
        const liveAfterRemoval = new Set([...names(base)].filter((n) => n !== "t1-cp-1"));
        list.push({
            name: "first control-plane node replaced", spec: after, plans: [
                { command: "t1-cp-1-gate", live: names(base), plan: planGate([change], ctx(base, after)) },
                { command: "t1-cp-1-ready", live: liveAfterRemoval, plan: planReady([change], ctx(base, after, liveAfterRemoval)) },
            ],
        });
    }
    // A worker is replaced: drained and removed, recreated, rejoined with scale.yml.
    {
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-w-2", generation: 1 }] });
        const change = { previous: machineState(base, node(base, "t1-w-2")), desired: machineState(after, node(after, "t1-w-2")) };
        const liveAfterRemoval = new Set([...names(base)].filter((n) => n !== "t1-w-2"));
        list.push({
            name: "worker replaced", spec: after, plans: [
                { command: "t1-w-2-gate", live: names(base), plan: planGate([change], ctx(base, after)) },
                { command: "t1-w-2-ready", live: liveAfterRemoval, plan: planReady([change], ctx(base, after, liveAfterRemoval)) },
            ],
        });
    }
    // A batch of three workers replaced (operations.upgrade.workerBatch: 3): the runner runs their gates as
    // one (runner/batch.ts: one drain each, one remove-node.yml for all), then their readies as one (one
    // facts.yml, one scale.yml limited to the three).
    {
        const three = { "infrastructure.workerPools[0].count": 3, "operations.upgrade.workerBatch": 3 };
        const before = specOf(three);
        const workers = ["t1-w-1", "t1-w-2", "t1-w-3"];
        const after = specOf({ ...three, "operations.replaceNodes": workers.map((n) => ({ node: n, generation: 1 })) });
        const changes = workers.map((n) => ({ previous: machineState(before, node(before, n)), desired: machineState(after, node(after, n)) }));
        const liveAfterRemoval = new Set([...names(before)].filter((n) => !workers.includes(n)));
        list.push({
            name: "worker batch replaced", spec: after, plans: [
                { command: "t1-w-1-gate", live: names(before), plan: planGate(changes, ctx(before, after)) },
                { command: "t1-w-1-ready", live: liveAfterRemoval, plan: planReady(changes, ctx(before, after, liveAfterRemoval)) },
            ],
        });
    }
    // A worker whose VM is gone: one stack-file change (replaceNodes + removeUnreachable) removes it
    // without a drain, recreates it with the same name and address, and rejoins it.
    {
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-w-2", generation: 1 }], "operations.removeUnreachable": ["t1-w-2"] });
        const change = { previous: machineState(base, node(base, "t1-w-2")), desired: machineState(after, node(after, "t1-w-2")) };
        const liveAfterRemoval = new Set([...names(base)].filter((n) => n !== "t1-w-2"));
        list.push({
            name: "dead worker replaced", spec: after, plans: [
                { command: "t1-w-2-gate", live: names(base), plan: planGate([change], ctx(base, after)) },
                { command: "t1-w-2-ready", live: liveAfterRemoval, plan: planReady([change], ctx(base, after, liveAfterRemoval)) },
            ],
        });
    }
    // The first control-plane node's VM is gone (quorum holds with two of three): recreated by its gate and
    // ready, then recover-control-plane.yml with it in broken_etcd/broken_kube_control_plane, behind the survivors.
    {
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-cp-1", generation: 1 }], "operations.recoverControlPlane": { broken: ["t1-cp-1"] } });
        const change = { previous: machineState(base, node(base, "t1-cp-1")), desired: machineState(after, node(after, "t1-cp-1")) };
        list.push({
            name: "dead control-plane node recovered", spec: after, plans: [
                { command: "t1-cp-1-gate", live: names(base), plan: planGate([change], ctx(base, after)) },
                { command: "t1-cp-1-ready", live: names(base), plan: planReady([change], ctx(base, after)) },
                { command: "t1-cluster", live: names(base), plan: planCluster(clusterState(base, API_HOST), clusterState(after, API_HOST), ctx(base, after)) },
            ],
        });
    }
    // Two of three control-plane VMs gone: etcd has lost quorum. Both are recreated, then one recovery run
    // restores etcd on the survivor from the named snapshot in the backup storage and rejoins them.
    {
        const before = specOf(BACKUP_STORAGE);
        const after = specOf({
            ...BACKUP_STORAGE,
            "operations.replaceNodes": [{ node: "t1-cp-2", generation: 1 }, { node: "t1-cp-3", generation: 1 }],
            "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { s3Key: SNAPSHOT_KEY } },
        });
        // The API does not answer without quorum: the runner plans without the node list.
        list.push({
            name: "lost quorum restored from a snapshot", spec: after, plans: [
                { command: "t1-cluster", live: names(before), plan: planCluster(clusterState(before, API_HOST), clusterState(after, API_HOST), { controlPlane: controlPlaneOf(after), drain: DRAIN }) },
            ],
        });
    }
    // Control-plane configuration (OIDC): cluster.yml writes kubeadm-config.yaml, but only the upgrade
    // path rewrites the static pods the API servers run from.
    {
        const after = specOf({ "kubernetes.oidc": { enabled: true, issuerUrl: "https://id.example.com/realms/k8s", clientId: "kube" } });
        list.push({ name: "control-plane configuration changed", spec: after, plans: [{ command: "t1-cluster", live: names(base), plan: planCluster(clusterState(base, API_HOST), clusterState(after, API_HOST), ctx(base, after)) }] });
    }
    // Control plane shrinks 5 → 3: remove-node.yml one member at a time (each last), then cluster.yml
    // regenerates the etcd member lists, then the upgrade path rewrites --etcd-servers.
    {
        const before = specOf({ "infrastructure.controlPlane.count": 5 });
        list.push({ name: "control-plane nodes removed", spec: base, plans: [{ command: "t1-cluster", live: names(before), plan: planCluster(clusterState(before, API_HOST), clusterState(base, API_HOST), ctx(before, base)) }] });
    }
    // The same removal resumed: remove-node.yml ran for both (their Node objects are gone) and the run failed
    // before cluster.yml finished, so the cluster command's state still lists them. The etcd members may
    // remain (or a cloud controller deleted the Nodes of vanished VMs): removed without reaching the hosts,
    // then the member lists and --etcd-servers re-rendered, as in the first attempt.
    {
        const before = specOf({ "infrastructure.controlPlane.count": 5 });
        const live = new Set([...names(before)].filter((n) => n !== "t1-cp-4" && n !== "t1-cp-5"));
        list.push({ name: "control-plane removal resumed", spec: base, plans: [{ command: "t1-cluster", live, plan: planCluster(clusterState(before, API_HOST), clusterState(base, API_HOST), ctx(before, base, live)) }] });
    }
    // Control plane grows 3 → 5: cluster.yml then upgrade-cluster.yml, both limited to etcd and the control plane.
    {
        const after = specOf({ "infrastructure.controlPlane.count": 5 });
        list.push({ name: "control-plane nodes added", spec: after, plans: [{ command: "t1-cluster", live: names(base), plan: planCluster(clusterState(base, API_HOST), clusterState(after, API_HOST), ctx(base, after)) }] });
    }
    // Harvester size change: drain, the VM object changes, the guest is powered off so KubeVirt boots it
    // with the new shape, then Ready on a new boot.
    {
        const sizes = { "infrastructure.sizes": { "apps-a": { cpus: 8, memoryGiB: 16, diskGiB: 100 }, "apps-b": { cpus: 16, memoryGiB: 32, diskGiB: 100 } } };
        const before = specOf({ ...sizes, "infrastructure.workerPools[0].size": "apps-a" }, harvesterConfig);
        const after = specOf({ ...sizes, "infrastructure.workerPools[0].size": "apps-b" }, harvesterConfig);
        const change = { previous: machineState(before, node(before, "t3-apps-1")), desired: machineState(after, node(after, "t3-apps-1")) };
        list.push({
            name: "Harvester worker resized", spec: after, plans: [
                { command: "t3-apps-1-gate", live: names(before), plan: planGate([change], ctx(before, after)) },
                { command: "t3-apps-1-ready", live: names(before), plan: planReady([change], ctx(before, after)) },
            ],
        });
    }
    return list;
}

export function caseNamed(name: string): Case {
    const found = cases().find((c) => c.name === name);
    if (!found) throw new Error(`no case ${name}`);
    return found;
}

/** `command: playbook [--limit a,b] [--tags t] [last: x] {vars}` for each playbook step, in order. */
export function playbookRuns(c: Case): string[] {
    return c.plans.flatMap(({ command, plan }) => plan.steps.filter((s): s is PlaybookStep => s.kind === "playbook").map((s) => describeRun(command, s)));
}

export function describeRun(command: string, s: PlaybookStep): string {
    const vars = Object.fromEntries(Object.entries(s.extraVars).filter(([k]) => !k.startsWith("drain_")));
    return `${command}: ${s.playbook}${s.limit ? ` --limit ${s.limit.join(",")}` : ""}${s.tags ? ` --tags ${s.tags.join(",")}` : ""}${s.last ? ` (last: ${s.last.join(",")})` : ""}${s.broken ? ` (broken: ${s.broken.join(",")})` : ""}${Object.keys(vars).length ? ` ${JSON.stringify(vars)}` : ""}`;
}
