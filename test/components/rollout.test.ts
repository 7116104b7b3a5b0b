/**
 * The deployed record and the graph built from it (issue #13 items 3 and 5, #18 item 1, #16 item 5):
 * Day 1 creates every machine at once, machines that exist roll one control-plane node at a time and
 * workers by batch behind one barrier per batch (O(n) dependency edges), the next preview is clean, and
 * `pulumi preview` refuses what `pulumi up` would, with the runner's words.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadOfflineStack, PROJECT_ROOT } from "../../cli/stacks";
import { chainReport, longestPath, type ChainResource } from "../../bench/chain-graph";
import { generatedStack } from "../../bench/stacks";
import { addressRuns, deployedFromOutputs, deployedRecord, expandAddressRuns, DeployedRecordError, parseDeployedRecord, rangeNames } from "../../components/deployed";
import { planCluster } from "../../components/kubespray/planner";
import { clusterState, type ClusterState } from "../../components/kubespray/state";
import { loadClusterSpec, SpecError, withSecretStandIns } from "../../spec";
import type { OfflineRun, RecordedResource } from "../../offline/harness";
import { existingConfig, harvesterConfig, openstackConfig, vsphereConfig, withValue, type Config } from "../fixtures/configs";
import { diffRuns, runConfig } from "../helpers";

const VM_TYPES = ["openstack:compute/instance:Instance", "vsphere:index/virtualMachine:VirtualMachine", "kubernetes:kubevirt.io/v1:VirtualMachine"];
const byName = (run: OfflineRun, name: string) => run.resources.find((r) => r.type === "command:local:Command" && r.name === name)!;
const vms = (run: OfflineRun) => run.resources.filter((r) => VM_TYPES.includes(r.type));
const edges = (run: OfflineRun) => run.resources.reduce((total, r) => total + r.dependencies.length, 0);
/** The Kubespray commands (and barriers) among a resource's dependencies. */
const commandDependencies = (r: RecordedResource) => r.dependencies.filter((d) => d.includes("$command:local:Command::"));
const specOf = (config: Config) => loadClusterSpec(withSecretStandIns(config).values).spec;
/** The outputs of a `pulumi up` of this config: its deployed record. */
const deployedOutputs = (config: Config) => ({ deployed: deployedRecord(specOf(config)) });

/** The OpenStack fixture with `workers` workers in its pool. */
function sized(config: Config, workers: number, workerBatch: number | string): Config {
    return withValue(withValue(withValue(config, "infrastructure.workerPools[0].count", workers),
        "infrastructure.workerPools[0].addresses", { from: "10.0.0.20", to: "10.0.0.200" }), "operations.upgrade.workerBatch", workerBatch);
}

