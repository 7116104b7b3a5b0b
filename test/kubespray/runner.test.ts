/**
 * The runner end to end with real `ansible`/`ansible-playbook` on localhost. Kubespray's plays cannot
 * run here (they install Kubernetes on real hosts), so the checkout holds fixture playbooks named like
 * Kubespray's that record what they were asked for; the invocations themselves are checked against the
 * real playbooks in upstream.test.ts. The checkout's ansible.cfg is the real one when the upstream tree
 * is found (profile_tasks, ssh_args and all), so ad-hoc parsing runs under it.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderInventory } from "../../components/kubespray/inventory";
import { breakGlassToken, clusterState, kubeconfigState, machineState, workersState, type CommandState } from "../../components/kubespray/state";
import { RUNNER_SETTINGS_FILE, stackSettings, writeInventory } from "../../components/kubespray/workspace";
import { STDERR_BUDGET } from "../../components/kubespray/runner/exec";
import type { ClusterSpec } from "../../spec";
import { makeCheckout, runnerEnv } from "./checkout";
import { API_HOST, BACKUP_STORAGE, SNAPSHOT_KEY, specOf } from "./cases";
import * as http from "http";
import type { AddressInfo } from "net";

const FIXTURE = path.join(__dirname, "..", "fixtures", "kubespray");
const ROOT = path.join(__dirname, "..", "..");
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nrunner-test-key\n-----END OPENSSH PRIVATE KEY-----\n";

interface Sandbox {
    readonly home: string;
    readonly record: string;
    readonly state: string;
    readonly stack: string;
}

function writeStack(home: string, stack: string, spec: ClusterSpec, bastion?: string): void {
    writeInventory(path.join(home, stack, "inventory"), {
        ...renderInventory({ spec, apiHost: API_HOST, bastionHost: bastion }),
        [RUNNER_SETTINGS_FILE]: JSON.stringify(stackSettings(spec, path.join(home, "no-such-repository"), bastion)),
    });
}

function sandbox(spec: ClusterSpec, stack = "stack"): Sandbox {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "runner-"));
    makeCheckout(home, spec.kubespray.version);
    writeStack(home, stack, spec);
    const record = path.join(home, "record.jsonl");
    const state = path.join(home, "fake");
    fs.mkdirSync(state);
    fs.writeFileSync(record, "");
    setNodes({ home, record, state, stack }, spec.nodes.map((n) => n.name));
    return { home, record, state, stack };
}

function setNodes(box: Sandbox, names: readonly string[]): void {
    fs.writeFileSync(path.join(box.state, "nodes"), names.map((n, i) => `${n} 10.0.0.${100 + i}`).join("\n"));
}

function setSettings(box: Sandbox, edit: (settings: Record<string, unknown>) => Record<string, unknown>): void {
    const file = path.join(box.home, box.stack, "inventory", RUNNER_SETTINGS_FILE);
    fs.writeFileSync(file, JSON.stringify(edit(JSON.parse(fs.readFileSync(file, "utf8")))));
}


function records(box: Sandbox) {
    const all = fs.readFileSync(box.record, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
    return { records: all, playbooks: all.filter((r) => r.playbook) };
}

/** The runner without blocking this process (a test server here must answer it); `input` is its stdin. */
async function runRunnerAsync(box: Sandbox, operation: string, command: string, desired: CommandState, previous: CommandState | undefined, input: string) {
    fs.writeFileSync(box.record, "");
    const child = spawn(process.execPath, ["dist/components/kubespray/runner/main.js", operation], { cwd: ROOT, env: runnerEnv(box, command, desired, previous) });
    child.stdin.end(input);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { status, stdout, stderr, ...records(box) };
}

function runRunner(box: Sandbox, operation: string, command: string, desired: CommandState, previous?: CommandState, extraEnv: Record<string, string> = {}) {
    fs.writeFileSync(box.record, "");
    const result = spawnSync(process.execPath, ["dist/components/kubespray/runner/main.js", operation], {
        cwd: ROOT, input: KEY, encoding: "utf8", env: runnerEnv(box, command, desired, previous, extraEnv),
    });
    return { ...result, ...records(box) };
}

const clusterOf = (spec: ClusterSpec) => clusterState(spec, API_HOST);
/** The cheapest run: a configuration change (one cluster.yml, no reachability or cloud-init steps). */
const reconfigure = (spec: ClusterSpec) => ({ desired: clusterOf(spec), previous: { ...clusterOf(spec), configHash: "0000000000000000" } });
const node = (spec: ClusterSpec, name: string) => spec.nodes.find((n) => n.name === name)!;

