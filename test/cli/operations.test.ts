/**
 * The Day-2 preview for reviewers (issue #13): `clusters plan --against <previous out/<stack>/>` on real
 * before/after stack files (the bundled dev-openstack, changed as a pull request would change it): every
 * machine created, replaced or deleted and every Kubespray run, by the runner's own planner.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import type { Operation } from "../../cli/operations";
import { plan } from "../../cli/plan";
import { loadOfflineStack, PROJECT_ROOT } from "../../cli/stacks";
import { stacksDirWith } from "../fixtures/configs";

const STACK = "dev-openstack";
const temp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** The bundled stack file with `edit` applied to its `clusters:<key>` config, in a stacks directory of its own. */
const stacksWith = (edit: (config: Record<string, any>) => void): string => stacksDirWith(STACK, edit);

/** `action playbook [--limit] hosts` lines, for compact assertions. */
const lines = (operations: readonly Operation[]) => operations.filter((o) => o.action !== "step")
    .map((o) => `${o.command}: ${o.action}${o.playbook ? ` ${o.playbook}` : ""}${o.limit ? ` --limit ${o.limit.join(",")}` : ""} [${o.hosts.length > 4 ? `${o.hosts.length} hosts` : o.hosts.join(",")}]`);

describe("Day-2 preview: clusters plan --against the previous plan", function () {
    this.timeout(120_000);
    let base = "";
    const root = temp("ops-out-");
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    before(async () => {
        base = (await plan(loadOfflineStack(STACK), path.join(root, "before"))).outDir;
    });

    async function against(edit: (config: Record<string, any>) => void): Promise<Operation[]> {
        const result = await plan(loadOfflineStack(STACK, stacksWith(edit)), path.join(root, `after-${Math.random().toString(36).slice(2)}`), { against: base });
        const written = JSON.parse(fs.readFileSync(path.join(result.outDir, "operations.json"), "utf8")) as Operation[];
        assert.deepStrictEqual(written, JSON.parse(JSON.stringify(result.operations)));
        assert.match(fs.readFileSync(path.join(result.outDir, "plan.md"), "utf8"), new RegExp(`## What \`pulumi up\` will do \\(against the plan in \`${base.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\`\\)`));
        return written;
    }

    it("without --against: Day 1, every machine created, one install", async () => {
        const operations = JSON.parse(fs.readFileSync(path.join(base, "operations.json"), "utf8")) as Operation[];
        assert.deepStrictEqual(lines(operations), [
            ...["dev-os-cp-1", "dev-os-cp-2", "dev-os-cp-3", "dev-os-general-1", "dev-os-general-2", "dev-os-general-3"].map((n) => `${n}: create [${n}]`),
            "dev-os-cluster: run cluster.yml [6 hosts]",
            "dev-os-kubeconfig: run kubeconfig-account.yml [dev-os-cp-1]",
        ]);
        for (const op of operations) {
            assert.ok(op.command && op.action && Array.isArray(op.hosts) && op.reason, JSON.stringify(op));
            if (op.action === "run") assert.ok(op.playbook);
        }
        assert.match(fs.readFileSync(path.join(base, "plan.md"), "utf8"), /## What `pulumi up` will do on Day 1/);
        assert.strictEqual(JSON.parse(fs.readFileSync(path.join(base, "deployed.json"), "utf8")).kubernetesVersion, "1.33.7");
    });

    it("+1 worker: its machine, then one scale.yml on exactly that host, its old host key forgotten first", async () => {
        const operations = await against((c) => { c.infrastructure.workerPools[0].count = 4; });
        assert.deepStrictEqual(lines(operations), [
            "dev-os-general-4: create [dev-os-general-4]",
            "dev-os-workers: run playbooks/facts.yml [7 hosts]",
            "dev-os-workers: run scale.yml --limit dev-os-general-4 [dev-os-general-4]",
        ]);
        // A pool that shrank and grows again brings the name back at the same address with a new host key
        // (the runner's SSH uses StrictHostKeyChecking=accept-new): forgotten before the host is reached.
        assert.deepStrictEqual(operations.filter((o) => o.command === "dev-os-workers" && o.action === "step").map((o) => `${o.step} ${o.hosts.join(",")}`).slice(0, 2),
            ["forget-host-key dev-os-general-4", "reachable dev-os-general-4"]);
    });

    // The README's "When things break" recipes: the gate/ready of a broken node leave it to the cluster
    // command's recover-control-plane.yml (the runner reads operations.recoverControlPlane.broken from the
    // runner.json the program writes; the preview makes its context with the same function).
    const steps = (operations: readonly Operation[], command: string) => operations.filter((o) => o.command === command).map((o) => o.playbook ?? o.step ?? o.action);

    it("a dead control-plane node (replaceNodes + recoverControlPlane): its gate does nothing, its ready awaits the new machine, the cluster command recovers it", async () => {
        const operations = await against((c) => {
            c.operations = { ...c.operations, replaceNodes: [{ node: "dev-os-cp-1", generation: 1 }], recoverControlPlane: { broken: ["dev-os-cp-1"] } };
        });
        assert.deepStrictEqual(steps(operations, "dev-os-cp-1-gate"), [], "no drain, no cluster.yml, no remove-node.yml");
        assert.deepStrictEqual(steps(operations, "dev-os-cp-1-ready"), ["forget-host-key", "reachable", "wait-cloud-init"]);
        assert.deepStrictEqual(steps(operations, "dev-os-cluster"), ["forget-host-key", "reachable", "playbooks/facts.yml", "recover-control-plane.yml", "wait-ready"]);
        const recover = operations.find((o) => o.playbook === "recover-control-plane.yml")!;
        assert.deepStrictEqual([recover.limit, recover.last, recover.extraVars], [["etcd", "kube_control_plane"], ["dev-os-cp-1"], ["etcd_retries"]]);
        assert.ok(!operations.some((o) => o.playbook === "remove-node.yml" || o.playbook === "cluster.yml" || o.step === "drain"), JSON.stringify(lines(operations)));
        const at = (command: string, step?: string) => operations.findIndex((o) => o.command === command && (!step || o.step === step || o.playbook === step));
        assert.ok(at("dev-os-cp-1") < at("dev-os-cp-1-ready") && at("dev-os-cp-1-ready") < at("dev-os-cluster", "recover-control-plane.yml"), "machine, ready, then the recovery");
    });

    it("lost quorum (two broken, a snapshot from the backup storage): both gates do nothing; one recovery run restores etcd_snapshot", async () => {
        const key = "etcd-snapshots/dev-os/scheduled/dev-os-etcd-20260301T010002Z-dev-os-cp-1-scheduled.db";
        const operations = await against((c) => {
            c.operations = {
                ...c.operations,
                replaceNodes: [{ node: "dev-os-cp-2", generation: 1 }, { node: "dev-os-cp-3", generation: 1 }],
                recoverControlPlane: { broken: ["dev-os-cp-2", "dev-os-cp-3"], etcdSnapshot: { s3Key: key } },
            };
        });
        for (const node of ["dev-os-cp-2", "dev-os-cp-3"]) {
            assert.deepStrictEqual(steps(operations, `${node}-gate`), [], `${node}-gate`);
            assert.deepStrictEqual(steps(operations, `${node}-ready`), ["forget-host-key", "reachable", "wait-cloud-init"], `${node}-ready`);
        }
        assert.deepStrictEqual(steps(operations, "dev-os-cluster"), ["forget-host-key", "forget-host-key", "reachable", "fetch-etcd-snapshot", "playbooks/facts.yml", "recover-control-plane.yml", "wait-ready", "wait-ready"]);
        const recover = operations.find((o) => o.playbook === "recover-control-plane.yml")!;
        assert.deepStrictEqual([recover.last, recover.extraVars], [["dev-os-cp-2", "dev-os-cp-3"], ["etcd_retries", "etcd_snapshot"]]);
        assert.ok(!operations.some((o) => o.playbook === "remove-node.yml" || o.step === "drain" || o.step === "record-boot"), JSON.stringify(lines(operations)));
    });

    it("−1 worker: one remove-node.yml for that node, then its machine is deleted (last)", async () => {
        const operations = await against((c) => { c.infrastructure.workerPools[0].count = 2; });
        assert.deepStrictEqual(lines(operations), [
            "dev-os-workers: run remove-node.yml [dev-os-general-3]",
            "dev-os-general-3: delete [dev-os-general-3]",
        ]);
        assert.ok(operations.find((o) => o.playbook === "remove-node.yml")!.extraVars!.includes("node"));
    });

    it("image change: every node drained, removed, recreated and rejoined, control plane one at a time, in that order", async () => {
        const operations = await against((c) => { c.infrastructure.openstack.image = "ubuntu-24.04-20260301"; });
        const replaced = operations.filter((o) => o.action === "replace").map((o) => o.command);
        assert.deepStrictEqual(replaced, ["dev-os-cp-1", "dev-os-cp-2", "dev-os-cp-3", "dev-os-general-1", "dev-os-general-2", "dev-os-general-3"]);
        assert.deepStrictEqual(lines(operations).filter((l) => l.startsWith("dev-os-cp-1")), [
            "dev-os-cp-1-gate: run cluster.yml [6 hosts]",
            "dev-os-cp-1-gate: run remove-node.yml [dev-os-cp-1]",
            "dev-os-cp-1: replace [dev-os-cp-1]",
            "dev-os-cp-1-ready: run playbooks/facts.yml [6 hosts]",
            "dev-os-cp-1-ready: run cluster.yml --limit etcd,kube_control_plane [dev-os-cp-1,dev-os-cp-2,dev-os-cp-3]",
            "dev-os-cp-1-ready: run upgrade-cluster.yml --limit etcd,kube_control_plane [dev-os-cp-1,dev-os-cp-2,dev-os-cp-3]",
        ]);
        const index = (command: string, step?: string) => operations.findIndex((o) => o.command === command && (!step || o.step === step));
        assert.ok(index("dev-os-cp-1-gate", "drain") < index("dev-os-cp-1") && index("dev-os-cp-1") < index("dev-os-cp-1-ready", "uncordon"));
        assert.ok(index("dev-os-cp-1-ready", "uncordon") < index("dev-os-cp-2-gate", "drain"), "the next control-plane node after the previous one is Ready");
        assert.ok(index("dev-os-cp-3-ready", "uncordon") < index("dev-os-general-1-gate", "drain"), "workers after the control plane");
    });

    it("Kubernetes minor upgrade: one upgrade-cluster.yml after an etcd snapshot, nothing else", async () => {
        const operations = await against((c) => { c.kubernetes.version = "1.34.3"; });
        assert.deepStrictEqual(operations.map((o) => `${o.command}: ${o.step ?? o.playbook}`), ["dev-os-cluster: etcd-snapshot", "dev-os-cluster: upgrade-cluster.yml"]);
        assert.ok(operations[1].extraVars!.includes("serial"));
    });

    it("control-plane add: the new machines, then cluster.yml and upgrade-cluster.yml limited to etcd and the control plane, the new nodes last", async () => {
        const operations = await against((c) => { c.infrastructure.controlPlane.count = 5; });
        assert.deepStrictEqual(lines(operations), [
            "dev-os-cp-4: create [dev-os-cp-4]",
            "dev-os-cp-5: create [dev-os-cp-5]",
            "dev-os-cluster: run playbooks/facts.yml [8 hosts]",
            "dev-os-cluster: run cluster.yml --limit etcd,kube_control_plane [5 hosts]",
            "dev-os-cluster: run upgrade-cluster.yml --limit etcd,kube_control_plane [5 hosts]",
        ]);
        assert.deepStrictEqual(operations.find((o) => o.playbook === "cluster.yml")!.last, ["dev-os-cp-4", "dev-os-cp-5"]);
    });

    it("an unchanged stack: nothing to do; a two-minor upgrade is refused with the runner's words (exit 1, the previous plan kept)", async () => {
        assert.deepStrictEqual(await against(() => undefined), []);
        const dir = stacksWith((c) => { c.kubernetes.version = "1.35.0"; });
        const out = temp("ops-cli-");
        fs.cpSync(base, path.join(out, STACK), { recursive: true });
        const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "dist", "cli", "main.js"), "plan", "--stack", STACK, "--stacks-dir", dir, "--out", out, "--against", path.join(out, STACK)], { cwd: PROJECT_ROOT, encoding: "utf8" });
        assert.strictEqual(result.status, 1, result.stderr);
        assert.match(result.stderr, /refusing to upgrade Kubernetes from 1\.33\.7 to 1\.35\.0: more than one minor step\. Upgrade to 1\.34\.x first/);
        assert.ok(fs.existsSync(path.join(out, STACK, "deployed.json")), "a refused plan writes nothing");
        fs.rmSync(out, { recursive: true, force: true });
    });
});

