import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { plan } from "../cli/plan";
import { listStacks, loadOfflineStack } from "../cli/stacks";
import { runStack, strings } from "./helpers";

const EXPECTED_COMPONENTS: Record<string, string[]> = {
    "dev-openstack": ["clusters:index:Cluster", "clusters:keys:ClusterKeys", "clusters:openstack:Infrastructure"],
    "prod-vsphere": ["clusters:index:Cluster", "clusters:keys:ClusterKeys", "clusters:vsphere:Infrastructure"],
    "enclave-harvester": ["clusters:harvester:Infrastructure", "clusters:index:Cluster", "clusters:keys:ClusterKeys"],
    "edge-existing": ["clusters:existing:Hosts", "clusters:index:Cluster", "clusters:keys:ClusterKeys"],
};

describe("example stacks", () => {
    it("are the four bundled clusters", () => {
        assert.deepStrictEqual(listStacks(), Object.keys(EXPECTED_COMPONENTS).sort());
    });

    for (const stack of Object.keys(EXPECTED_COMPONENTS)) {
        describe(stack, () => {
            it("is valid", () => {
                const { loaded } = loadOfflineStack(stack);
                assert.strictEqual(loaded.spec.meta.name.length > 0, true);
            });

            it("records the expected components, each child parented", async () => {
                const run = await runStack(stack);
                const components = run.resources.filter((r) => !r.custom).map((r) => r.type);
                for (const expected of EXPECTED_COMPONENTS[stack]) {
                    assert.ok(components.includes(expected), `${expected} missing from ${components.join(", ")}`);
                }
                const urns = new Set(run.resources.map((r) => r.urn));
                for (const resource of run.resources.filter((r) => r.type !== "clusters:index:Cluster")) {
                    assert.ok(resource.parent && urns.has(resource.parent), `${resource.name} has a recorded parent`);
                }
            });

            it("gives identical inputs on two evaluations (determinism)", async () => {
                const first = await runStack(stack);
                const second = await runStack(stack);
                assert.strictEqual(JSON.stringify(second.resources.map((r) => [r.urn, r.rawInputs, r.dependencies])), JSON.stringify(first.resources.map((r) => [r.urn, r.rawInputs, r.dependencies])));
            });

            it("plans offline into out/<stack>/ with no secret in clear", async () => {
                const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
                const result = await plan(loadOfflineStack(stack), out);
                const resources = JSON.parse(fs.readFileSync(path.join(result.outDir, "resources.json"), "utf8"));
                assert.ok(Array.isArray(resources) && resources.length === result.resources.length);
                assert.deepStrictEqual(Object.keys(resources[0]).sort(), ["dependencies", "inputs", "name", "parent", "type", "urn"]);
                const markdown = fs.readFileSync(path.join(result.outDir, "plan.md"), "utf8");
                assert.match(markdown, /```mermaid\nflowchart TB/);
                const run = await runStack(stack);
                const secretValues = run.resources.flatMap((r) => r.secretPaths.map((p) => p.split(".").reduce<any>((v, k) => v?.[k], r.rawInputs))).flatMap(strings).filter((s) => s.length > 8);
                for (const file of result.files) {
                    const text = fs.readFileSync(path.join(result.outDir, file), "utf8");
                    assert.ok(!text.includes("offline-stand-in"), `${file} holds a stand-in secret`);
                    assert.ok(!/BEGIN (OPENSSH )?PRIVATE KEY/.test(text), `${file} holds a private key`);
                    for (const value of secretValues) {
                        assert.ok(!text.includes(value), `${file} holds a secret value`);
                    }
                }
                fs.rmSync(out, { recursive: true, force: true });
            });
        });
    }
});

describe("preview of a new cluster (unknown outputs, as pulumi preview sees them)", () => {
    for (const stack of ["dev-openstack", "enclave-harvester"]) {
        it(`${stack} registers every resource even while the kubeconfig and addresses are unknown`, async () => {
            const preview = await runStack(stack, { preview: true });
            const up = await runStack(stack);
            assert.deepStrictEqual(preview.resources.map((r) => r.urn), up.resources.map((r) => r.urn));
            const instance = preview.resources.find((r) => r.type === "kubernetes:fluxcd.controlplane.io/v1:FluxInstance")!;
            assert.ok(instance.options.provider, "Flux objects wait on a provider whose kubeconfig is unknown in preview");
        });
    }
});
