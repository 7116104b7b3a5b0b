/**
 * Teardown is deliberate (issue #16 item 5): in a production stack a protected node taken out of the stack
 * file is refused before anything runs, by the program (`pulumi up`, `pulumi preview`, the offline harness)
 * and by `clusters plan --against`. Without the refusal `pulumi up` would run the node's remove-node.yml
 * (drain, removal from the cluster, Kubespray's reset) and only then reach the machine's delete, which the
 * engine refuses because the state it recorded is protected (Pulumi docs, the `protect` resource option:
 * "you must first set protect: false and run pulumi up. Then you can delete the resource"; pulumi/pulumi
 * pkg/resource/deploy/step.go, DeleteStep.Apply checks the old state's Protect). The mock runtime has no
 * engine and never refuses a delete, so the rule is checked on what the program registers and refuses.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { plan, planSummary } from "../../cli/plan";
import { loadOfflineStack, PROJECT_ROOT } from "../../cli/stacks";
import { deployedFromOutputs, deployedRecord, DeployedRecordError, parseDeployedRecord } from "../../components/deployed";
import { defineCluster, projectConfig } from "../../components/program";
import { runOffline } from "../../offline/harness";
import { loadClusterSpec, withSecretStandIns } from "../../spec";
import { existingConfig, openstackConfig, stacksDirWith, withValue, type Config } from "../fixtures/configs";
import { runConfig } from "../helpers";

const STACK = "prod-vsphere";
const temp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const specOf = (config: Config) => loadClusterSpec(withSecretStandIns(config).values).spec;
/** The existing-hosts fixture as a production stack (3 control-plane hosts) with `workers` workers. */
const productionHosts = (workers: number) => withValue(withValue(existingConfig(), "meta.environment", "production"), "infrastructure.existing.nodes", [
    ...[1, 2, 3].map((n) => ({ name: `cp-${n}`, address: `192.168.1.1${n}`, role: "control-plane" })),
    ...Array.from({ length: workers }, (_, i) => ({ name: `w-${i + 1}`, address: `192.168.1.2${i + 1}`, role: "worker" })),
]);