describe("plan --gitops-base: the services gate on every gitops-base stage of the enabled services", function () {
    this.timeout(60_000);

    it("lists every stage path (and shared stage) of the enabled services, and writes its report to out/<stack>/", async () => {
        const { gitopsBasePaths } = await import("../../cli/plan");
        const { SERVICE_CATALOG } = await import("../../spec");
        const { SHARED_STAGES } = await import("../../spec/catalog");
        const offline = loadOfflineStack(STACK);
        const paths = gitopsBasePaths(offline.loaded.spec);
        for (const service of offline.loaded.spec.enabledServices.filter((s) => s.origin === "gitops-base")) {
            const entry = SERVICE_CATALOG[service.name];
            if (entry.origin !== "gitops-base") continue;
            for (const stage of entry.stages) assert.deepStrictEqual(paths[stage.name], { path: stage.path });
            for (const shared of entry.shared) assert.deepStrictEqual(paths[SHARED_STAGES[shared].name], { path: SHARED_STAGES[shared].path });
        }
        // An empty tree: every path is reported as missing (kubectl is not even started); the real tree is policies/test/services-gate.test.ts's.
        const empty = temp("gitops-base-");
        const out = temp("gate-out-");
        const result = await plan(offline, out, { gitopsBase: empty });
        const report = JSON.parse(fs.readFileSync(path.join(result.outDir, "services-gate.json"), "utf8"));
        assert.deepStrictEqual(report.map((r: { service: string }) => r.service), Object.keys(paths).sort());
        assert.ok(report.every((r: { exists: boolean }) => !r.exists));
        assert.match(fs.readFileSync(path.join(result.outDir, "services-gate.txt"), "utf8"), /path not in the tree/);
        assert.match(fs.readFileSync(path.join(result.outDir, "plan.md"), "utf8"), /## Services gate/);
        fs.rmSync(out, { recursive: true, force: true });
    });
});

describe("clusters scaffold", () => {
    it("writes the scaffold with the given age recipient; refuses a non-recipient (exit 1) and a missing --dir (exit 2)", async () => {
        const { main } = await import("../../cli/main");
        const { captured } = await import("./fakes");
        const keygen = spawnSync("age-keygen", [], { encoding: "utf8" });
        const recipient = /public key: (age1[0-9a-z]+)/i.exec(`${keygen.stdout}${keygen.stderr}`)![1];
        const repo = temp("scaffold-repo-");
        const ok = await captured(() => main(["scaffold", "--stack", STACK, "--dir", repo, "--age-recipient", recipient]));
        assert.strictEqual(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /written: .*\.sops\.yaml/);
        assert.strictEqual((parse(fs.readFileSync(path.join(repo, ".sops.yaml"), "utf8")) as any).creation_rules[0].age, recipient);
        const bad = await captured(() => main(["scaffold", "--stack", STACK, "--dir", repo, "--age-recipient", "age1notreal"]));
        assert.strictEqual(bad.code, 1);
        assert.match(bad.stderr, /is not an age recipient/);
        const usage = await captured(() => main(["scaffold", "--stack", STACK]));
        assert.strictEqual(usage.code, 2);
        assert.match(usage.stderr, /--dir <checkout> is required/);
        fs.rmSync(repo, { recursive: true, force: true });
    });
});
