/**
 * The benchmark's own tools: the replay must send the engine exactly what the program sends (or the
 * "program / replay" figure measures nothing), the state estimate must count what it says, and the
 * longest-chain computation must follow the engine's waiting rules. No timings are asserted.
 */
import * as assert from "assert";
import { chainReport, clusterYmlSeconds, longestPath, predecessors, schedule, type ChainResource } from "../bench/chain-graph";
import { rolloutEstimate } from "../bench/rollout";
import { replayResources, resolveClasses } from "../bench/replay";
import { captureRegistrations, estimateState, graphCounts, type ResourceSet } from "../bench/resource-set";
import { generatedStack, poolCounts } from "../bench/stacks";
import { defineCluster, projectConfig } from "../components/program";
import { runOffline } from "../offline/harness";
import { PROJECT } from "../spec";

async function record(program: () => Record<string, unknown> | Promise<Record<string, unknown>>, config: Record<string, unknown>): Promise<ResourceSet> {
    let capture: ReturnType<typeof captureRegistrations> | undefined;
    await runOffline(config, () => {
        capture = captureRegistrations(PROJECT, "bench");
        return program();
    }, { stack: "bench" });
    return capture!.finish();
}

/** A set in comparable form: by URN, with indices turned back into URNs. */
function comparable(set: ResourceSet) {
    const urn = (i: number) => set.resources[i].urn;
    return set.resources.map((r) => ({
        urn: r.urn, type: r.type, custom: r.custom,
        parent: r.parent === undefined ? r.parentUrn : urn(r.parent),
        provider: r.provider === undefined ? undefined : urn(r.provider),
        inputs: r.inputs,
        dependencies: r.dependencies.map(urn).sort(),
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).filter(([, d]) => d.length).map(([k, d]) => [k, d.map(urn).sort()]).sort()),
        options: r.options,
    })).sort((a, b) => (a.urn < b.urn ? -1 : 1));
}

describe("bench: replay of the program's resource set", () => {
    for (const provider of ["openstack", "harvester", "vsphere"] as const) {
        it(`${provider}: the engine receives the same registrations from the replay as from the program`, async () => {
            const program = await record(() => defineCluster(projectConfig()), generatedStack(provider, 3, { workerBatch: 2 }));
            const replayed = await record(() => {
                replayResources(program, resolveClasses(program));
                return {};
            }, {});
            assert.ok(program.resources.length > 50);
            assert.deepStrictEqual(comparable(replayed), comparable(program));
        });
    }
});

