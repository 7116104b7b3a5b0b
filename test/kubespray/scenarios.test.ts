import * as assert from "assert";
import { batchSize, rolloutOrder } from "../../components/kubespray";
import { loadClusterSpec } from "../../spec";
import { openstackConfig, withValue, type Config } from "../fixtures/configs";
import { runConfig } from "../helpers";
import { kubesprayChanges, runs } from "./changes";

/** 3 control-plane nodes and a pool "w" of 4 workers with room to grow. */
function base(): Config {
    let config = withValue(openstackConfig(), "infrastructure.network.subnet", "10.0.0.0/22");
    config = withValue(config, "infrastructure.workerPools[0]", { name: "w", count: 4, size: "m1.xlarge", addresses: { from: "10.0.1.1", to: "10.0.1.200" } });
    return config;
}

const change = (edits: Record<string, unknown>) => Object.entries(edits).reduce((c, [path, value]) => withValue(c, path, value), base());

async function scenario(edits: Record<string, unknown>) {
    const before = await runConfig(base(), { stack: "scenario" });
    const after = await runConfig(change(edits), { stack: "scenario" });
    return kubesprayChanges(before, after);
}

const changed = (changes: Awaited<ReturnType<typeof scenario>>) => changes.map((c) => `${c.change} ${c.command}`);

