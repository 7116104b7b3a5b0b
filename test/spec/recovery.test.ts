/**
 * The recovery fields of the stack file: `operations.removeUnreachable`, `operations.recoverControlPlane`,
 * `operations.keyRotation.kubeconfigGeneration`. Names must be nodes the cluster has or had, the choice
 * must be one Kubespray's procedure can carry out (docs/operations/nodes.md, recover-control-plane.md),
 * and every unsafe choice comes back as a warning a reviewer sees in the plan and the preview.
 */
import * as assert from "assert";
import { loadClusterSpec, SpecError, type SpecIssue } from "../../spec";
import { existingConfig, openstackConfig, withValue, type Config } from "../fixtures/configs";

const SNAPSHOT_KEY = "etcd-snapshots/t1/scheduled/t1-etcd-20260301T010002Z-t1-cp-1-scheduled.db";
const STORAGE = { "backup.storage": { bucket: "t1-backups" }, "secrets.backupAccessKeyId": "a", "secrets.backupSecretAccessKey": "b" };

function load(changes: Record<string, unknown>, base: () => Config = openstackConfig): { errors: SpecIssue[]; warnings: readonly SpecIssue[] } {
    const config = Object.entries(changes).reduce((c, [path, value]) => withValue(c, path, value), base());
    try {
        return { errors: [], warnings: loadClusterSpec(config).warnings };
    } catch (error) {
        if (error instanceof SpecError) return { errors: [...error.issues], warnings: [] };
        throw error;
    }
}

const errors = (changes: Record<string, unknown>, base?: () => Config) => load(changes, base).errors.map((e) => `${e.path}: ${e.message}`);