describe("Day 1 in parallel, rollouts in order (the deployed record)", function () {
    this.timeout(120_000);

    for (const [provider, config] of [["openstack", generatedStack("openstack", 12, { workerBatch: 1 })], ["vsphere", generatedStack("vsphere", 12, { workerBatch: 1 })], ["harvester", generatedStack("harvester", 12, { workerBatch: "20%" })]] as const) {
        it(`${provider}, Day 1: every machine is created at once (1 VM creation on the longest chain); its gate waits for nothing`, async () => {
            const run = await runConfig(config, { stack: "bench" });
            const report = chainReport(run.resources as unknown as ChainResource[], { provider, nodes: 15, runnerStartSeconds: 0.5 });
            assert.strictEqual(report.vms, 15);
            assert.strictEqual(report.vmCreationsInSequence, 1);
            for (const vm of vms(run)) {
                const node = vm.name.split("/").pop()!;
                const gate = byName(run, `${node}-gate`);
                assert.ok(vm.dependencies.includes(gate.urn), `${node}: the machine still comes after its own gate`);
                assert.deepStrictEqual(commandDependencies(gate), [], `${node}: a new node's gate waits for no command (not the Kubespray checkout)`);
            }
            // Nothing a machine waits for takes long: no Kubespray command but its own gate, no Kubernetes object.
            const machineChain = longestPath(run.resources as unknown as ChainResource[], (r) => (VM_TYPES.includes(r.type) ? 1000 : r.type === "command:local:Command" ? 1 : 0));
            assert.ok(machineChain.total < 2000 && machineChain.total >= 1000, `${machineChain.total}`);
        });
    }

    it("a new node's gate and ready return at once: no Kubespray checkout, inventory, lock or cluster needed (the runner, compiled)", () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "runner-new-"));
        const desired = JSON.stringify({ kind: "machine", v: 2, node: { name: "t1-w-9", address: "10.0.0.29", role: "worker" }, replaceHash: "a", restartHash: "b", restartAppliedBy: "provider", ungraceful: false });
        for (const operation of ["gate", "ready"]) {
            const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "dist", "components", "kubespray", "runner", "main.js"), operation], {
                encoding: "utf8", input: "",
                env: { PATH: process.env.PATH, KUBESPRAY_HOME: home, KUBESPRAY_STACK: "s", KUBESPRAY_COMMAND: `t1-w-9-${operation}`, KUBESPRAY_DESIRED: desired },
            });
            assert.strictEqual(result.status, 0, result.stderr);
            assert.strictEqual(result.stdout.trim(), desired);
        }
        assert.deepStrictEqual(fs.readdirSync(home), ["s"], "no release prepared");
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("Day 2: existing control-plane nodes one at a time, then workers by batch behind one barrier per batch", async () => {
        const config = sized(openstackConfig(), 10, "20%");
        const run = await runConfig(config, { stack: "rollout", previousOutputs: deployedOutputs(config) });
        const urn = (name: string) => byName(run, name).urn;
        assert.deepStrictEqual(byName(run, "t1-cp-1-gate").dependencies.filter((d) => d.includes("-ready") || d.includes("-batch-")), []);
        assert.ok(byName(run, "t1-cp-2-gate").dependencies.includes(urn("t1-cp-1-ready")));
        assert.ok(byName(run, "t1-cp-3-gate").dependencies.includes(urn("t1-cp-2-ready")));
        for (const w of [1, 2]) assert.ok(byName(run, `t1-w-${w}-gate`).dependencies.includes(urn("t1-cp-3-ready")));
        // 10 workers in batches of 2: 4 barriers, each waiting for the batch's readies and the barrier before.
        assert.deepStrictEqual([...byName(run, "t1-workers-batch-1").dependencies].sort(), [urn("t1-cp-3-ready"), urn("t1-w-1-ready"), urn("t1-w-2-ready")].sort());
        assert.deepStrictEqual([...byName(run, "t1-workers-batch-2").dependencies].sort(), [urn("t1-workers-batch-1"), urn("t1-w-3-ready"), urn("t1-w-4-ready")].sort());
        for (const w of [3, 4]) {
            const rollout = byName(run, `t1-w-${w}-gate`).dependencies.filter((d) => d.includes("-ready") || d.includes("-batch-"));
            assert.deepStrictEqual(rollout, [urn("t1-workers-batch-1")], "one edge to the rollout, not one per node of the batch before");
        }
        assert.ok(!run.resources.some((r) => r.name === "t1-workers-batch-5"), "no barrier after the last batch");
        assert.deepStrictEqual(byName(run, "t1-workers-batch-1").inputs, {}, "a barrier runs nothing");
        const instance = run.resources.find((r) => r.type === VM_TYPES[0] && r.name === "t1-w-3")!;
        assert.ok(instance.dependencies.includes(urn("t1-w-3-gate")));
    });

    it("existing hosts: no machines, so no gates, readies or barriers, on Day 1 or after", async () => {
        const config = generatedStack("existing", 12, { workerBatch: "20%" });
        const run = await runConfig(config, { stack: "bench", previousOutputs: { deployed: deployedRecord(specOf(config)) } });
        assert.deepStrictEqual(run.resources.filter((r) => /-(gate|ready)$|-workers-batch-\d+$/.test(r.name)).map((r) => r.name), []);
        assert.deepStrictEqual(commandDependencies(byName(run, "bench-cluster")).map((d) => d.split("::").pop()), ["bench-kubespray-prepare"]);
    });

    it("dependency edges grow linearly with the workers (one barrier per batch, not every ready of the batch before)", async () => {
        const counts: number[] = [];
        for (const workers of [10, 40]) {
            const config = sized(openstackConfig(), workers, "20%");
            const run = await runConfig(config, { stack: "rollout", previousOutputs: deployedOutputs(config) });
            counts.push(edges(run) / (workers + 3));
            assert.ok(Math.max(...run.resources.filter((r) => r.name.endsWith("-gate")).map((r) => commandDependencies(r).length)) <= 3, "a gate: prepare, the key rollout, one step of the rollout");
        }
        assert.ok(Math.abs(counts[1] - counts[0]) / counts[0] < 0.15, `edges per node ${counts.join(" → ")}`);
    });

    it("the preview after Day 1 is clean: turning new nodes into existing ones changes dependencies only, no input", async () => {
        for (const config of [sized(openstackConfig(), 10, "20%"), harvesterConfig(), vsphereConfig(), existingConfig()]) {
            const dayOne = await runConfig(config, { stack: "rollout" });
            const dayTwo = await runConfig(config, { stack: "rollout", previousOutputs: dayOne.outputs });
            assert.deepStrictEqual(diffRuns(dayOne, dayTwo), { added: [], removed: [], changed: [] });
            assert.deepStrictEqual(dayTwo.outputs.deployed, dayOne.outputs.deployed, "the record of an unchanged stack stays the same");
        }
    });

    it("a pool growing by k: the k new machines are created at once; existing nodes keep their order", async () => {
        const before = sized(openstackConfig(), 4, 1);
        const after = sized(openstackConfig(), 8, 1);
        const run = await runConfig(after, { stack: "rollout", previousOutputs: deployedOutputs(before) });
        for (const w of [5, 6, 7, 8]) assert.deepStrictEqual(commandDependencies(byName(run, `t1-w-${w}-gate`)), []);
        assert.ok(byName(run, "t1-w-4-gate").dependencies.includes(byName(run, "t1-w-3-ready").urn));
        const created = ["t1-w-5", "t1-w-6", "t1-w-7", "t1-w-8"];
        const chain = longestPath(run.resources as unknown as ChainResource[], (r) => (VM_TYPES.includes(r.type) && created.includes(r.name) ? 1 : 0));
        assert.strictEqual(chain.total, 1, "no new machine waits for another machine");
    });

    it("a stale record (a failed update): a node it lacks still has its machine behind its own gate, so a replacement drains first", async () => {
        const config = openstackConfig();
        const record = deployedRecord(specOf(config));
        const stale = { ...record, workers: ["t1-w-1"], machineOf: record.machineOf.slice(0, 4), addresses: addressRuns(expandAddressRuns(record.addresses!).slice(0, 4)) };
        const run = await runConfig(withValue(config, "operations.replaceNodes", [{ node: "t1-w-2", generation: 1 }]), { stack: "rollout", previousOutputs: { deployed: stale } });
        const instance = run.resources.find((r) => r.type === VM_TYPES[0] && r.name === "t1-w-2")!;
        assert.ok(instance.dependencies.includes(byName(run, "t1-w-2-gate").urn));
    });
});

