/**
 * The recovery recipes of the README ("When things break") through the real program under the mock
 * runtime: which Kubespray commands a stack-file change touches, and what the planner makes them run.
 */
import * as assert from "assert";
import { openstackConfig, withValue, type Config } from "../fixtures/configs";
import { runConfig } from "../helpers";
import { FETCHED_ETCD_SNAPSHOT } from "../../components/kubespray/planner";
import { kubesprayChanges, runs } from "./changes";

const STORAGE = {
    "backup.storage": { bucket: "t1-backups", region: "eu-west-1" },
    "secrets.backupAccessKeyId": "AKIDEXAMPLE",
    "secrets.backupSecretAccessKey": "stack-secret-key",
};
const KEY = "etcd-snapshots/t1/scheduled/t1-etcd-20260301T010002Z-t1-cp-1-scheduled.db";
const edit = (edits: Record<string, unknown>, base: Config = openstackConfig()) => Object.entries(edits).reduce((c, [path, value]) => withValue(c, path, value), base);

describe("recovery scenarios (the program under the mock runtime)", function () {
    this.timeout(60000);

    it("lost quorum: one stack-file change touches the two machines' gate and ready and the cluster command, which alone gets the backup credentials", async () => {
        const before = await runConfig(edit(STORAGE), { stack: "recovery" });
        const request = {
            ...STORAGE,
            "operations.replaceNodes": [{ node: "t1-cp-2", generation: 1 }, { node: "t1-cp-3", generation: 1 }],
            "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { s3Key: KEY } },
        };
        const after = await runConfig(edit(request), { stack: "recovery" });
        const changes = kubesprayChanges(before, after, ["t1-cp-2", "t1-cp-3"]);
        assert.deepStrictEqual(changes.map((c) => `${c.change} ${c.command}`), ["update t1-cluster", "update t1-cp-2-gate", "update t1-cp-2-ready", "update t1-cp-3-gate", "update t1-cp-3-ready"]);
        assert.deepStrictEqual(runs(changes), [
            "t1-cluster: playbooks/facts.yml",
            `t1-cluster: recover-control-plane.yml --limit etcd,kube_control_plane (last: t1-cp-2,t1-cp-3) (broken: t1-cp-2,t1-cp-3) {"etcd_retries":10,"etcd_snapshot":"${FETCHED_ETCD_SNAPSHOT}"}`,
        ]);
        assert.deepStrictEqual(changes.filter((c) => c.command.endsWith("-gate")).map((c) => c.plan.steps.length), [0, 0]);
        const command = (run: typeof after, name: string) => run.resources.find((r) => r.type === "command:local:Command" && r.name === name)!;
        const stdin = command(after, "t1-cluster");
        assert.ok(stdin.secretPaths.includes("stdin"), "the cluster command's stdin is a secret");
        assert.deepStrictEqual(Object.keys(JSON.parse(String(stdin.rawInputs.stdin))), ["key", "backupStorage"]);
        assert.ok(!JSON.stringify(stdin.rawInputs.environment).includes("stack-secret-key"), "never in the environment");
        assert.ok(!String(command(after, "t1-cp-2-gate").rawInputs.stdin).includes("stack-secret-key"), "only the cluster command gets them");
        assert.ok(!String(command(before, "t1-cluster").rawInputs.stdin).includes("stack-secret-key"), "and only while a snapshot is restored from the bucket");
        // Done: removing the section touches only the cluster command, and plans nothing.
        const done = await runConfig(edit({ ...STORAGE, "operations.replaceNodes": request["operations.replaceNodes"] }), { stack: "recovery" });
        const cleanup = kubesprayChanges(after, done);
        assert.deepStrictEqual(cleanup.map((c) => `${c.change} ${c.command}`), ["update t1-cluster"]);
        assert.deepStrictEqual(cleanup[0].plan.steps, []);
    });

    it("a dead worker: replaceNodes + removeUnreachable touch only its gate and ready", async () => {
        const before = await runConfig(openstackConfig(), { stack: "recovery" });
        const after = await runConfig(edit({ "operations.replaceNodes": [{ node: "t1-w-2", generation: 1 }], "operations.removeUnreachable": ["t1-w-2"] }), { stack: "recovery" });
        const changes = kubesprayChanges(before, after);
        assert.deepStrictEqual(changes.map((c) => `${c.change} ${c.command}`), ["update t1-w-2-gate", "update t1-w-2-ready"]);
        assert.deepStrictEqual(runs(changes), [
            't1-w-2-gate: remove-node.yml {"node":"t1-w-2","skip_confirmation":true,"reset_nodes":false,"allow_ungraceful_removal":true}',
            "t1-w-2-ready: playbooks/facts.yml",
            "t1-w-2-ready: scale.yml --limit t1-w-2",
        ]);
    });
});