describe("spec: recovery fields", () => {
    it("default to nothing: no unreachable nodes, no recovery, kubeconfig generation 0", () => {
        const { spec } = loadClusterSpec(openstackConfig());
        assert.deepStrictEqual([spec.operations.removeUnreachable, spec.operations.recoverControlPlane, spec.operations.keyRotation.kubeconfigGeneration], [[], undefined, 0]);
    });

    it("removeUnreachable: a worker being recreated or a node leaving the stack file, each a visible warning", () => {
        const replaced = load({ "operations.replaceNodes": [{ node: "t1-w-2", generation: 1 }], "operations.removeUnreachable": ["t1-w-2"] });
        assert.deepStrictEqual(replaced.errors, []);
        assert.match(replaced.warnings.map((w) => `${w.path}: ${w.message}`).join("\n"), /operations\.removeUnreachable\[0\]: t1-w-2 will be removed without being reached \(remove-node\.yml reset_nodes=false allow_ungraceful_removal=true\)/);
        assert.deepStrictEqual(load({ "operations.removeUnreachable": ["t1-w-3"] }).errors, [], "t1-w-3 left the pool (count 2)");
        assert.deepStrictEqual(load({ "operations.removeUnreachable": ["t1-cp-4"] }).errors, [], "a control-plane node that left");
        assert.deepStrictEqual(load({ "operations.removeUnreachable": ["gone-host"] }, existingConfig).errors, [], "an existing host dropped from the list");
    });

    it("removeUnreachable: refuses names that are no node, twice-listed names, staying nodes and control-plane nodes that stay", () => {
        assert.deepStrictEqual(errors({ "operations.removeUnreachable": ["web-1"] }), ['operations.removeUnreachable[0]: "web-1" is neither a node of this stack file nor a name this cluster\'s nodes have (t1-<pool>-<n>); nodes of this stack file: t1-cp-1, t1-cp-2, t1-cp-3, t1-w-1, t1-w-2']);
        assert.match(errors({ "operations.removeUnreachable": ["t1-w-3", "t1-w-3"] }).join(), /\[1\]: "t1-w-3" is listed twice/);
        assert.match(errors({ "operations.removeUnreachable": ["t1-w-1"] }).join(), /stays in the stack file and is not being replaced, so nothing would remove it; to recreate its machine add \{node: t1-w-1, generation: <n>\} to operations\.replaceNodes/);
        assert.match(errors({ "operations.removeUnreachable": ["t1-cp-2"], "operations.replaceNodes": [{ node: "t1-cp-2", generation: 1 }] }).join(), /a control-plane node of the stack file; a broken control-plane node that stays is brought back with operations\.recoverControlPlane: \{broken: \[t1-cp-2\]\}/);
        const existing = existingConfig();
        const host = (existing.infrastructure as { existing: { nodes: { name: string; role: string }[] } }).existing.nodes.find((n) => n.role === "worker")!.name;
        assert.match(errors({ "operations.removeUnreachable": [host] }, existingConfig).join(), /stays in infrastructure\.existing\.nodes, so nothing would remove it; remove the host from infrastructure\.existing\.nodes/);
    });

    it("recoverControlPlane: broken control-plane nodes of the stack file, at least one survivor, a warning that says what is lost", () => {
        const ok = load({ "operations.replaceNodes": [{ node: "t1-cp-1", generation: 1 }], "operations.recoverControlPlane": { broken: ["t1-cp-1"] } });
        assert.deepStrictEqual(ok.errors, []);
        assert.match(ok.warnings.map((w) => `${w.path}: ${w.message}`).join("\n"), /operations\.recoverControlPlane: recover-control-plane\.yml will run with t1-cp-1 as broken: .* rejoin behind t1-cp-2, t1-cp-3\. If etcd has lost quorum, etcd is restored from a snapshot Kubespray takes of t1-cp-2's etcd and every write after it is lost/);
        assert.deepStrictEqual(load({ "operations.recoverControlPlane": { broken: ["t1-cp-2"] } }).errors, [], "a member whose machine survives (its data is wiped by Kubespray while quorum holds)");
        assert.match(errors({ "operations.recoverControlPlane": { broken: ["t1-w-1"] } }).join(), /broken\[0\]: "t1-w-1" is not a control-plane node of this stack file; allowed: t1-cp-1, t1-cp-2, t1-cp-3/);
        assert.match(errors({ "operations.recoverControlPlane": { broken: [] } }).join(), /operations\.recoverControlPlane\.broken/);
        const all = { "operations.replaceNodes": ["t1-cp-1", "t1-cp-2", "t1-cp-3"].map((node) => ({ node, generation: 1 })), "operations.recoverControlPlane": { broken: ["t1-cp-1", "t1-cp-2", "t1-cp-3"] } };
        assert.match(errors(all).join(), /lists every control-plane node; Kubespray's recover-control-plane\.yml needs at least one functional control-plane node .* rebuild the cluster and restore it with Velero/);
    });

    it("recoverControlPlane: with quorum lost, the broken nodes come back on new machines and no second survivor keeps old data", () => {
        assert.match(errors({ "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"] } }).join("\n"), /broken\[0\]: t1-cp-2 must come back on a new machine when etcd has lost quorum .* add \{node: t1-cp-2, generation: <n>\} to operations\.replaceNodes/);
        const five = { "infrastructure.controlPlane.count": 5, "operations.replaceNodes": ["t1-cp-3", "t1-cp-4", "t1-cp-5"].map((node) => ({ node, generation: 1 })), "operations.recoverControlPlane": { broken: ["t1-cp-3", "t1-cp-4", "t1-cp-5"] } };
        assert.match(errors(five).join(), /leaves etcd without quorum \(3 of 5 members broken\): Kubespray restores etcd onto the first survivor \(t1-cp-1\) alone, and t1-cp-2 would rejoin with the old cluster's data; list them as broken too/);
        assert.deepStrictEqual(errors({ "operations.replaceNodes": ["t1-cp-2", "t1-cp-3"].map((node) => ({ node, generation: 1 })), "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"] } }), []);
    });

    it("etcdSnapshot: an object key of this cluster in the backup storage with its credentials, or a file on a surviving control-plane node", () => {
        const lost = { "operations.replaceNodes": ["t1-cp-2", "t1-cp-3"].map((node) => ({ node, generation: 1 })) };
        const s3 = load({ ...lost, ...STORAGE, "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { s3Key: SNAPSHOT_KEY } } });
        assert.deepStrictEqual(s3.errors, []);
        assert.match(s3.warnings.map((w) => w.message).join(), new RegExp(`restored from s3://t1-backups/${SNAPSHOT_KEY.replace(/\./g, "\\.")} and every write after it is lost`));
        const noStorage = errors({ ...lost, "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { s3Key: SNAPSHOT_KEY } } });
        assert.ok(noStorage.some((e) => /etcdSnapshot\.s3Key: needs backup\.storage/.test(e)) && noStorage.some((e) => /needs secrets\.backupSecretAccessKey/.test(e)), noStorage.join("\n"));
        assert.match(errors({ ...lost, ...STORAGE, "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { s3Key: "etcd-snapshots/other/scheduled/x.db" } } }).join(), /is not a snapshot of this cluster: the etcd-backup CronJob writes etcd-snapshots\/t1\/<reason>\/<file>\.db/);
        assert.match(errors({ ...lost, "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { s3Key: "../../etc/passwd" } } }).join(), /must be an etcd-backup object key/);
        assert.deepStrictEqual(errors({ ...lost, "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { node: "t1-cp-1", path: "/var/backups/etcd-pre-upgrade-1-33-7.db" } } }), []);
        assert.match(errors({ ...lost, "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { node: "t1-cp-2", path: "/var/backups/etcd.db" } } }).join(), /t1-cp-2 is being recreated \(operations\.replaceNodes\): a file on its disk goes with its old machine/);
        for (const path of ["var/backups/x.db", "/var/../etc/shadow.db", "/var/backups/x.db; rm -rf /", "/var/backups/x"]) {
            assert.ok(errors({ ...lost, "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { node: "t1-cp-1", path } } }).some((e) => e.startsWith("operations.recoverControlPlane.etcdSnapshot")), path);
        }
    });
});