describe("Kubespray scenario table", () => {
    it("new cluster: cluster.yml once, nothing else runs a playbook", async () => {
        const changes = kubesprayChanges(undefined, await runConfig(base(), { stack: "scenario" }));
        assert.ok(changes.every((c) => c.change === "create"));
        assert.deepStrictEqual(runs(changes), ["t1-cluster: cluster.yml"]);
        const install = changes.find((c) => c.command === "t1-cluster")!;
        assert.deepStrictEqual(install.plan.steps.map((s) => s.kind), ["reachable", "wait-cloud-init", "playbook"]);
    });

    it("+1 worker: one scale.yml limited to the new node", async () => {
        const changes = await scenario({ "infrastructure.workerPools[0].count": 5 });
        assert.deepStrictEqual(changed(changes), ["create t1-w-5-gate", "create t1-w-5-ready", "update t1-workers"]);
        assert.deepStrictEqual(runs(changes), ["t1-workers: playbooks/facts.yml", "t1-workers: scale.yml --limit t1-w-5"]);
    });

    it("+10 workers: still one scale.yml, limited to exactly the ten", async () => {
        const changes = await scenario({ "infrastructure.workerPools[0].count": 14 });
        const added = Array.from({ length: 10 }, (_, i) => `t1-w-${i + 5}`);
        assert.deepStrictEqual(runs(changes), ["t1-workers: playbooks/facts.yml", `t1-workers: scale.yml --limit ${added.join(",")}`]);
        // 14 workers make batches of 2 (20 %): the batches' barriers appear, no-op resources that order the next rollout.
        assert.ok(changes.every((c) => c.command === "t1-workers" || added.some((n) => c.command.startsWith(`${n}-`)) || (/^t1-workers-batch-\d+$/.test(c.command) && c.change === "create" && c.plan.steps.length === 0)));
    });

    it("-1 worker: remove-node.yml for exactly that node, by the workers command that stays", async () => {
        const changes = await scenario({ "infrastructure.workerPools[0].count": 3 });
        assert.deepStrictEqual(changed(changes), ["delete t1-w-4-gate", "delete t1-w-4-ready", "update t1-workers"]);
        assert.deepStrictEqual(runs(changes), ['t1-workers: remove-node.yml {"node":"t1-w-4","skip_confirmation":true}']);
        assert.ok(changes.find((c) => c.command === "t1-workers")!.plan.disruptive);
    });

    it("replace a worker: drain and remove, recreate, rejoin with scale.yml", async () => {
        const changes = await scenario({ "operations.replaceNodes": [{ node: "t1-w-2", generation: 1 }] });
        assert.deepStrictEqual(changed(changes), ["update t1-w-2-gate", "update t1-w-2-ready"]);
        assert.deepStrictEqual(runs(changes), [
            't1-w-2-gate: remove-node.yml {"node":"t1-w-2","skip_confirmation":true}',
            "t1-w-2-ready: playbooks/facts.yml", "t1-w-2-ready: scale.yml --limit t1-w-2",
        ]);
        const gate = changes.find((c) => c.command === "t1-w-2-gate")!;
        assert.deepStrictEqual(gate.plan.steps.slice(0, 2).map((s) => s.kind), ["record-boot", "drain"]);
        const ready = changes.find((c) => c.command === "t1-w-2-ready")!;
        assert.deepStrictEqual(ready.plan.steps.slice(-2).map((s) => s.kind), ["wait-ready", "uncordon"]);
    });

    it("replace a control-plane node: removed from etcd, recreated, rejoined to etcd and the control plane", async () => {
        const changes = await scenario({ "operations.replaceNodes": [{ node: "t1-cp-2", generation: 1 }] });
        assert.deepStrictEqual(changed(changes), ["update t1-cp-2-gate", "update t1-cp-2-ready"]);
        assert.deepStrictEqual(runs(changes), [
            't1-cp-2-gate: remove-node.yml (last: t1-cp-2) {"node":"t1-cp-2","skip_confirmation":true}',
            "t1-cp-2-ready: playbooks/facts.yml",
            't1-cp-2-ready: cluster.yml --limit etcd,kube_control_plane (last: t1-cp-2) {"ignore_assert_errors":true}',
            't1-cp-2-ready: upgrade-cluster.yml --limit etcd,kube_control_plane (last: t1-cp-2) {"ignore_assert_errors":true}',
        ]);
    });

    it("control-plane size change: each node drained, changed, Ready and uncordoned, one at a time", async () => {
        const changes = await scenario({ "infrastructure.controlPlane.size": "m1.2xlarge" });
        assert.deepStrictEqual(changed(changes), ["t1-cp-1", "t1-cp-2", "t1-cp-3"].flatMap((n) => [`update ${n}-gate`, `update ${n}-ready`]));
        assert.deepStrictEqual(runs(changes), []);
        for (const n of ["t1-cp-1", "t1-cp-2", "t1-cp-3"]) {
            assert.deepStrictEqual(changes.find((c) => c.command === `${n}-gate`)!.plan.steps.map((s) => s.kind), ["record-boot", "drain"]);
            assert.deepStrictEqual(changes.find((c) => c.command === `${n}-ready`)!.plan.steps.map((s) => s.kind), ["wait-ready", "uncordon"]);
        }
        const deployed = await runConfig(base(), { stack: "scenario" });
        const run = await runConfig(change({ "infrastructure.controlPlane.size": "m1.2xlarge" }), { stack: "scenario", previousOutputs: deployed.outputs });
        const gate = (n: string) => run.resources.find((r) => r.name === `${n}-gate`)!;
        const ready = (n: string) => run.resources.find((r) => r.name === `${n}-ready`)!;
        const instance = (n: string) => run.resources.find((r) => r.type === "openstack:compute/instance:Instance" && r.name === n)!;
        assert.ok(instance("t1-cp-2").dependencies.includes(gate("t1-cp-2").urn), "the machine waits for its drain");
        assert.ok(gate("t1-cp-2").dependencies.includes(ready("t1-cp-1").urn), "the next node waits until the previous one is Ready");
        assert.ok(gate("t1-cp-3").dependencies.includes(ready("t1-cp-2").urn));
        assert.ok(ready("t1-cp-2").dependencies.includes(instance("t1-cp-2").urn), "uncordon comes after the machine change");
        assert.ok(gate("t1-w-1").dependencies.includes(ready("t1-cp-3").urn), "workers start after the control plane");
    });

    it("patch upgrade: upgrade-cluster.yml with the spec's batch and drain settings, after an etcd snapshot", async () => {
        let config = withValue(base(), "kubernetes.version", "1.33.5");
        const before = await runConfig(config, { stack: "scenario" });
        config = withValue(config, "kubernetes.version", "1.33.7");
        const changes = kubesprayChanges(before, await runConfig(config, { stack: "scenario" }));
        // The kubeconfig's service-account token does not depend on the version: it stays as it is.
        assert.deepStrictEqual(changed(changes), ["update t1-cluster"]);
        assert.deepStrictEqual(runs(changes), ['t1-cluster: upgrade-cluster.yml {"serial":"20%"}']);
        const steps = changes.find((c) => c.command === "t1-cluster")!.plan.steps;
        assert.strictEqual(steps[0].kind, "etcd-snapshot");
        const upgrade = steps[1] as { extraVars: Record<string, unknown> };
        assert.deepStrictEqual(upgrade.extraVars, { serial: "20%", drain_nodes: true, drain_grace_period: 300, drain_timeout: "360s", drain_retries: 3 });
    });

    it("minor upgrade: one upgrade-cluster.yml run", async () => {
        const changes = await scenario({ "kubernetes.version": "1.34.2" });
        assert.deepStrictEqual(runs(changes), ['t1-cluster: upgrade-cluster.yml {"serial":"20%"}']);
    });

    it("two-minor upgrade: refused with a clear message, nothing runs", async () => {
        const changes = await scenario({ "kubernetes.version": "1.35.0" });
        const cluster = changes.find((c) => c.command === "t1-cluster")!;
        assert.deepStrictEqual(cluster.plan.steps, []);
        assert.match(cluster.plan.refusal ?? "", /more than one minor step. Upgrade to 1\.34\.x first/);
    });

    it("services-only change: no Kubespray command changes", async () => {
        const gitops = { repository: { url: "ssh://git@github.com/o/r.git" } };
        const before = await runConfig(withValue(base(), "gitops", gitops), { stack: "scenario" });
        const after = await runConfig(withValue(withValue(base(), "gitops", gitops), "services", { loki: { enabled: false } }), { stack: "scenario" });
        assert.deepStrictEqual(kubesprayChanges(before, after), []);
    });

    it("paused: pulumi up refuses with the reason while preview works", async () => {
        const paused = change({ "operations.paused": true, "operations.pausedReason": "etcd restore in progress" });
        await assert.rejects(runConfig(paused), /operations\.paused is true: etcd restore in progress\. pulumi preview works/);
        const preview = await runConfig(paused, { preview: true });
        assert.ok(preview.resources.length > 10);
    });

    it("maintenance windows, break-glass and drain settings change no command's inputs (the runner reads them from the workspace file)", async () => {
        const before = await runConfig(base(), { stack: "scenario" });
        const after = await runConfig(change({
            "operations.maintenanceWindows": [{ days: ["sat"], start: "02:00", durationMinutes: 120 }],
            "operations.breakGlass": "bg-0123456789",
            "operations.drain": { gracePeriodSeconds: 60, timeoutSeconds: 120, retries: 1 },
        }), { stack: "scenario" });
        assert.deepStrictEqual(kubesprayChanges(before, after), []);
        const env = (run: typeof before) => run.resources.find((r) => r.name === "t1-cluster")!.rawInputs.environment as Record<string, string>;
        assert.deepStrictEqual(Object.keys(env(after)).sort(), ["KUBESPRAY_COMMAND", "KUBESPRAY_DESIRED", "KUBESPRAY_HOME", "KUBESPRAY_INVENTORY", "KUBESPRAY_STACK"]);
    });

    it("the order of extraVars keys changes nothing; a new value re-applies the configuration and, for a control-plane setting, the upgrade path", async () => {
        const before = await runConfig(change({ "kubespray.extraVars": { kube_log_level: 2, etcd_heartbeat_interval: "250" } }), { stack: "scenario" });
        const reordered = await runConfig(change({ "kubespray.extraVars": { etcd_heartbeat_interval: "250", kube_log_level: 2 } }), { stack: "scenario" });
        assert.deepStrictEqual(kubesprayChanges(before, reordered), []);
        const changedValue = await runConfig(change({ "kubespray.extraVars": { etcd_heartbeat_interval: "250", kube_log_level: 3 } }), { stack: "scenario" });
        assert.deepStrictEqual(runs(kubesprayChanges(before, changedValue)), ["t1-cluster: cluster.yml", "t1-cluster: playbooks/facts.yml", "t1-cluster: upgrade-cluster.yml --limit etcd,kube_control_plane"]);
    });

    it("SSH key rotation: the old key authorizes the new one everywhere, the new one is checked, the old one retired", async () => {
        const changes = await scenario({ "operations.keyRotation": { sshGeneration: 1 } });
        const rollout = changes.find((c) => c.command === "t1-ssh-keys")!;
        assert.deepStrictEqual(rollout.plan.steps.map((s) => s.kind === "authorize" ? `authorize with ${s.loginWith}: ${s.keys.length} key(s)` : s.kind), [
            "authorize with previous: 2 key(s)", "reachable", "authorize with current: 1 key(s)",
        ]);
        // every other command only gets the new key on stdin and plans nothing
        assert.ok(changes.filter((c) => c.command !== "t1-ssh-keys").every((c) => c.plan.steps.length === 0));
    });

    it("orders removal before machine deletion and the kubeconfig after the install", async () => {
        const run = await runConfig(base(), { stack: "scenario" });
        const byName = (n: string) => run.resources.find((r) => r.type === "command:local:Command" && r.name === n)!;
        const machines = run.resources.filter((r) => r.type === "openstack:compute/instance:Instance").map((r) => r.urn);
        // Every machine comes before its node's ready, every ready before the install, the install before
        // the workers command. A machine that left the program is deleted after every other step (the
        // engine's performDeletes runs once the program has finished), so remove-node.yml always runs first.
        const ready = (urn: string) => run.resources.find((r) => r.name === `${urn.split("::").pop()}-ready`)!;
        assert.ok(machines.every((urn) => ready(urn).dependencies.includes(urn)));
        assert.ok(machines.every((urn) => byName("t1-cluster").dependencies.includes(ready(urn).urn)));
        assert.ok(byName("t1-kubeconfig").dependencies.includes(byName("t1-cluster").urn));
        assert.ok(byName("t1-workers").dependencies.includes(byName("t1-cluster").urn));
        assert.deepStrictEqual(byName("t1-kubeconfig").options.additionalSecretOutputs, ["stdout"]);
    });

    it("batches existing workers by the spec's size for rolling changes, one barrier per batch", () => {
        assert.deepStrictEqual([batchSize("20%", 10), batchSize("20%", 3), batchSize(3, 10)], [2, 1, 3]);
        const { spec } = loadClusterSpec(withValue(base(), "operations.upgrade.workerBatch", 2));
        const rollout = rolloutOrder(spec, { has: () => true });
        assert.deepStrictEqual(["t1-cp-1", "t1-cp-2", "t1-w-1", "t1-w-2", "t1-w-3", "t1-w-4"].map((n) => rollout.gateWaitsFor.get(n)), [
            undefined, { kind: "ready", node: "t1-cp-1" },
            { kind: "ready", node: "t1-cp-3" }, { kind: "ready", node: "t1-cp-3" },
            { kind: "barrier", index: 0 }, { kind: "barrier", index: 0 },
        ]);
        assert.deepStrictEqual(rollout.barriers, [{ name: "t1-workers-batch-1", after: { kind: "ready", node: "t1-cp-3" }, readies: ["t1-w-1", "t1-w-2"] }]);
    });
});
