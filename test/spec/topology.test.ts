import * as assert from "assert";
import * as fc from "fast-check";
import { loadClusterSpec, planNodes, type PlannedNode } from "../../spec";
import { openstackConfig, withValue } from "../fixtures/configs";

/** A config with three worker pools in disjoint /24-style blocks, counts as given. */
function configWith(counts: readonly number[]) {
    let config = withValue(openstackConfig(), "infrastructure.network.subnet", "10.0.0.0/16");
    config = withValue(config, "infrastructure.network.gateway", "10.0.0.1");
    config = withValue(config, "infrastructure.workerPools", counts.map((count, i) => ({
        name: `p${i}`, count, size: "m1", addresses: { from: `10.0.${i + 1}.1`, to: `10.0.${i + 1}.250` },
    })));
    return config;
}

const byName = (nodes: readonly PlannedNode[]) => new Map(nodes.map((n) => [n.name, n]));

describe("topology", () => {
    it("names nodes <cluster>-<pool>-<n> and takes addresses from the pool's block", () => {
        const { spec } = loadClusterSpec(openstackConfig());
        assert.deepStrictEqual(spec.nodes.map((n) => `${n.name}=${n.address}`), [
            "t1-cp-1=10.0.0.10", "t1-cp-2=10.0.0.11", "t1-cp-3=10.0.0.12", "t1-w-1=10.0.0.20", "t1-w-2=10.0.0.21",
        ]);
    });

    it("takes addresses from explicit lists by position within the pool", () => {
        const config = withValue(openstackConfig(), "infrastructure.workerPools[0].addresses", ["10.0.0.50", "10.0.0.40", "10.0.0.45"]);
        const { spec } = loadClusterSpec(config);
        assert.deepStrictEqual(spec.nodes.filter((n) => n.pool === "w").map((n) => n.address), ["10.0.0.50", "10.0.0.40"]);
    });

    it("changing one pool's count never changes another node (property)", () => {
        const counts = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 3, maxLength: 3 });
        fc.assert(fc.property(counts, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 30 }), (before, pool, newCount) => {
            const after = [...before];
            after[pool] = newCount;
            const old = byName(planNodes(loadClusterSpec(configWith(before)).spec as never));
            const now = byName(planNodes(loadClusterSpec(configWith(after)).spec as never));
            for (const [name, node] of now) {
                if (node.pool !== `p${pool}`) {
                    assert.deepStrictEqual(node, old.get(name), `${name} changed`);
                }
            }
            for (const [name, node] of old) {
                if (node.pool !== `p${pool}`) {
                    assert.ok(now.has(name), `${name} disappeared`);
                }
            }
        }), { numRuns: 150 });
    });

    it("shrinking a pool removes its highest-numbered nodes (property)", () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), (from, to) => {
            const nodesOf = (count: number) => loadClusterSpec(configWith([count, 2, 2])).spec.nodes.filter((n) => n.pool === "p0");
            const before = nodesOf(from);
            const after = nodesOf(Math.min(from, to));
            assert.deepStrictEqual(after, before.slice(0, after.length));
            assert.deepStrictEqual(before.slice(after.length).map((n) => n.index), Array.from({ length: before.length - after.length }, (_, i) => after.length + i + 1));
        }), { numRuns: 100 });
    });

    it("gives the same spec for the same input (determinism)", () => {
        const a = loadClusterSpec(configWith([3, 4, 5]));
        const b = loadClusterSpec(configWith([3, 4, 5]));
        assert.strictEqual(JSON.stringify(a.spec), JSON.stringify(b.spec));
    });

    it("marks replaced nodes with their generation and nothing else", () => {
        const config = withValue(openstackConfig(), "operations.replaceNodes", [{ node: "t1-w-2", generation: 2 }]);
        const nodes = loadClusterSpec(config).spec.nodes;
        assert.deepStrictEqual(nodes.map((n) => n.generation), [0, 0, 0, 0, 2]);
    });
});
