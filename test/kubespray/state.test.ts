/**
 * The commands' states stay small at fleet scale: `@pulumi/command` hands the previous stdout (the
 * state) and the new KUBESPRAY_DESIRED to the next run as single environment strings, and Linux refuses
 * one of 128 KiB or more (E2BIG).
 */
import * as assert from "assert";
import { clusterState, compactNames, machineState, nameSet, PLAIN_NAMES_LIMIT, workersState, type WorkersState } from "../../components/kubespray/state";
import { API_HOST, specOf } from "./cases";

const E2BIG = 128 * 1024;

describe("Kubespray command states", () => {
    it("3 control-plane nodes and 3,000 workers: every state far below 128 KiB (measured)", () => {
        const spec = specOf({
            "infrastructure.network.subnet": "10.0.0.0/18",
            // Calico gives every node a /26 block: 3,003 nodes need a /14.
            "kubernetes.podSubnet": "10.64.0.0/14",
            "infrastructure.workerPools": ["a", "b", "c"].map((name, i) => ({ name, count: 1000, size: "m1.xlarge", addresses: { from: `10.0.${16 + 4 * i}.1`, to: `10.0.${19 + 4 * i}.254` } })),
        });
        assert.strictEqual(spec.nodes.length, 3003);
        const sizes = {
            cluster: JSON.stringify(clusterState(spec, API_HOST)).length,
            workers: JSON.stringify(workersState(spec)).length,
            machine: Math.max(...spec.nodes.map((n) => JSON.stringify(machineState(spec, n)).length)),
        };
        assert.ok(sizes.cluster < 2048 && sizes.workers < 512 && sizes.machine < 512, JSON.stringify(sizes));
        assert.deepStrictEqual(workersState(spec).pools.b.nodes, ["t1-b-[1-1000]"]);
    });

    it("3,000 existing hosts with 63-character names that form no ranges: digests keep the pool under 48 KiB (14 bytes a host)", () => {
        const names = Array.from({ length: 3000 }, (_, i) => `host-${String.fromCharCode(97 + (i % 26))}${"x".repeat(50)}-${i.toString(36)}z`.slice(0, 63));
        const entries = compactNames(names);
        const state: WorkersState = { kind: "workers", v: 2, pools: { workers: { nodes: entries, labels: "0" } }, ungraceful: [] };
        const size = JSON.stringify(state).length;
        assert.ok(size < 48 * 1024 && size < E2BIG / 2, `${size} bytes`);
        const set = nameSet(entries);
        assert.ok(names.every((n) => set.has(n)) && !set.has("host-not-there"));
    });

    it("compact names: numbered ranges, plain names below the limit, membership exact", () => {
        const entries = compactNames(["c-w-1", "c-w-2", "c-w-3", "c-w-5", "gpu-a", "c-w-10", "c-w-11", "c-x-07"]);
        assert.deepStrictEqual(entries, ["c-w-[1-3]", "c-w-[10-11]", "c-w-5", "c-x-07", "gpu-a"]);
        const set = nameSet(entries);
        assert.deepStrictEqual([...set.listed].sort(), ["c-w-1", "c-w-10", "c-w-11", "c-w-2", "c-w-3", "c-w-5", "c-x-07", "gpu-a"]);
        assert.ok(!set.has("c-w-4") && !set.has("c-w-12") && set.has("c-x-07") && !set.has("c-x-7"));
        assert.ok(JSON.stringify(compactNames(["a", "b"])).length < PLAIN_NAMES_LIMIT);
    });

    it("the configuration digest does not depend on key order, only on meaning", () => {
        const a = clusterState(specOf({ "kubespray.extraVars": { kube_log_level: 1, kube_memory_reserved: "256Mi" } }), API_HOST);
        const b = clusterState(specOf({ "kubespray.extraVars": { kube_memory_reserved: "256Mi", kube_log_level: 1 } }), API_HOST);
        assert.deepStrictEqual(a, b);
        assert.notStrictEqual(clusterState(specOf({ "kubespray.extraVars": { kube_memory_reserved: "512Mi", kube_log_level: 1 } }), API_HOST).configHash, a.configHash);
    });
});