describe("bench: dependency edges and state size", () => {
    const set: ResourceSet = {
        project: "clusters", stack: "s",
        resources: [
            { urn: "urn:a", type: "t:m:A", name: "a", custom: true, inputs: { x: 1 }, outputs: { x: 1 }, dependencies: [], propertyDependencies: {}, options: { deleteBeforeReplace: false, replaceOnChanges: [], ignoreChanges: [], additionalSecretOutputs: [], protect: false, retainOnDelete: false } },
            {
                urn: "urn:b", type: "t:m:B", name: "b", custom: true, parent: 0,
                inputs: { key: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2-plaintext" } }, outputs: {},
                dependencies: [0], propertyDependencies: { key: [0] },
                options: { deleteBeforeReplace: false, replaceOnChanges: [], ignoreChanges: [], additionalSecretOutputs: [], protect: false, retainOnDelete: false },
            },
        ],
    };

    it("counts dependency, property-dependency and parent edges", () => {
        const counts = graphCounts(set);
        assert.deepStrictEqual([counts.resources, counts.dependencyEdges, counts.propertyDependencyEdges, counts.parentEdges], [2, 1, 1, 1]);
        assert.deepStrictEqual(counts.widest, { edges: 1, type: "t:m:B", name: "b" });
    });

    it("sizes each resource as a checkpoint entry; the dependency share is the dependency lists' JSON", () => {
        const state = estimateState(set);
        assert.strictEqual(state.dependencyBytes, JSON.stringify({ dependencies: [], propertyDependencies: {} }).length + JSON.stringify({ dependencies: ["urn:a"], propertyDependencies: { key: ["urn:a"] } }).length);
        assert.ok(state.bytes > state.dependencyBytes + state.propertyBytes, "urn, type, provider, timestamps come on top");
        assert.ok(state.indentedBytes > state.bytes);
        // The secret is sized as ciphertext: longer than its plaintext.
        const plain = estimateState({ ...set, resources: [set.resources[0], { ...set.resources[1], inputs: { key: "hunter2-plaintext" } }] });
        assert.ok(state.propertyBytes > plain.propertyBytes);
    });
});

describe("bench: Day 1's longest chain", () => {
    const r = (name: string, type: string, dependencies: string[] = [], extra: Partial<ChainResource> = {}): ChainResource => ({ urn: name, type, name, custom: true, dependencies, ...extra });
    const VM = "openstack:compute/instance:Instance";

    it("waits for dependencies, a custom parent and the provider; a component stands for everything below it", () => {
        const resources = [
            { urn: "comp", type: "x:index:Component", name: "comp", custom: false, dependencies: [] },
            r("inside", "x:m:R", [], { parent: "comp" }),
            r("provider", "pulumi:providers:kubernetes"),
            r("parent", "x:m:P"),
            r("child", "x:m:C", ["comp"], { parent: "parent", options: { provider: "provider::id-1" } }),
        ];
        assert.deepStrictEqual(predecessors(resources).get("child")!.sort(), ["inside", "parent", "provider"]);
    });

    it("finds the heaviest path, and counts VM creations that wait for one another", () => {
        // vm1 → gate → vm2 → vm3, and vm4 alone: 3 of 4 in sequence.
        const resources = [r("vm1", VM), r("gate", "command:local:Command", ["vm1"]), r("vm2", VM, ["gate"]), r("vm3", VM, ["vm2"]), r("vm4", VM)];
        const vmChain = longestPath(resources, (x) => (x.type === VM ? 1 : 0));
        assert.strictEqual(vmChain.total, 3);
        assert.deepStrictEqual(vmChain.path.map((x) => x.name), ["vm1", "gate", "vm2", "vm3"]);
        assert.throws(() => longestPath([r("a", "x:m:R", ["b"]), r("b", "x:m:R", ["a"])], () => 1), /cycle/);
    });

    it("schedules with at most P operations at once: unbounded is the longest path, one at a time the sum", () => {
        // a(3) → c(1); b(2); d(4): longest path 4, sum 10; with 2 slots: a and b, then d when b ends at 2 (2–6), c at 3 (3–4): 6.
        const resources = [r("a", "x:m:R"), r("b", "x:m:R"), r("c", "x:m:R", ["a"]), r("d", "x:m:R")];
        const seconds = { a: 3, b: 2, c: 1, d: 4 } as Record<string, number>;
        const weight = (x: ChainResource) => seconds[x.name];
        assert.strictEqual(schedule(resources, weight).seconds, longestPath(resources, weight).total);
        assert.strictEqual(schedule(resources, weight, 1).seconds, 10);
        assert.deepStrictEqual(schedule(resources, weight, 2), { seconds: 6, peakInFlight: 2 });
        assert.throws(() => schedule([r("a", "x:m:R", ["b"]), r("b", "x:m:R", ["a"])], () => 1), /cycle/);
    });

    it("Day 2: a new image makes each worker's gate and ready run remove-node.yml, facts.yml and scale.yml for it alone", () => {
        // The runner's planner, per node (bench/rollout.ts): 5 batches of 4 workers still mean 20 × 3 runs, one after another.
        const workers = rolloutEstimate(20, "20%").find((row) => row.part === "workers")!;
        assert.strictEqual(workers.batches, 5);
        assert.strictEqual(workers.kubesprayRuns, 60);
        assert.deepStrictEqual(workers.runs.map((run) => [run.playbook, run.runs, run.actsOn, run.factsFrom]), [
            ["remove-node.yml", 20, 1, 23], ["playbooks/facts.yml", 20, 23, 23], ["scale.yml", 20, 1, 1],
        ]);
    });

    it("interpolates cluster.yml times between the reported points", () => {
        assert.strictEqual(clusterYmlSeconds(6), 19 * 60);
        assert.strictEqual(clusterYmlSeconds(150), 65 * 60);
        assert.strictEqual(clusterYmlSeconds(100), 50 * 60);
        assert.ok(clusterYmlSeconds(1003) > clusterYmlSeconds(350));
    });

    it("reports the real program's graph: every VM counted, the chain no longer than the VMs", async () => {
        const run = await runOffline(generatedStack("openstack", 4, { workerBatch: 1 }), () => defineCluster(projectConfig()), { stack: "bench" });
        const report = chainReport(run.resources, { provider: "openstack", nodes: 7, runnerStartSeconds: 0.5 });
        assert.strictEqual(report.vms, 7);
        assert.ok(report.vmCreationsInSequence >= 1 && report.vmCreationsInSequence <= report.vms);
        assert.ok(report.seconds >= clusterYmlSeconds(7), "the install is on the longest chain");
    });
});

describe("bench: generated stacks", () => {
    it("split workers into pools of at most 1,000", () => {
        assert.deepStrictEqual(poolCounts(2500), [1000, 1000, 500]);
        assert.deepStrictEqual(poolCounts(1000), [1000]);
    });
});