/** The bundled production vSphere stack's config, objects parsed (the stack file's `clusters:` values). */
function prodVsphere(): Config {
    return Object.fromEntries(Object.entries(loadOfflineStack(STACK).file.values).map(([key, value]) => [key, typeof value === "string" && /^[[{]/.test(value) ? JSON.parse(value) : value])) as Config;
}

/** Runs the program as the next `pulumi up` after one that deployed `previous`; counts what it registers. */
async function nextUp(config: Config, previous: object, preview = false) {
    let registered = 0;
    const run = runOffline(withSecretStandIns(config).values, () => defineCluster(projectConfig()), {
        stack: STACK, preview, previousOutputs: { deployed: previous }, onRegistered: () => registered++,
    });
    return { run, registered: () => registered };
}

const SHRINK_REFUSED = /^operations\.decommission\.nodes: prod-vs-general-4 leaves the stack file but its machine is protected, so pulumi up would take it out of the cluster \(drain, remove-node\.yml and its reset\) before the engine refused to delete the machine; to keep it, restore infrastructure\.workerPools\[0\]\.count to 4; to remove it, restore that, run pulumi up once with it in operations\.decommission\.nodes, then take it out of the stack file$/;

describe("teardown is deliberate: a protected node leaving the stack file is refused before anything runs", function () {
    this.timeout(120_000);
    const base = prodVsphere();
    const shrunk = withValue(base, "infrastructure.workerPools[0].count", 3);
    const record = deployedRecord(specOf(base));

    it("the record keeps which machines the run protected: every machine of a production stack, none elsewhere or on existing hosts", () => {
        assert.deepStrictEqual(record.protectedMachines, ["prod-vs-cp-[1-3]", "prod-vs-general-[1-4]", "prod-vs-ingress-[1-2]"]);
        assert.deepStrictEqual(deployedRecord(specOf(openstackConfig())).protectedMachines, []);
        assert.deepStrictEqual(deployedRecord(specOf(productionHosts(2))).protectedMachines, []);
        assert.throws(() => parseDeployedRecord({ ...record, protectedMachines: ["prod-vs-general-[1-9999999]"] }), DeployedRecordError);
    });

    it("prod-vsphere, general 4 → 3 without operations.decommission: refused by pulumi up and preview, nothing registered", async () => {
        for (const preview of [false, true]) {
            const { run, registered } = await nextUp(shrunk, record, preview);
            await assert.rejects(run, (error: Error) => SHRINK_REFUSED.test(error.message));
            assert.strictEqual(registered(), 0, "no resource, so no command, before the refusal");
        }
    });

    it("the same shrink after one pulumi up with the node in operations.decommission.nodes: allowed, and said loudly", async () => {
        const decommissioned = (config: Config) => withValue(config, "operations.decommission", { nodes: ["prod-vs-general-4"] });
        // Listing it and taking it out in one run is too late: the engine checks what the previous run recorded.
        const { run: sameRun } = await nextUp(decommissioned(shrunk), record);
        await assert.rejects(sameRun, /operations\.decommission\.nodes: prod-vs-general-4 is unprotected by operations\.decommission in the same pulumi up that takes it out of the stack file, and the engine deletes only machines the previous pulumi up recorded unprotected; to keep it, restore infrastructure\.workerPools\[0\]\.count to 4/);
        const lift = await (await nextUp(decommissioned(base), record)).run;
        const lifted = lift.outputs.deployed as typeof record;
        assert.deepStrictEqual(lifted.protectedMachines, ["prod-vs-cp-[1-3]", "prod-vs-general-[1-3]", "prod-vs-ingress-[1-2]"]);
        assert.ok(lift.warnings.some((w) => /the machines, ports and volumes of prod-vs-general-4 lose their protection; after this pulumi up, taking them out of the stack file drains them/.test(w)), lift.warnings.join("\n"));
        const removal = await (await nextUp(decommissioned(shrunk), lifted)).run;
        assert.ok(removal.warnings.some((w) => /prod-vs-general-4 leaves the stack file, unprotected by the last pulumi up: this pulumi up drains it, removes it from the cluster \(remove-node\.yml\) and deletes its machine/.test(w)), removal.warnings.join("\n"));
        assert.ok(!removal.resources.some((r) => r.name === "prod-vs-general-4"));
        // Once it is gone, a name left in the list is pointed out.
        const after = await (await nextUp(decommissioned(shrunk), removal.outputs.deployed as typeof record)).run;
        assert.ok(after.warnings.some((w) => /prod-vs-general-4 is not in the stack file nor in the cluster \(any more\); take it off the list/.test(w)), after.warnings.join("\n"));
    });

    it("a control-plane shrink (5 → 3) is refused the same way, naming the etcd members and the field", async () => {
        const five = withValue(base, "infrastructure.controlPlane.count", 5);
        const { run, registered } = await nextUp(base, deployedRecord(specOf(five)));
        await assert.rejects(run, (error: Error) => /^operations\.decommission\.nodes: prod-vs-cp-4, prod-vs-cp-5 leave the stack file but their machines are protected, so pulumi up would take them out of the cluster \(drain, remove-node\.yml and its reset, its etcd member\) before the engine refused to delete the machine; to keep them, restore infrastructure\.controlPlane\.count to 5;/.test(error.message));
        assert.strictEqual(registered(), 0);
    });

    it("a record that does not say what it protected counts every machine of a production stack; other stacks and existing hosts are not refused", async () => {
        const { protectedMachines: _, ...older } = record;
        await assert.rejects((await nextUp(withValue(shrunk, "operations.decommission", { confirm: "prod-vs" }), older)).run, /prod-vs-general-4 is unprotected by operations\.decommission in the same pulumi up that takes it out of the stack file/);
        const dev = openstackConfig();
        await runConfig(withValue(dev, "infrastructure.workerPools[0].count", 1), { previousOutputs: { deployed: deployedRecord(specOf(dev)) } });
        // Existing hosts have no machine to protect; leaving, they are reset only when decommission.resetHosts says so.
        await runConfig(productionHosts(1), { previousOutputs: { deployed: deployedRecord(specOf(productionHosts(2))) } });
        assert.strictEqual(deployedFromOutputs({ deployed: older }).machineProtected("prod-vs-general-4"), undefined);
    });
});

describe("teardown is deliberate: clusters plan --against", function () {
    this.timeout(180_000);
    const root = temp("protect-plan-");
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    const stacksWith = (edit: (config: Record<string, any>) => void): string => stacksDirWith(STACK, edit);
    const shrink = (c: Record<string, any>) => { c.infrastructure.workerPools[0].count = 3; };
    const decommission = (c: Record<string, any>) => { c.operations.decommission = { nodes: ["prod-vs-general-4"] }; };

    it("general 4 → 3: exit 1 with the refusal, the previous plan kept; after a plan that lifts it, the removal is planned and said", async () => {
        const before = path.join(root, "before");
        const base = await plan(loadOfflineStack(STACK), before);
        assert.match(fs.readFileSync(path.join(base.outDir, "plan.md"), "utf8"), /A node taken out of the stack file while its machine is protected is refused by the program before anything runs/);
        const out = path.join(root, "cli");
        fs.cpSync(base.outDir, path.join(out, STACK), { recursive: true });
        const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "main.js"), "plan", "--stack", STACK, "--stacks-dir", stacksWith(shrink), "--out", out, "--against", path.join(out, STACK)], { cwd: PROJECT_ROOT, encoding: "utf8" });
        assert.strictEqual(result.status, 1, result.stderr);
        assert.match(result.stderr, /operations\.decommission\.nodes: prod-vs-general-4 leaves the stack file but its machine is protected/);
        assert.strictEqual(fs.readFileSync(path.join(out, STACK, "deployed.json"), "utf8"), fs.readFileSync(path.join(base.outDir, "deployed.json"), "utf8"), "a refused plan writes nothing");

        const liftedStacks = stacksWith(decommission);
        const lift = await plan(loadOfflineStack(STACK, liftedStacks), path.join(root, "lift"), { against: base.outDir });
        const removedStacks = stacksWith((c) => { shrink(c); decommission(c); });
        const removal = await plan(loadOfflineStack(STACK, removedStacks), path.join(root, "removal"), { against: lift.outDir });
        assert.deepStrictEqual(removal.operations.filter((o) => o.action === "delete").map((o) => o.command), ["prod-vs-general-4"]);
        const protection = fs.readFileSync(path.join(removal.outDir, "plan.md"), "utf8").split("## Protection")[1];
        assert.match(protection, /> \*\*WARNING\*\*: operations\.decommission\.nodes: prod-vs-general-4 leaves the stack file, unprotected by the last pulumi up: this pulumi up drains it, removes it from the cluster \(remove-node\.yml\) and deletes its machine/);
        const summary = planSummary(loadOfflineStack(STACK, removedStacks), removal);
        assert.strictEqual(summary.operations.delete, 1);
        assert.strictEqual(summary.protected, 9, "8 machines and the cluster command");
        assert.ok(summary.warnings.some((w) => /prod-vs-general-4 leaves the stack file, unprotected by the last pulumi up/.test(w)));
    });
});