/** A window that is open now, and one that is not (the runner reads the real clock, never the environment). */
function windows(open: boolean) {
    const now = new Date();
    const start = new Date(now.getTime() + (open ? -60 : 180) * 60000);
    const hhmm = `${String(start.getUTCHours()).padStart(2, "0")}:${String(start.getUTCMinutes()).padStart(2, "0")}`;
    return [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start: hhmm, durationMinutes: open ? 120 : 15 }];
}

describe("Kubespray runner against fixture playbooks (real ansible-playbook on localhost)", function () {
    this.timeout(120000);

    it("install: waits for cloud-init (exit 2, degraded, is reported, not a failure), runs cluster.yml on every host, prints its state, keeps the full log in a file", () => {
        const spec = specOf();
        const box = sandbox(spec);
        fs.writeFileSync(path.join(box.state, "cloud-init-degraded"), "");
        const result = runRunner(box, "cluster", "t1-cluster", clusterOf(spec));
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(result.playbooks.map((r) => [r.playbook, r.limit, r.hosts.length]), [["cluster.yml", "", 5]]);
        assert.strictEqual(result.playbooks[0].key_file_mode, "600");
        assert.strictEqual(result.playbooks[0].kube_version, "1.33.7");
        assert.strictEqual(result.playbooks[0].checkout, path.join(box.home, "kubespray-2.31.0"));
        assert.ok(result.records.some((r) => r["cloud-init"] === "status --wait"));
        assert.deepStrictEqual(JSON.parse(result.stdout), clusterOf(spec));
        const log = /full log: (\S+)/.exec(result.stderr)![1];
        assert.match(fs.readFileSync(log, "utf8"), /\[install \(cluster\.yml\)\] PLAY RECAP/);
        assert.match(result.stderr, /\[kubespray: t1-cluster\] install \(cluster\.yml\)/, "each step's title");
        assert.ok(!result.stderr.includes("runner-test-key") && !fs.readFileSync(log, "utf8").includes("runner-test-key"), "the key is never printed");
        assert.ok(!fs.existsSync(path.join(box.home, "stack", "kubespray.lock")), "the lock is released");
        assert.match(result.stderr, /cloud-init finished degraded on t1-cp-1 \(exit 2\): status: degraded done; continuing/);
    });

    it("scale: facts.yml, then scale.yml limited to exactly the new workers", () => {
        const before = specOf();
        const after = specOf({ "infrastructure.workerPools[0].count": 4 });
        const box = sandbox(after);
        setNodes(box, before.nodes.map((n) => n.name));
        const result = runRunner(box, "workers", "t1-workers", workersState(after), workersState(before));
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(result.playbooks.map((r) => [r.playbook, r.limit, r.hosts]), [
            ["playbooks/facts.yml", "", after.nodes.map((n) => n.name)],
            ["scale.yml", "t1-w-3,t1-w-4", ["t1-w-3", "t1-w-4"]],
        ]);
    });

    it("removes two workers in one remove-node.yml run, still in that run's inventory at their cluster addresses", () => {
        const before = specOf({ "infrastructure.workerPools[0].count": 3 });
        const after = specOf({ "infrastructure.workerPools[0].count": 1 });
        const box = sandbox(after);
        setNodes(box, before.nodes.map((n) => n.name));
        setSettings(box, (s) => ({ ...s, maintenanceWindows: windows(true) }));
        const result = runRunner(box, "workers", "t1-workers", workersState(after), workersState(before));
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(result.playbooks.map((r) => [r.playbook, r.node, r.skip_confirmation, r.reset_nodes, r.hosts.includes("t1-w-2") && r.hosts.includes("t1-w-3")]), [["remove-node.yml", "t1-w-2,t1-w-3", true, true, true]]);
    });

    it("removes an unreachable worker the stack file names with reset_nodes=false and allow_ungraceful_removal=true", () => {
        const before = specOf({ "infrastructure.workerPools[0].count": 3 });
        const after = specOf({ "operations.removeUnreachable": ["t1-w-3"] });
        const box = sandbox(after);
        setNodes(box, before.nodes.map((n) => n.name));
        const result = runRunner(box, "workers", "t1-workers", workersState(after), workersState(before));
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(result.playbooks.map((r) => [r.playbook, r.node, r.reset_nodes, r.allow_ungraceful_removal]), [["remove-node.yml", "t1-w-3", false, true]]);
    });

    it("lost quorum: plans without the API, downloads the named snapshot with the stack's credentials (signed, never printed), runs recover-control-plane.yml with the broken groups, waits for the nodes, removes the snapshot", async () => {
        const request = { ...BACKUP_STORAGE, "operations.replaceNodes": [{ node: "t1-cp-2", generation: 1 }, { node: "t1-cp-3", generation: 1 }] };
        const before = specOf(BACKUP_STORAGE);
        const objects = new Map([[`/t1-backups/${SNAPSHOT_KEY}`, "etcd-snapshot-bytes"]]);
        const requests: { path: string; authorization: string }[] = [];
        const server = http.createServer((req, res) => {
            requests.push({ path: req.url ?? "", authorization: String(req.headers.authorization ?? "") });
            const body = objects.get(req.url ?? "");
            if (body === undefined) {
                res.writeHead(404, { "content-type": "application/xml" }).end("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId></Error>");
            } else {
                res.writeHead(200).end(body);
            }
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            const after = specOf({ ...request, "backup.storage": { bucket: "t1-backups", region: "eu-west-1", s3Url: endpoint }, "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { s3Key: SNAPSHOT_KEY } } });
            const box = sandbox(after);
            fs.writeFileSync(path.join(box.state, "api-down"), "");
            for (const n of ["t1-cp-2", "t1-cp-3"]) fs.writeFileSync(path.join(box.state, `boot-${n}`), "boot-new");
            const input = JSON.stringify({ key: KEY, backupStorage: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "s3cr3t-never-printed" } });
            const result = await runRunnerAsync(box, "cluster", "t1-cluster", clusterState(after, API_HOST), clusterState(before, API_HOST), input);
            assert.strictEqual(result.status, 0, result.stderr);
            assert.match(result.stderr, /the API does not answer .*going on without the node list while the control plane is recovered/);
            assert.deepStrictEqual(requests.map((r) => r.path), [`/t1-backups/${SNAPSHOT_KEY}`]);
            assert.match(requests[0].authorization, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
            const recovery = result.playbooks.find((r) => r.playbook === "recover-control-plane.yml")!;
            assert.deepStrictEqual([recovery.limit, recovery.etcd_retries, recovery.broken_etcd, recovery.broken_kube_control_plane, recovery.etcd, recovery.control_plane], [
                "etcd,kube_control_plane", 10, ["t1-cp-2", "t1-cp-3"], ["t1-cp-2", "t1-cp-3"], ["t1-cp-1", "t1-cp-2", "t1-cp-3"], ["t1-cp-1", "t1-cp-2", "t1-cp-3"],
            ]);
            assert.deepStrictEqual([recovery.snapshot_content, recovery.snapshot_mode], ["etcd-snapshot-bytes", "600"]);
            assert.ok(String(recovery.etcd_snapshot).startsWith(path.join(box.home, "stack", "snapshots")), recovery.etcd_snapshot);
            assert.ok(!fs.existsSync(path.join(box.home, "stack", "snapshots", String(path.basename(path.dirname(recovery.etcd_snapshot))))), "the snapshot does not outlive the run");
            assert.deepStrictEqual(result.playbooks.map((r) => r.playbook), ["playbooks/facts.yml", "recover-control-plane.yml"]);
            assert.deepStrictEqual(result.records.filter((r) => String(r.kubectl).startsWith("read node")).map((r) => r.kubectl), ["read node t1-cp-2", "read node t1-cp-3"]);
            const log = /full log: (\S+)/.exec(result.stderr)![1];
            assert.ok(!`${result.stderr}${fs.readFileSync(log, "utf8")}`.includes("s3cr3t-never-printed"), "the secret key is never printed");
            assert.deepStrictEqual(JSON.parse(result.stdout), clusterState(after, API_HOST));
            // A key that is not there fails the step, naming S3's error, never the access key.
            const missing = specOf({ ...request, "backup.storage": { bucket: "t1-backups", region: "eu-west-1", s3Url: endpoint }, "operations.recoverControlPlane": { broken: ["t1-cp-2", "t1-cp-3"], etcdSnapshot: { s3Key: "etcd-snapshots/t1/scheduled/none.db" } } });
            const failed = await runRunnerAsync(box, "cluster", "t1-cluster", clusterState(missing, API_HOST), clusterState(before, API_HOST), input);
            assert.strictEqual(failed.status, 1);
            assert.match(failed.stderr, /fetch the etcd snapshot.*HTTP 404 \(NoSuchKey: The specified key does not exist\.\)/);
            assert.ok(!failed.stderr.includes("AKIDEXAMPLE</"), failed.stderr);
            assert.ok(!failed.playbooks.some((r) => r.playbook === "recover-control-plane.yml"));
        } finally {
            server.close();
        }
    });

    it("a dead control-plane node: its gate and ready run without the API; the recovery restores from a snapshot file fetched from a surviving node", () => {
        const before = specOf();
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-cp-2", generation: 1 }], "operations.recoverControlPlane": { broken: ["t1-cp-2"] } });
        const box = sandbox(after);
        fs.writeFileSync(path.join(box.state, "api-down"), "");
        const previous = machineState(before, node(before, "t1-cp-2"));
        const desired = machineState(after, node(after, "t1-cp-2"));
        const gate = runRunner(box, "gate", "t1-cp-2-gate", desired, previous);
        assert.strictEqual(gate.status, 0, gate.stderr);
        assert.deepStrictEqual([gate.playbooks, gate.records.filter((r) => r.kubectl)], [[], []], "no drain, no removal: the recovery does that");
        const ready = runRunner(box, "ready", "t1-cp-2-ready", desired, previous);
        assert.strictEqual(ready.status, 0, ready.stderr);
        assert.deepStrictEqual(ready.playbooks, []);
        assert.ok(ready.records.some((r) => r["cloud-init"] === "status --wait"), "its new machine is awaited");
        // The snapshot on a surviving node (the runner's own on-node pre-upgrade snapshot, say), restored if quorum is lost.
        const file = path.join(box.home, "etcd-pre-upgrade-1-33-7.db");
        fs.writeFileSync(file, "on-node-snapshot");
        const withFile = specOf({ "operations.replaceNodes": [{ node: "t1-cp-2", generation: 1 }], "operations.recoverControlPlane": { broken: ["t1-cp-2"], etcdSnapshot: { node: "t1-cp-1", path: file } } });
        fs.writeFileSync(path.join(box.state, "boot-t1-cp-2"), "boot-new");
        const recovered = runRunner(box, "cluster", "t1-cluster", clusterOf(withFile), clusterOf(before));
        assert.strictEqual(recovered.status, 0, recovered.stderr);
        const run = recovered.playbooks.find((r) => r.playbook === "recover-control-plane.yml")!;
        assert.deepStrictEqual([run.broken_etcd, run.etcd, run.snapshot_content, run.snapshot_mode], [["t1-cp-2"], ["t1-cp-1", "t1-cp-3", "t1-cp-2"], "on-node-snapshot", "600"]);
    });

    it("pre-upgrade snapshot: a Job from the etcd-backup CronJob when the cluster has it (off the node), failing loudly before any upgrade; else on the node, saying so", () => {
        const before = specOf({ "kubernetes.version": "1.33.5" });
        const after = specOf({ "kubernetes.version": "1.33.7" });
        const box = sandbox(after);
        setSettings(box, (s) => ({ ...s, maintenanceWindows: windows(true) }));
        fs.writeFileSync(path.join(box.state, "cronjob"), "");
        fs.writeFileSync(path.join(box.state, "job-conditions"), "Complete");
        const ok = runRunner(box, "cluster", "t1-cluster", clusterOf(after), clusterOf(before));
        assert.strictEqual(ok.status, 0, ok.stderr);
        const calls = ok.records.filter((r) => r.kubectl).map((r) => String(r.kubectl).replace("--kubeconfig /etc/kubernetes/admin.conf ", ""));
        assert.deepStrictEqual(calls.slice(0, 2), ["-n kube-system delete job etcd-backup-pre-upgrade-1-33-7 --ignore-not-found --wait=true", "-n kube-system create job etcd-backup-pre-upgrade-1-33-7 --from=cronjob/etcd-backup"]);
        assert.match(ok.stderr, /etcd snapshot stored off the nodes: s3:\/\/t1-backups\/etcd-snapshots\/t1\/pre-upgrade-1-33-7\/\S+\.db \(Job kube-system\/etcd-backup-pre-upgrade-1-33-7\)/);
        assert.deepStrictEqual(ok.playbooks.map((r) => r.playbook), ["upgrade-cluster.yml"]);
        assert.ok(!ok.records.some((r) => r.etcdctl), "no snapshot left on the node");
        fs.writeFileSync(path.join(box.state, "job-conditions"), "FailureTarget Failed");
        const failed = runRunner(box, "cluster", "t1-cluster", clusterOf(after), clusterOf(before));
        assert.strictEqual(failed.status, 1);
        assert.match(failed.stderr, /the etcd snapshot Job kube-system\/etcd-backup-pre-upgrade-1-33-7 failed, so nothing was upgraded/);
        assert.deepStrictEqual(failed.playbooks, []);
        fs.rmSync(path.join(box.state, "cronjob"));
        const onNode = runRunner(box, "cluster", "t1-cluster", clusterOf(after), clusterOf(before));
        assert.strictEqual(onNode.status, 0, onNode.stderr);
        assert.deepStrictEqual(onNode.records.filter((r) => r.etcdctl).map((r) => r.etcdctl), ["snapshot save /var/backups/etcd-pre-upgrade-1-33-7.db"]);
        assert.match(onNode.stderr, /etcd snapshot written ON THE NODE t1-cp-1:\/var\/backups\/etcd-pre-upgrade-1-33-7\.db: it is NOT off the node/);
    });

    it("refuses the two-minor upgrade with a clear message and records nothing", () => {
        const before = specOf({ "kubernetes.version": "1.33.5" });
        const after = specOf({ "kubernetes.version": "1.35.0" });
        const box = sandbox(after);
        const result = runRunner(box, "cluster", "t1-cluster", clusterOf(after), clusterOf(before));
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /more than one minor step/);
        assert.strictEqual(result.stdout, "");
        assert.deepStrictEqual(result.playbooks, []);
    });

    it("outside the window: refuses with the break-glass token; the environment of pulumi up cannot open it; the stack file's token does", () => {
        const before = specOf({ "kubernetes.version": "1.33.5" });
        const after = specOf({ "kubernetes.version": "1.33.7" });
        const box = sandbox(after);
        setSettings(box, (s) => ({ ...s, maintenanceWindows: windows(false) }));
        const token = breakGlassToken("t1-cluster", clusterOf(after));
        const bypass = { KUBESPRAY_BREAK_GLASS: "acknowledged", KUBESPRAY_NOW: new Date(Date.now() + 3 * 3600000).toISOString(), KUBESPRAY_MAINTENANCE_WINDOWS: "[]", KUBESPRAY_BREAK_GLASS_TOKEN: token };
        const refused = runRunner(box, "cluster", "t1-cluster", clusterOf(after), clusterOf(before), bypass);
        assert.strictEqual(refused.status, 1);
        assert.match(refused.stderr, /outside the maintenance windows \(mon,tue,wed,thu,fri,sat,sun \d\d:\d\d UTC for 15 min\)/);
        assert.ok(refused.stderr.includes(`set operations.breakGlass: ${token}`), refused.stderr);
        assert.deepStrictEqual(refused.playbooks, []);
        setSettings(box, (s) => ({ ...s, breakGlass: breakGlassToken("t1-workers", clusterOf(after)) }));
        assert.strictEqual(runRunner(box, "cluster", "t1-cluster", clusterOf(after), clusterOf(before)).status, 1, "another command's token does not open this one");
        setSettings(box, (s) => ({ ...s, breakGlass: token }));
        const acknowledged = runRunner(box, "cluster", "t1-cluster", clusterOf(after), clusterOf(before));
        assert.strictEqual(acknowledged.status, 0, acknowledged.stderr);
        assert.deepStrictEqual(acknowledged.playbooks.map((r) => r.playbook), ["upgrade-cluster.yml"]);
        setSettings(box, (s) => ({ ...s, breakGlass: undefined, maintenanceWindows: windows(true) }));
        assert.strictEqual(runRunner(box, "cluster", "t1-cluster", clusterOf(after), clusterOf(before)).status, 0, "inside a window");
    });

    it("replaces the first control-plane node: demoted and removed (it is last), rejoined last, Ready only on a new boot", () => {
        const before = specOf();
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-cp-1", generation: 1 }] });
        const previous = machineState(before, node(before, "t1-cp-1"));
        const desired = machineState(after, node(after, "t1-cp-1"));
        const box = sandbox(after);
        fs.writeFileSync(path.join(box.state, "boot-t1-cp-1"), "boot-old");
        const gate = runRunner(box, "gate", "t1-cp-1-gate", desired, previous);
        assert.strictEqual(gate.status, 0, gate.stderr);
        assert.ok(gate.records.some((r) => String(r.kubectl).startsWith("--kubeconfig /etc/kubernetes/admin.conf drain t1-cp-1 --ignore-daemonsets --delete-emptydir-data --grace-period=300 --timeout=360s")));
        assert.deepStrictEqual(gate.playbooks.map((r) => [r.playbook, r.node, r.control_plane, r.etcd]), [
            ["cluster.yml", "", ["t1-cp-2", "t1-cp-3", "t1-cp-1"], ["t1-cp-2", "t1-cp-3", "t1-cp-1"]],
            ["remove-node.yml", "t1-cp-1", ["t1-cp-2", "t1-cp-3", "t1-cp-1"], ["t1-cp-2", "t1-cp-3", "t1-cp-1"]],
        ]);
        // The machine is recreated; the cluster no longer has the node; a stale Node object shows the old boot once.
        setNodes(box, ["t1-cp-2", "t1-cp-3", "t1-w-1", "t1-w-2"]);
        fs.writeFileSync(path.join(box.state, "boot-next-t1-cp-1"), "boot-new");
        const ready = runRunner(box, "ready", "t1-cp-1-ready", desired, previous);
        assert.strictEqual(ready.status, 0, ready.stderr);
        assert.deepStrictEqual(ready.playbooks.map((r) => [r.playbook, r.limit, r.ignore_assert_errors, r.control_plane]), [
            ["playbooks/facts.yml", "", false, ["t1-cp-2", "t1-cp-3", "t1-cp-1"]],
            ["cluster.yml", "etcd,kube_control_plane", true, ["t1-cp-2", "t1-cp-3", "t1-cp-1"]],
            ["upgrade-cluster.yml", "etcd,kube_control_plane", true, ["t1-cp-2", "t1-cp-3", "t1-cp-1"]],
        ]);
        assert.strictEqual(ready.records.filter((r) => r.kubectl === "read node t1-cp-1").length, 2, "the stale boot was not accepted");
        assert.ok(ready.records.some((r) => String(r.kubectl).includes("uncordon t1-cp-1")));
    });

    it("never takes a stale Node object for the new machine: the boot ID must change", () => {
        const before = specOf();
        const after = specOf({ "infrastructure.controlPlane.size": "m1.2xlarge" });
        const previous = machineState(before, node(before, "t1-cp-2"));
        const desired = machineState(after, node(after, "t1-cp-2"));
        const box = sandbox(after);
        fs.writeFileSync(path.join(box.state, "boot-t1-cp-2"), "boot-same");
        setSettings(box, (s) => ({ ...s, maintenanceWindows: windows(true) }));
        assert.strictEqual(runRunner(box, "gate", "t1-cp-2-gate", desired, previous).status, 0);
        const ready = runRunner(box, "ready", "t1-cp-2-ready", desired, previous, { KUBESPRAY_READY_TIMEOUT: "0" });
        assert.strictEqual(ready.status, 1);
        assert.match(ready.stderr, /t1-cp-2 did not become Ready on a new boot within 0s: it still shows the boot from before its machine changed/);
        assert.ok(!ready.records.some((r) => String(r.kubectl).includes("uncordon")));
    });

    it("keeps stdout and stderr far below 128 KiB whatever Ansible prints; the full log is in the file; a failure prints its last lines", () => {
        const spec = specOf();
        const box = sandbox(spec);
        const tool = path.join(box.home, "kubespray-2.31.0", ".venv", "bin", "ansible-playbook");
        fs.rmSync(tool);
        // A stand-in ansible-playbook that writes about 4 MiB to each stream, then fails.
        fs.writeFileSync(tool, "#!/bin/sh\nyes 'TASK [kubernetes/preinstall : a long line of ansible output] ************************' | head -n 45000\nyes 'PLAY [noise] *' | head -n 45000 >&2\necho 'fatal: [t1-cp-1]: FAILED! => the last words'\nexit 2\n", { mode: 0o755 });
        const result = runRunner(box, "cluster", "t1-cluster", clusterOf(spec));
        assert.strictEqual(result.status, 1);
        const bytes = Buffer.byteLength(result.stderr) + Buffer.byteLength(result.stdout);
        assert.ok(bytes <= STDERR_BUDGET + 1024 && STDERR_BUDGET <= 32 * 1024, `${bytes} bytes reached the command's outputs`);
        assert.match(result.stderr, /last \d+ lines of the failed step:/);
        assert.match(result.stderr, /fatal: \[t1-cp-1\]: FAILED! => the last words/);
        assert.match(result.stderr, /further progress is only in the log/);
        const log = /full log: (\S+)/.exec(result.stderr)![1];
        assert.ok(fs.statSync(log).size > 4 * 1024 * 1024, "the log has everything");
        assert.strictEqual(result.stdout, "");
    });

    it("runs one Kubespray run per cluster at a time: waits for the holder with a clear message, takes over a dead holder's lock", async () => {
        const spec = specOf();
        const box = sandbox(spec);
        const lock = path.join(box.home, "stack", "kubespray.lock");
        fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, command: "t1-w-1-gate", since: "2026-01-01T00:00:00Z" }));
        fs.writeFileSync(box.record, "");
        const change = reconfigure(spec);
        const child = spawn(process.execPath, ["dist/components/kubespray/runner/main.js", "cluster"], { cwd: ROOT, env: runnerEnv(box, "t1-cluster", change.desired, change.previous) });
        child.stdin.end(KEY);
        let stderr = "";
        await new Promise<void>((resolve) => child.stderr.on("data", (d) => {
            stderr += d;
            if (stderr.includes("waiting:")) resolve();
        }));
        assert.match(stderr, /waiting: t1-w-1-gate \(pid \d+, since 2026-01-01T00:00:00Z\) is running Kubespray on this cluster; one run at a time/);
        assert.deepStrictEqual(records(box).playbooks, [], "nothing ran while the lock was held");
        fs.rmSync(lock);
        const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
        assert.strictEqual(status, 0, stderr);
        assert.deepStrictEqual(records(box).playbooks.map((r) => r.playbook), ["cluster.yml"]);
        // A holder killed with SIGKILL leaves its lock behind: its pid is gone, so the next run takes over.
        const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
        fs.writeFileSync(lock, JSON.stringify({ pid: Number(dead), command: "t1-cluster", since: "2026-01-01T00:00:00Z" }));
        assert.strictEqual(runRunner(box, "cluster", "t1-cluster", change.desired, change.previous).status, 0);
        assert.ok(!fs.existsSync(lock));
        // Released on failure too.
        assert.strictEqual(runRunner(box, "cluster", "t1-cluster", clusterOf(specOf({ "kubernetes.version": "1.35.0" })), clusterOf(spec)).status, 1);
        assert.ok(!fs.existsSync(lock));
    });

    it("each stack runs the Kubespray release it pins, side by side", () => {
        const a = specOf();
        const box = sandbox(a, "stack-a");
        const b = specOf({ "meta.name": "t9" });
        const pinned = { ...b, kubespray: { ...b.kubespray, version: "2.30.0" } } as ClusterSpec;
        makeCheckout(box.home, "2.30.0");
        writeStack(box.home, "stack-b", pinned);
        const runA = runRunner(box, "cluster", "t1-cluster", reconfigure(a).desired, reconfigure(a).previous);
        const runB = runRunner({ ...box, stack: "stack-b" }, "cluster", "t9-cluster", reconfigure(pinned).desired, reconfigure(pinned).previous);
        assert.strictEqual(runA.status, 0, runA.stderr);
        assert.strictEqual(runB.status, 0, runB.stderr);
        assert.strictEqual(runA.playbooks[0].checkout, path.join(box.home, "kubespray-2.31.0"));
        assert.strictEqual(runB.playbooks[0].checkout, path.join(box.home, "kubespray-2.30.0"));
        assert.ok(!fs.existsSync(path.join(box.home, "current")), "no shared current link");
    });

    it("container runner: Ansible runs in the stack's image, host paths mounted as they are, `--` before the image; a non-reference is refused", () => {
        const spec = specOf();
        const box = sandbox(spec);
        const image = "quay.io/kubespray/kubespray:v2.31.0";
        setSettings(box, (s) => ({ ...s, runner: "container", image }));
        fs.writeFileSync(path.join(box.home, "stack", "image-pulled"), image);
        const env = { KUBESPRAY_CONTAINER_RUNTIME: path.join(FIXTURE, "fake-docker") };
        const result = runRunner(box, "cluster", "t1-cluster", clusterOf(spec), undefined, env);
        assert.strictEqual(result.status, 0, result.stderr);
        const calls = fs.readFileSync(`${box.record}.docker`, "utf8").trim().split("\n");
        const playbookCall = calls.find((c) => c.includes(" ansible-playbook "))!;
        assert.ok(playbookCall.startsWith("run --rm --network host -v "), playbookCall);
        assert.ok(playbookCall.includes(`-w /kubespray -- ${image} ansible-playbook -i ${path.join(box.home, "stack", "runs")}`), playbookCall);
        assert.ok(playbookCall.includes("-e ANSIBLE_CONFIG=/kubespray/ansible.cfg"), playbookCall);
        assert.ok(playbookCall.endsWith(" cluster.yml"), playbookCall);
        assert.ok(calls.every((c) => !c.includes("runner-test-key")), "the key is mounted, never passed");
        fs.rmSync(`${box.record}.docker`);
        for (const hostile of ["-v/:/host", "--privileged", "../../etc", "a".repeat(300)]) {
            setSettings(box, (s) => ({ ...s, image: hostile }));
            fs.writeFileSync(path.join(box.home, "stack", "image-pulled"), hostile);
            const refused = runRunner(box, "cluster", "t1-cluster", clusterOf(spec), undefined, env);
            assert.strictEqual(refused.status, 1);
            assert.match(refused.stderr, /is not an image reference \(kubespray\.runner\.image\)/);
            assert.ok(!fs.existsSync(`${box.record}.docker`), `${hostile} reached the container runtime`);
        }
    });

    it("kubeconfig: a service-account token that does not expire, the same on every run, never in the log", () => {
        const spec = specOf();
        const box = sandbox(spec);
        const desired = kubeconfigState(spec, API_HOST);
        const result = runRunner(box, "kubeconfig", "t1-kubeconfig", desired);
        assert.strictEqual(result.status, 0, result.stderr);
        assert.match(result.stdout, /server: https:\/\/10\.0\.0\.5:6443\n {4}certificate-authority-data: Q0EtREFUQQ==/);
        assert.match(result.stdout, /\n {4}token: token-123\n/);
        // The token's generation and its Secret's creation time, for the key expiry policies (clients ignore extensions).
        assert.match(result.stdout, /\n {4}extensions:\n {4}- name: clusters\.pulumi\.io\/token\n {6}extension:\n {8}generation: 0\n {8}createdAt: "2026-03-01T10:00:00\.000Z"\n/);
        const applied = result.records.find((r) => String(r.kubectl).includes("apply -f -"))!;
        const objects = JSON.parse(applied.stdin).items.map((o: { kind: string; type?: string }) => `${o.kind}${o.type ? `/${o.type}` : ""}`);
        assert.deepStrictEqual(objects, ["ServiceAccount", "ClusterRoleBinding", "Secret/kubernetes.io/service-account-token"]);
        const again = runRunner(box, "kubeconfig", "t1-kubeconfig", desired);
        assert.strictEqual(again.stdout, result.stdout, "stable across runs: the provider sees no diff");
        const log = /full log: (\S+)/.exec(result.stderr)![1];
        assert.ok(!fs.readFileSync(log, "utf8").includes("token-123") && !result.stderr.includes("token-123"));
    });

    it("prepares a fresh machine from the settings the program wrote, before any operation", () => {
        const spec = specOf();
        const box = sandbox(spec);
        fs.rmSync(path.join(box.home, "kubespray-2.31.0"), { recursive: true });
        const result = runRunner(box, "workers", "t1-workers", workersState(spec));
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /FAILED: step "clone Kubespray" failed: git exited with 128/);
        assert.match(result.stderr, /no-such-repository/);
    });

    it("ships SSH key and kubeconfig playbooks that ansible accepts", () => {
        for (const book of ["authorize-keys.yml", "kubeconfig-account.yml"]) {
            const result = spawnSync("ansible-playbook", ["--syntax-check", "-i", "localhost,", "-e", "target=localhost", path.join(ROOT, "components", "kubespray", "playbooks", book)], { encoding: "utf8" });
            assert.strictEqual(result.status, 0, result.stderr);
        }
    });

    it("says which tools are missing before any long step", () => {
        const box = sandbox(specOf());
        const result = spawnSync(process.execPath, ["dist/components/kubespray/runner/main.js", "prepare"], {
            cwd: ROOT, encoding: "utf8", input: "",
            env: { PATH: fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-")), KUBESPRAY_HOME: box.home, KUBESPRAY_STACK: "stack", KUBESPRAY_VERSION: "2.31.0", KUBESPRAY_RUNNER: "venv", KUBESPRAY_DESIRED: "{}" },
        });
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /missing on this machine: python3, git, ssh, ssh-keygen/);
    });
});