describe("the deployed record", () => {
    it("is read through a StackReference to the stack itself before anything is registered", async () => {
        let registered = 0;
        const { runOffline } = await import("../../offline/harness");
        const { defineCluster, projectConfig } = await import("../../components/program");
        await assert.rejects(runOffline(withSecretStandIns(openstackConfig()).values, () => defineCluster(projectConfig()), {
            previousOutputs: { deployed: { format: 1, cluster: "t1" } }, onRegistered: () => registered++,
        }), /the stack output deployed is not a record this program wrote \(kubernetesVersion: /);
        assert.strictEqual(registered, 0, "no resource before the record is read and checked");
        await assert.rejects(runConfig(openstackConfig(), { previousOutputs: { deployed: { ...deployedRecord(specOf(openstackConfig())), format: 3 } } }), /format 3, written by a newer version of this program/);
    });

    it("is compact at 3+3,000 workers, and bounded for 3,003 existing hosts whose names form no range", () => {
        const generated = deployedRecord(specOf(generatedStack("openstack", 3000)));
        assert.ok(JSON.stringify(generated).length < 8 * 1024, `${JSON.stringify(generated).length} bytes`);
        assert.deepStrictEqual(generated.workers, ["bench-w1-[1-1000]", "bench-w2-[1-1000]", "bench-w3-[1-1000]"]);
        assert.strictEqual(deployedFromOutputs({ deployed: generated }).nodes.size, 3003);
        const names = Array.from({ length: 3003 }, (_, i) => `host-${"abcdefghij"[i % 10]}${i.toString(36)}-${"x".repeat(40)}`);
        const listed = rangeNames(names);
        assert.deepStrictEqual([...listed].sort(), [...names].sort(), "names that form no range are listed as they are");
        assert.ok(JSON.stringify(listed).length < 256 * 1024);
        assert.deepStrictEqual(rangeNames(["w-1", "w-2", "w-3", "w-5", "x", "w-7", "w-6"]), ["w-[1-3]", "w-[5-7]", "x"]);
    });

    it("refuses a record that is not one (ranges that run backwards or past the node limit)", () => {
        const base = deployedRecord(specOf(openstackConfig()));
        assert.throws(() => parseDeployedRecord({ ...base, workers: ["t1-w-[9-2]"] }), /runs backwards/);
        assert.throws(() => parseDeployedRecord({ ...base, workers: ["t1-w-[1-9999999]"] }), /more nodes than a cluster can have/);
        assert.throws(() => parseDeployedRecord({ ...base, machineOf: [0] }), DeployedRecordError);
    });

    it("a stack updated by a program older than the record: nodes and version from its nodes and kubernetesVersion outputs", async () => {
        const config = sized(openstackConfig(), 4, 1);
        const old = await runConfig(config, { stack: "rollout" });
        const legacy = { nodes: old.outputs.nodes, kubernetesVersion: old.outputs.kubernetesVersion, cluster: old.outputs.cluster };
        const deployed = deployedFromOutputs(legacy);
        assert.strictEqual(deployed.source, "legacy-outputs");
        assert.ok(deployed.has("t1-w-4") && deployed.identity("t1-w-4") === undefined);
        const run = await runConfig(config, { stack: "rollout", previousOutputs: legacy });
        assert.ok(byName(run, "t1-w-2-gate").dependencies.includes(byName(run, "t1-w-1-ready").urn), "its nodes are rolled in order");
    });

    it("warnings the program logs are collected into the run, not printed", async () => {
        const { backup: _storage, ...withoutBackup } = loadOfflineStack("dev-openstack").values;
        const run = await runConfig(withoutBackup);
        assert.ok(run.warnings.some((w) => /^services\.etcd-backup: is on by default but backup\.storage is not set/.test(w)), run.warnings.join("\n"));
    });
});

describe("preview refuses what pulumi up would refuse, with the runner's words", function () {
    this.timeout(60_000);
    const config = openstackConfig();
    const deployedAt = (edit: (record: ReturnType<typeof deployedRecord>) => Record<string, unknown>) => ({ deployed: edit(deployedRecord(specOf(config))) });
    const runnerRefusal = (previous: Partial<ClusterState>) => {
        const desired = clusterState(specOf(config), "10.0.0.5");
        return planCluster({ ...desired, ...previous }, desired, {}).refusal!;
    };

    for (const [what, record, previous] of [
        ["a two-minor upgrade", { kubernetesVersion: "1.31.4" }, { kubernetesVersion: "1.31.4" }],
        ["a Kubernetes downgrade", { kubernetesVersion: "1.34.1" }, { kubernetesVersion: "1.34.1" }],
        ["a skipped Kubespray release", { kubesprayVersion: "2.29.1" }, { kubesprayVersion: "2.29.1" }],
        ["a Kubespray downgrade", { kubesprayVersion: "2.32.0" }, { kubesprayVersion: "2.32.0" }],
    ] as const) {
        it(`${what}: preview and the offline plan stop before any resource, with the message the runner prints`, async () => {
            const message = runnerRefusal(previous);
            assert.match(message, /^refusing to /);
            for (const preview of [true, false]) {
                await assert.rejects(runConfig(config, { preview, previousOutputs: deployedAt((r) => ({ ...r, ...record })) }), (error: Error) => error.message === message);
            }
        });
    }

    it("removing every control-plane node (a renamed cluster renames every node): refused, same words as the runner", async () => {
        const previous = deployedAt((r) => ({ ...r, controlPlane: ["old-cp-1", "old-cp-2", "old-cp-3"] }));
        const desired = clusterState(specOf(config), "10.0.0.5");
        const message = planCluster({ ...desired, controlPlane: ["old-cp-1", "old-cp-2", "old-cp-3"].map((name) => ({ name, address: "10.0.0.9" })) }, desired, {}).refusal!;
        assert.strictEqual(message, "refusing to remove every control-plane node; keep at least one");
        await assert.rejects(runConfig(config, { preview: true, previousOutputs: previous }), (error: Error) => error.message === message);
    });

    it("a pending control-plane recovery with an upgrade: refused as the cluster command refuses it; once recovered, the upgrade goes", async () => {
        const recovering = withValue(withValue(config, "operations.recoverControlPlane", { broken: ["t1-cp-2"] }), "kubernetes.version", "1.34.2");
        const previous = clusterState(specOf(config), "10.0.0.5");
        const message = planCluster(previous, clusterState(specOf(recovering), "10.0.0.5"), {}).refusal!;
        assert.match(message, /^refusing to upgrade while recovering the control plane/);
        await assert.rejects(runConfig(recovering, { preview: true, previousOutputs: deployedAt((r) => ({ ...r })) }), (error: Error) => error.message === message);
        // The recovery ran (the record has its digest): the same request is no longer pending.
        const recovered = deployedRecord(specOf(withValue(config, "operations.recoverControlPlane", { broken: ["t1-cp-2"] })));
        assert.ok(recovered.recover);
        await runConfig(recovering, { preview: true, previousOutputs: { deployed: recovered } });
    });

    it("a one-minor upgrade, or the same versions, is not refused", async () => {
        await runConfig(withValue(config, "kubernetes.version", "1.34.2"), { preview: true, previousOutputs: deployedAt((r) => ({ ...r })) });
    });
});

describe("teardown is deliberate (production stacks)", function () {
    this.timeout(60_000);
    const production = (config: Config) => withValue(config, "meta.environment", "production");
    const protectedNames = (run: OfflineRun, filter: (r: RecordedResource) => boolean = () => true) => run.resources.filter((r) => r.options.protect && filter(r)).map((r) => r.name).sort();

    it("protects machines, their ports and volumes, the node network and the cluster command; nothing in other environments", async () => {
        const config = withValue(production(openstackConfig()), "infrastructure.workerPools[0].dataVolumes", [{ name: "data", sizeGiB: 50 }]);
        const run = await runConfig(config);
        assert.deepStrictEqual(protectedNames(run), [
            "t1-cluster", "t1-cp-1", "t1-cp-1", "t1-cp-2", "t1-cp-2", "t1-cp-3", "t1-cp-3",
            "t1-network", "t1-router", "t1-subnet",
            "t1-w-1", "t1-w-1", "t1-w-1-data", "t1-w-2", "t1-w-2", "t1-w-2-data",
        ]);
        assert.deepStrictEqual(protectedNames(await runConfig(openstackConfig())), []);
        for (const other of [production(harvesterConfig()), production(vsphereConfig())]) {
            const names = protectedNames(await runConfig(other));
            assert.ok(names.includes("t3-cluster") || names.includes("t2-cluster"));
            assert.ok(names.some((n) => /cp-1$/.test(n)), names.join(", "));
        }
    });

    it("a machine being replaced in this run is registered unprotected (the engine allows unprotect and replace in one update)", async () => {
        const config = production(openstackConfig());
        const run = await runConfig(withValue(config, "operations.replaceNodes", [{ node: "t1-w-2", generation: 1 }]), { previousOutputs: deployedOutputs(config) });
        const instances = (name: string) => run.resources.filter((r) => r.type === VM_TYPES[0] && r.name === name);
        assert.strictEqual(instances("t1-w-2")[0].options.protect, false);
        assert.strictEqual(instances("t1-w-1")[0].options.protect, true);
    });

    it("operations.decommission: confirm must be this cluster's name and lifts everything, loudly; nodes lifts those nodes", async () => {
        const config = production(openstackConfig());
        const lifted = await runConfig(withValue(config, "operations.decommission", { confirm: "t1" }));
        assert.deepStrictEqual(protectedNames(lifted), []);
        assert.ok(lifted.warnings.some((w) => /DECOMMISSIONING cluster t1/.test(w)), lifted.warnings.join("\n"));
        assert.throws(() => specOf(withValue(config, "operations.decommission", { confirm: "t2" })), (error: SpecError) =>
            /operations\.decommission\.confirm: is "t2", which is not this cluster's meta\.name/.test(error.message));
        const nodes = await runConfig(withValue(config, "operations.decommission", { nodes: ["t1-w-2"] }));
        assert.ok(!protectedNames(nodes).includes("t1-w-2") && protectedNames(nodes).includes("t1-w-1"));
        assert.ok(nodes.warnings.some((w) => /the machines, ports and volumes of t1-w-2 lose their protection/.test(w)));
    });
});
