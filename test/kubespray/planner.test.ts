/**
 * The Kubespray planner, case by case: the exact playbook runs in order (playbook, --limit, tags, the
 * hosts put last in the run's inventory, extra vars). Each case follows Kubespray v2.31.0's documented
 * procedure (docs/operations/nodes.md, docs/operations/upgrades.md, playbooks/upgrade_cluster.yml);
 * upstream.test.ts checks the same invocations against the real playbooks with --list-hosts.
 */
import * as assert from "assert";
import { FETCHED_ETCD_SNAPSHOT, planCluster, planGate, planReady, planWorkers, runInventoryOrder, versionRefusal, type Step } from "../../components/kubespray/planner";
import { clusterState, machineState, workersState, type ClusterState, type MachineState } from "../../components/kubespray/state";
import { API_HOST, BACKUP_STORAGE, caseNamed, ctx, DRAIN, playbookRuns, SNAPSHOT_KEY, specOf, type Case } from "./cases";

const kinds = (plan: { steps: readonly { kind: string }[] }) => plan.steps.map((s) => s.kind);

describe("Kubespray planner: documented procedures", () => {
    it("removes several workers in one run (node=a,b), after checking they answer", () => {
        const c = caseNamed("two workers removed");
        assert.deepStrictEqual(playbookRuns(c), ['t1-workers: remove-node.yml {"node":"t1-w-3,t1-w-4","skip_confirmation":true}']);
        assert.deepStrictEqual(kinds(c.plans[0].plan), ["reachable", "playbook"]);
        assert.ok(c.plans[0].plan.disruptive);
    });

    it("leaves removed existing hosts as they are, and resets only the ones the stack file names (decommission.resetHosts)", () => {
        const c = caseNamed("existing hosts removed");
        assert.deepStrictEqual(playbookRuns(c), [
            't4-workers: remove-node.yml {"node":"w-b","skip_confirmation":true,"reset_nodes":false}',
            't4-workers: remove-node.yml {"node":"w-c","skip_confirmation":true}',
        ]);
    });

    it("removes an unreachable worker only when the stack file names it, with reset_nodes=false and allow_ungraceful_removal=true", () => {
        const c = caseNamed("unreachable worker removed");
        assert.deepStrictEqual(playbookRuns(c), ['t1-workers: remove-node.yml {"node":"t1-w-3","skip_confirmation":true,"reset_nodes":false,"allow_ungraceful_removal":true}']);
        assert.deepStrictEqual(kinds(c.plans[0].plan), ["playbook"], "no reachability check for a node that is gone");
        // Without the stack-file choice the same removal checks reachability first and fails loudly, naming the option.
        const plain = planWorkers(workersState(specOf({ "infrastructure.workerPools[0].count": 3 })), workersState(specOf()), { live: new Set(["t1-w-3"]) });
        assert.match(plain.steps[0].title, /operations\.removeUnreachable/);
    });

    it("joins new workers with facts.yml and one scale.yml limited to them", () => {
        assert.deepStrictEqual(playbookRuns(caseNamed("two workers added")), ["t1-workers: playbooks/facts.yml", "t1-workers: scale.yml --limit t1-w-3,t1-w-4"]);
    });

    it("applies changed pool labels and taints with the node-label and node-taint roles on that pool's nodes", () => {
        assert.deepStrictEqual(playbookRuns(caseNamed("pool labels changed")), ["t1-workers: playbooks/facts.yml", "t1-workers: scale.yml --limit t1-w-1,t1-w-2 --tags node-label,node-taint"]);
    });

    it("replaces the first control-plane node: demoted with cluster.yml, removed last, rejoined last through cluster.yml and upgrade-cluster.yml", () => {
        const c = caseNamed("first control-plane node replaced");
        assert.deepStrictEqual(playbookRuns(c), [
            "t1-cp-1-gate: cluster.yml (last: t1-cp-1)",
            't1-cp-1-gate: remove-node.yml (last: t1-cp-1) {"node":"t1-cp-1","skip_confirmation":true}',
            "t1-cp-1-ready: playbooks/facts.yml",
            't1-cp-1-ready: cluster.yml --limit etcd,kube_control_plane (last: t1-cp-1) {"ignore_assert_errors":true}',
            't1-cp-1-ready: upgrade-cluster.yml --limit etcd,kube_control_plane (last: t1-cp-1) {"ignore_assert_errors":true}',
        ]);
        assert.deepStrictEqual(kinds(c.plans[0].plan), ["record-boot", "drain", "playbook", "playbook"]);
        assert.deepStrictEqual(kinds(c.plans[1].plan), ["forget-host-key", "reachable", "wait-cloud-init", "playbook", "playbook", "playbook", "wait-ready", "uncordon"]);
        // The run inventory never puts a node the cluster does not have first (kubeadm init, a new etcd CA).
        assert.deepStrictEqual(runInventoryOrder(["t1-cp-1", "t1-cp-2", "t1-cp-3"], c.plans[1].live), ["t1-cp-2", "t1-cp-3", "t1-cp-1"]);
    });

    it("replaces a worker: drain, remove-node.yml, then facts.yml and scale.yml for it alone", () => {
        assert.deepStrictEqual(playbookRuns(caseNamed("worker replaced")), [
            't1-w-2-gate: remove-node.yml {"node":"t1-w-2","skip_confirmation":true}',
            "t1-w-2-ready: playbooks/facts.yml",
            "t1-w-2-ready: scale.yml --limit t1-w-2",
        ]);
    });

    it("replaces a batch of workers with one remove-node.yml, one facts.yml and one scale.yml (runner/batch.ts)", () => {
        const c = caseNamed("worker batch replaced");
        assert.deepStrictEqual(playbookRuns(c), [
            't1-w-1-gate: remove-node.yml {"node":"t1-w-1,t1-w-2,t1-w-3","skip_confirmation":true}',
            "t1-w-1-ready: playbooks/facts.yml",
            "t1-w-1-ready: scale.yml --limit t1-w-1,t1-w-2,t1-w-3",
        ]);
        assert.deepStrictEqual(c.plans[0].plan.steps.filter((s) => s.kind === "drain").map((s) => s.kind === "drain" && s.node), ["t1-w-1", "t1-w-2", "t1-w-3"]);
    });

    it("brings control-plane configuration to the running API servers through the upgrade path", () => {
        assert.deepStrictEqual(playbookRuns(caseNamed("control-plane configuration changed")), [
            "t1-cluster: cluster.yml",
            "t1-cluster: playbooks/facts.yml",
            "t1-cluster: upgrade-cluster.yml --limit etcd,kube_control_plane",
        ]);
        // A change that only the nodes read (DNS servers) needs no control-plane restart.
        const before = specOf();
        const after = specOf({ "infrastructure.network.dnsServers": ["10.0.0.3"] });
        const plan = planCluster(clusterState(before, API_HOST), clusterState(after, API_HOST), {});
        assert.deepStrictEqual(plan.steps.map((s) => s.kind === "playbook" ? s.playbook : s.kind), ["cluster.yml"]);
    });

    it("removes control-plane nodes one etcd member at a time, then regenerates member lists (cluster.yml) and --etcd-servers (upgrade path)", () => {
        assert.deepStrictEqual(playbookRuns(caseNamed("control-plane nodes removed")), [
            't1-cluster: remove-node.yml (last: t1-cp-4) {"node":"t1-cp-4","skip_confirmation":true}',
            't1-cluster: remove-node.yml (last: t1-cp-5) {"node":"t1-cp-5","skip_confirmation":true}',
            "t1-cluster: cluster.yml",
            "t1-cluster: playbooks/facts.yml",
            "t1-cluster: upgrade-cluster.yml --limit etcd,kube_control_plane",
        ]);
    });

    it("resumes a control-plane removal whose remove-node.yml ran but whose re-render failed: the members are removed without reaching the hosts, then cluster.yml and the upgrade path run again", () => {
        // previous [cp-1..cp-5], desired [cp-1..cp-3], the cluster no longer lists cp-4 and cp-5 (issue #12 item 7).
        const c = caseNamed("control-plane removal resumed");
        assert.deepStrictEqual(playbookRuns(c), [
            't1-cluster: remove-node.yml (last: t1-cp-4) {"node":"t1-cp-4","skip_confirmation":true,"reset_nodes":false,"allow_ungraceful_removal":true}',
            't1-cluster: remove-node.yml (last: t1-cp-5) {"node":"t1-cp-5","skip_confirmation":true,"reset_nodes":false,"allow_ungraceful_removal":true}',
            "t1-cluster: cluster.yml",
            "t1-cluster: playbooks/facts.yml",
            "t1-cluster: upgrade-cluster.yml --limit etcd,kube_control_plane",
        ]);
        // The removed members keep their addresses in the run's inventory (the etcd peer URL Kubespray matches).
        const removal = c.plans[0].plan.steps.find((s) => s.kind === "playbook" && s.playbook === "remove-node.yml") as Extract<Step, { kind: "playbook" }>;
        assert.deepStrictEqual(removal.keep, [{ name: "t1-cp-4", role: "control-plane", address: specOf({ "infrastructure.controlPlane.count": 5 }).nodes.find((n) => n.name === "t1-cp-4")!.address }]);
        assert.match(removal.title, /Node object is gone but its etcd member may not be/);
    });

    it("resumes the removal of the first control-plane host: no demotion run on a host that is no longer a node, cluster-info still repointed", () => {
        const state = (names: string[]): ClusterState => ({ ...clusterState(specOf(), API_HOST), localApiProxy: true, controlPlane: names.map((name, i) => ({ name, address: `10.0.0.${11 + i}` })) });
        // The issue's example: previous [a, b, c]; the first attempt demoted and removed a, then failed.
        const first = planCluster(state(["a", "b", "c"]), state(["b", "c"]), { live: new Set(["a", "b", "c", "w"]), drain: DRAIN });
        const resumed = planCluster(state(["a", "b", "c"]), state(["b", "c"]), { live: new Set(["b", "c", "w"]), drain: DRAIN });
        const shape = (plan: typeof first) => plan.steps.map((s) => s.kind === "playbook" ? `${s.playbook}${s.last ? ` last:${s.last.join(",")}` : ""}${s.extraVars.reset_nodes === false ? " reset_nodes=false" : ""}` : s.kind);
        assert.deepStrictEqual(shape(first), ["cluster.yml last:a", "remove-node.yml last:a", "cluster.yml", "update-cluster-info", "playbooks/facts.yml", "upgrade-cluster.yml", "restart-api-proxy"]);
        assert.deepStrictEqual(shape(resumed), ["remove-node.yml last:a reset_nodes=false", "cluster.yml", "update-cluster-info", "playbooks/facts.yml", "upgrade-cluster.yml", "restart-api-proxy"]);
        assert.deepStrictEqual(resumed.steps.find((s) => s.kind === "update-cluster-info"), { kind: "update-cluster-info", address: "10.0.0.11", title: "point kube-public/cluster-info at b" });
        // The same with c (not first), whose Node is gone: the issue's "nothing" is now the full removal.
        const third = planCluster(state(["a", "b", "c"]), state(["a", "b"]), { live: new Set(["a", "b", "w"]), drain: DRAIN });
        assert.deepStrictEqual(shape(third), ["remove-node.yml last:c reset_nodes=false", "cluster.yml", "playbooks/facts.yml", "upgrade-cluster.yml", "restart-api-proxy"]);
        // Once a run completes, the state no longer lists c: nothing more.
        assert.deepStrictEqual(planCluster(state(["a", "b"]), state(["a", "b"]), { live: new Set(["a", "b", "w"]) }).steps, []);
    });

    it("a replaced control-plane node whose Node a cloud controller deleted: the gate still removes its etcd member (no drain, no boot to record)", () => {
        const base = specOf();
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-cp-2", generation: 1 }] });
        const cp2 = (s: typeof base) => s.nodes.find((x) => x.name === "t1-cp-2")!;
        const change = { previous: machineState(base, cp2(base)), desired: machineState(after, cp2(after)) };
        const live = new Set(base.nodes.map((n) => n.name).filter((n) => n !== "t1-cp-2"));
        const c: Case = {
            name: "control-plane node replaced after its Node was deleted", spec: after, plans: [
                { command: "t1-cp-2-gate", live, plan: planGate([change], ctx(base, after, live)) },
                { command: "t1-cp-2-ready", live, plan: planReady([change], ctx(base, after, live)) },
            ],
        };
        assert.deepStrictEqual(playbookRuns(c), [
            't1-cp-2-gate: remove-node.yml (last: t1-cp-2) {"node":"t1-cp-2","skip_confirmation":true,"reset_nodes":false,"allow_ungraceful_removal":true}',
            "t1-cp-2-ready: playbooks/facts.yml",
            't1-cp-2-ready: cluster.yml --limit etcd,kube_control_plane (last: t1-cp-2) {"ignore_assert_errors":true}',
            't1-cp-2-ready: upgrade-cluster.yml --limit etcd,kube_control_plane (last: t1-cp-2) {"ignore_assert_errors":true}',
        ]);
        assert.deepStrictEqual(kinds(c.plans[0].plan), ["playbook"]);
        // A worker without a Node has no etcd member: its gate has nothing to do (its ready rejoins it).
        const worker = specOf({ "operations.replaceNodes": [{ node: "t1-w-1", generation: 1 }] });
        const w1 = (s: typeof base) => s.nodes.find((x) => x.name === "t1-w-1")!;
        assert.deepStrictEqual(planGate([{ previous: machineState(base, w1(base)), desired: machineState(worker, w1(worker)) }], { live: new Set(["t1-cp-1"]) }).steps, []);
    });

    it("re-runs a join that did not finish: a worker the state does not have yet joins again even if its Node registered", () => {
        const before = specOf();
        const after = specOf({ "infrastructure.workerPools[0].count": 3 });
        const addresses = new Map(after.nodes.map((n) => [n.name, n.address]));
        // scale.yml registered t1-w-3's Node, then failed: the workers state still has two workers.
        const plan = planWorkers(workersState(before), workersState(after), { live: new Set([...before.nodes.map((n) => n.name), "t1-w-3"]), addresses });
        assert.deepStrictEqual(plan.steps.map((s) => s.kind === "playbook" ? `${s.playbook} ${s.limit?.join(",") ?? ""}`.trim() : `${s.kind}${"node" in s ? ` ${s.node}` : ""}`),
            ["forget-host-key t1-w-3", "reachable", "wait-cloud-init", "playbooks/facts.yml", "scale.yml t1-w-3"]);
        // Once the run succeeds the state has it: nothing.
        assert.deepStrictEqual(planWorkers(workersState(after), workersState(after), { live: new Set(after.nodes.map((n) => n.name)), addresses }).steps, []);
    });

    it("forgets the old host key of every host that joins: a pool that shrank and grows again, a control-plane name that comes back, a Node-less worker rejoining", () => {
        const three = specOf({ "infrastructure.workerPools[0].count": 3 });
        const addresses = new Map(three.nodes.map((n) => [n.name, n.address]));
        const forgets = (plan: { steps: readonly Step[] }) => plan.steps.filter((s): s is Extract<Step, { kind: "forget-host-key" }> => s.kind === "forget-host-key").map((s) => `${s.node}@${s.address}`);
        // 3 → 2 → 3: t1-w-3 comes back with its old name and address.
        const regrown = planWorkers(workersState(specOf()), workersState(three), { live: new Set(specOf().nodes.map((n) => n.name)), addresses });
        assert.deepStrictEqual(forgets(regrown), [`t1-w-3@${addresses.get("t1-w-3")}`]);
        assert.ok(regrown.steps.findIndex((s) => s.kind === "forget-host-key") < regrown.steps.findIndex((s) => s.kind === "reachable"));
        // Day 1 re-run: workers the install did not join.
        const dayOne = planWorkers(undefined, workersState(three), { live: new Set(["t1-cp-1", "t1-w-1"]), addresses });
        assert.deepStrictEqual(forgets(dayOne), ["t1-w-2", "t1-w-3"].map((n) => `${n}@${addresses.get(n)}`));
        // A worker reinstalled without replaceNodes whose Node was deleted: it rejoins, with its key forgotten.
        const rejoin = planWorkers(workersState(three), workersState(three), { live: new Set(three.nodes.map((n) => n.name).filter((n) => n !== "t1-w-2")), addresses });
        assert.deepStrictEqual(forgets(rejoin), [`t1-w-2@${addresses.get("t1-w-2")}`]);
        // Control plane 3 → 5 (names that may have existed before): the cluster command forgets theirs.
        const five = specOf({ "infrastructure.controlPlane.count": 5 });
        const grown = planCluster(clusterState(specOf(), API_HOST), clusterState(five, API_HOST), { live: new Set(specOf().nodes.map((n) => n.name)) });
        assert.deepStrictEqual(forgets(grown), ["t1-cp-4", "t1-cp-5"].map((n) => `${n}@${five.nodes.find((x) => x.name === n)!.address}`));
    });

    it("adds control-plane nodes appended last, with etcd_retries for more than one", () => {
        assert.deepStrictEqual(playbookRuns(caseNamed("control-plane nodes added")), [
            "t1-cluster: playbooks/facts.yml",
            't1-cluster: cluster.yml --limit etcd,kube_control_plane (last: t1-cp-4,t1-cp-5) {"ignore_assert_errors":true,"etcd_retries":10}',
            't1-cluster: upgrade-cluster.yml --limit etcd,kube_control_plane (last: t1-cp-4,t1-cp-5) {"ignore_assert_errors":true}',
        ]);
    });

    it("without an API VIP, control-plane changes also reach every node's nginx proxy, and removing the first host repoints cluster-info", () => {
        const state = (names: string[]): ClusterState => ({ ...clusterState(specOf(), API_HOST), localApiProxy: true, controlPlane: names.map((name, i) => ({ name, address: `10.0.0.${11 + i}` })) });
        const plan = planCluster(state(["a", "b", "c"]), state(["b", "c"]), { live: new Set(["a", "b", "c"]), drain: DRAIN });
        assert.deepStrictEqual(plan.steps.map((s) => s.kind === "playbook" ? `${s.playbook}${s.last ? ` last:${s.last.join(",")}` : ""}` : s.kind), [
            "cluster.yml last:a", "remove-node.yml last:a", "cluster.yml", "update-cluster-info", "playbooks/facts.yml", "upgrade-cluster.yml", "restart-api-proxy",
        ]);
        const added = planCluster(state(["a"]), state(["a", "b", "c"]), { live: new Set(["a"]) });
        assert.deepStrictEqual(added.steps.slice(-2).map((s) => s.kind === "playbook" ? s.playbook : s.kind), ["cluster.yml", "restart-api-proxy"]);
    });

    it("restarts a Harvester guest after its resize: drain, power off over SSH, Ready on a new boot, uncordon (no rejoin)", () => {
        const c = caseNamed("Harvester worker resized");
        assert.deepStrictEqual(kinds(c.plans[0].plan), ["record-boot", "drain"]);
        assert.deepStrictEqual(kinds(c.plans[1].plan), ["poweroff", "wait-ready", "uncordon"]);
        assert.deepStrictEqual(playbookRuns(c), []);
    });

    it("takes a whole batch in one gate: one remove-node.yml for its workers", () => {
        const before = specOf();
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-w-1", generation: 1 }, { node: "t1-w-2", generation: 1 }] });
        const change = (n: string) => ({ previous: machineState(before, before.nodes.find((x) => x.name === n)!), desired: machineState(after, after.nodes.find((x) => x.name === n)!) });
        const gate = planGate([change("t1-w-1"), change("t1-w-2")], { drain: DRAIN });
        assert.deepStrictEqual(gate.steps.filter((s) => s.kind === "playbook").map((s) => (s as { extraVars: Readonly<Record<string, unknown>> }).extraVars.node), ["t1-w-1,t1-w-2"]);
        const ready = planReady([change("t1-w-1"), change("t1-w-2")], {});
        assert.deepStrictEqual(ready.steps.filter((s) => s.kind === "playbook").map((s) => (s as { limit?: readonly string[] }).limit?.join(",") ?? ""), ["", "t1-w-1,t1-w-2"]);
    });

    it("never restarts or replaces a node on a state written by an older runner (it adopts the new digests)", () => {
        const spec = specOf({ "infrastructure.controlPlane.size": "m1.2xlarge" });
        const desired = machineState(spec, spec.nodes[0]);
        const old = { kind: "machine", node: desired.node, machineHash: "0123456789abcdef", generation: 0 } as unknown as MachineState;
        assert.deepStrictEqual(planGate([{ previous: old, desired }]).steps, []);
        assert.deepStrictEqual(planReady([{ previous: old, desired }]).steps, []);
    });

    it("refuses version skips and downgrades with the runner's message", () => {
        assert.match(versionRefusal({ kubernetesVersion: "1.33.7", kubesprayVersion: "2.31.0" }, { kubernetesVersion: "1.35.0", kubesprayVersion: "2.31.0" }) ?? "", /more than one minor step/);
        assert.match(versionRefusal({ kubernetesVersion: "1.34.1", kubesprayVersion: "2.31.0" }, { kubernetesVersion: "1.33.7", kubesprayVersion: "2.31.0" }) ?? "", /refusing to downgrade/);
        assert.match(versionRefusal({ kubernetesVersion: "1.33.7", kubesprayVersion: "2.29.0" }, { kubernetesVersion: "1.33.7", kubesprayVersion: "2.31.0" }) ?? "", /one release at a time/);
        assert.strictEqual(versionRefusal({ kubernetesVersion: "1.33.7", kubesprayVersion: "2.30.0" }, { kubernetesVersion: "1.34.2", kubesprayVersion: "2.31.0" }), undefined);
    });

    it("a dead worker (one stack-file change: replaceNodes + removeUnreachable): removed without drain or reset, recreated, rejoined with scale.yml", () => {
        const c = caseNamed("dead worker replaced");
        assert.deepStrictEqual(playbookRuns(c), [
            't1-w-2-gate: remove-node.yml {"node":"t1-w-2","skip_confirmation":true,"reset_nodes":false,"allow_ungraceful_removal":true}',
            "t1-w-2-ready: playbooks/facts.yml",
            "t1-w-2-ready: scale.yml --limit t1-w-2",
        ]);
        assert.deepStrictEqual(kinds(c.plans[0].plan), ["record-boot", "playbook"], "no drain that cannot happen, no reachability check");
        assert.deepStrictEqual(kinds(c.plans[1].plan), ["forget-host-key", "reachable", "wait-cloud-init", "playbook", "playbook", "wait-ready", "uncordon"]);
    });

    it("a dead control-plane node (replaceNodes + recoverControlPlane): no drain or remove-node.yml; its new machine is awaited; recover-control-plane.yml with it broken and last", () => {
        const c = caseNamed("dead control-plane node recovered");
        assert.deepStrictEqual(playbookRuns(c), [
            "t1-cluster: playbooks/facts.yml",
            't1-cluster: recover-control-plane.yml --limit etcd,kube_control_plane (last: t1-cp-1) (broken: t1-cp-1) {"etcd_retries":10}',
        ]);
        assert.deepStrictEqual(kinds(c.plans[0].plan), [], "the gate leaves the member and the Node to the recovery");
        assert.deepStrictEqual(kinds(c.plans[1].plan), ["forget-host-key", "reachable", "wait-cloud-init"]);
        // The recovered node comes back reinstalled at its address (here its ready already forgot the key; an
        // existing host reinstalled without replaceNodes has no ready run): its old host key is forgotten first.
        assert.deepStrictEqual(kinds(c.plans[2].plan), ["forget-host-key", "reachable", "playbook", "playbook", "wait-ready"]);
        assert.strictEqual(c.plans[2].plan.disruptive, false, "a broken control plane is not held back by a maintenance window");
        // The survivors come first (docs/operations/recover-control-plane.md); the first host is the one Kubespray recovers etcd on.
        assert.deepStrictEqual(runInventoryOrder(["t1-cp-1", "t1-cp-2", "t1-cp-3"], undefined, ["t1-cp-1"]), ["t1-cp-2", "t1-cp-3", "t1-cp-1"]);
    });

    it("lost quorum: the named snapshot is fetched, then one recover-control-plane.yml run with both broken nodes and etcd_snapshot", () => {
        const c = caseNamed("lost quorum restored from a snapshot");
        assert.deepStrictEqual(playbookRuns(c), [
            "t1-cluster: playbooks/facts.yml",
            `t1-cluster: recover-control-plane.yml --limit etcd,kube_control_plane (last: t1-cp-2,t1-cp-3) (broken: t1-cp-2,t1-cp-3) {"etcd_retries":10,"etcd_snapshot":"${FETCHED_ETCD_SNAPSHOT}"}`,
        ]);
        const fetch = c.plans[0].plan.steps.find((s): s is Extract<Step, { kind: "fetch-etcd-snapshot" }> => s.kind === "fetch-etcd-snapshot")!;
        assert.deepStrictEqual(fetch.source, { s3: { bucket: "t1-backups", key: SNAPSHOT_KEY, region: "eu-west-1", endpoint: "https://s3.example.net" } });
        assert.deepStrictEqual(kinds(c.plans[0].plan), ["forget-host-key", "forget-host-key", "reachable", "fetch-etcd-snapshot", "playbook", "playbook", "wait-ready", "wait-ready"]);
    });

    it("runs a recovery once: the same request again plans nothing; a new replacement generation is a new request; it refuses to mix with an upgrade", () => {
        const request = { ...BACKUP_STORAGE, "operations.recoverControlPlane": { broken: ["t1-cp-2"] } };
        const done = clusterState(specOf(request), API_HOST);
        assert.deepStrictEqual(planCluster(done, done, {}).steps, []);
        const again = clusterState(specOf({ ...request, "operations.replaceNodes": [{ node: "t1-cp-2", generation: 2 }] }), API_HOST);
        assert.strictEqual(planCluster(done, again, {}).steps.filter((s) => s.kind === "playbook" && s.playbook === "recover-control-plane.yml").length, 1);
        // Removing the section when done changes nothing either.
        assert.deepStrictEqual(planCluster(done, clusterState(specOf(BACKUP_STORAGE), API_HOST), {}).steps, []);
        const upgrade = clusterState(specOf({ ...request, "kubernetes.version": "1.34.2" }), API_HOST);
        assert.match(planCluster(clusterState(specOf(), API_HOST), upgrade, {}).refusal ?? "", /refusing to upgrade while recovering the control plane/);
    });

    it("takes the pre-upgrade etcd snapshot under a reason the etcd-backup CronJob files it by (pre-upgrade-<version>)", () => {
        const plan = planCluster(clusterState(specOf(), API_HOST), clusterState(specOf({ "kubernetes.version": "1.34.2" }), API_HOST), {});
        assert.deepStrictEqual(plan.steps[0], { kind: "etcd-snapshot", reason: "pre-upgrade-1-34-2", title: "etcd snapshot before the upgrade (pre-upgrade-1-34-2)" });
    });

    it("an unreachable node the stack file names is removed without a drain", () => {
        const before = specOf();
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-w-1", generation: 1 }], "operations.removeUnreachable": ["t1-w-1"] });
        const n = (s: typeof before) => s.nodes.find((x) => x.name === "t1-w-1")!;
        const gate = planGate([{ previous: machineState(before, n(before)), desired: machineState(after, n(after)) }], { drain: DRAIN });
        assert.deepStrictEqual(kinds(gate), ["record-boot", "playbook"]);
        assert.deepStrictEqual((gate.steps[1] as { extraVars: Record<string, unknown> }).extraVars.reset_nodes, false);
    });
});
