import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderInventory } from "../../components/kubespray/inventory";
import { clusterState, machineState, workersState, type CommandState } from "../../components/kubespray/state";
import { writeInventory } from "../../components/kubespray/workspace";
import { loadClusterSpec, type ClusterSpec } from "../../spec";
import { openstackConfig, withValue } from "../fixtures/configs";

const FIXTURE = path.join(__dirname, "..", "fixtures", "kubespray");
const ROOT = path.join(__dirname, "..", "..");
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nrunner-test-key\n-----END OPENSSH PRIVATE KEY-----\n";

interface Sandbox {
    readonly home: string;
    readonly record: string;
    readonly nodes: string;
}

/** A Kubespray home whose "checkout" is the fixture playbooks and whose venv is Debian's ansible. */
function sandbox(spec: ClusterSpec): Sandbox {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "runner-"));
    const checkout = path.join(home, "kubespray-fixture");
    fs.mkdirSync(path.join(checkout, ".venv", "bin"), { recursive: true });
    for (const file of fs.readdirSync(FIXTURE).filter((f) => f.endsWith(".yml"))) {
        fs.copyFileSync(path.join(FIXTURE, file), path.join(checkout, file));
    }
    for (const tool of ["ansible", "ansible-playbook"]) {
        fs.symlinkSync(`/usr/bin/${tool}`, path.join(checkout, ".venv", "bin", tool));
    }
    fs.symlinkSync("kubespray-fixture", path.join(home, "current"));
    writeInventory(path.join(home, "stack", "inventory"), renderInventory({ spec, apiHost: "10.0.0.5" }));
    const record = path.join(home, "record.jsonl");
    const nodes = path.join(home, "nodes");
    fs.writeFileSync(record, "");
    fs.writeFileSync(nodes, spec.nodes.map((n) => n.name).join(" "));
    return { home, record, nodes };
}

function runRunner(box: Sandbox, operation: string, desired: CommandState, previous?: CommandState, extraEnv: Record<string, string> = {}) {
    const result = spawnSync(process.execPath, ["dist/components/kubespray/runner/main.js", operation], {
        cwd: ROOT,
        input: KEY,
        encoding: "utf8",
        env: {
            PATH: `${path.join(FIXTURE, "bin")}:${process.env.PATH}`,
            HOME: process.env.HOME,
            KUBESPRAY_HOME: box.home,
            KUBESPRAY_STACK: "stack",
            KUBESPRAY_RUNNER: "venv",
            KUBESPRAY_IMAGE: "",
            KUBESPRAY_DESIRED: JSON.stringify(desired),
            PULUMI_COMMAND_STDOUT: previous ? JSON.stringify(previous) : "",
            KUBESPRAY_RECORD: box.record,
            FAKE_NODES: box.nodes,
            // Standard Ansible settings that point every host at this machine.
            ANSIBLE_TRANSPORT: "local",
            ANSIBLE_HOST_KEY_CHECKING: "false",
            ANSIBLE_NOCOLOR: "1",
            ANSIBLE_LOCAL_TEMP: path.join(box.home, "ansible-tmp"),
            ANSIBLE_REMOTE_TEMP: path.join(box.home, "ansible-tmp"),
            ...extraEnv,
        },
    });
    const records = fs.readFileSync(box.record, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
    return { ...result, records, playbooks: records.filter((r) => r.playbook) };
}

const specOf = (edits: Record<string, unknown> = {}) => loadClusterSpec(Object.entries(edits).reduce((c, [k, v]) => withValue(c, k, v), openstackConfig())).spec;
const clusterOf = (spec: ClusterSpec) => clusterState(spec, renderInventory({ spec, apiHost: "10.0.0.5" }));

describe("Kubespray runner against fixture playbooks (real ansible-playbook on localhost)", function () {
    this.timeout(120000);

    it("install: waits for cloud-init, runs cluster.yml on every host, key file 0600, prints its state", () => {
        const spec = specOf();
        const box = sandbox(spec);
        const result = runRunner(box, "cluster", clusterOf(spec));
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(result.playbooks.map((r) => [r.playbook, r.limit, r.hosts.length]), [["cluster.yml", "", 5]]);
        assert.strictEqual(result.playbooks[0].key_file_mode, "600");
        assert.strictEqual(result.playbooks[0].kube_version, "1.33.7");
        assert.ok(result.records.some((r) => r["cloud-init"] === "status --wait"));
        assert.deepStrictEqual(JSON.parse(result.stdout), clusterOf(spec));
        assert.match(result.stderr, /\[kubespray: install \(cluster\.yml\)\] /, "output streams with the step's name");
        assert.ok(!result.stderr.includes("runner-test-key") && !result.stdout.includes("runner-test-key"), "the key is never printed");
    });

    it("scale: facts.yml, then scale.yml limited to exactly the new workers", () => {
        const before = specOf();
        const after = specOf({ "infrastructure.workerPools[0].count": 4 });
        const box = sandbox(after);
        fs.writeFileSync(box.nodes, before.nodes.map((n) => n.name).join(" "));
        const result = runRunner(box, "workers", workersState(after), workersState(before));
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(result.playbooks.map((r) => [r.playbook, r.limit, r.hosts]), [
            ["facts.yml", "", after.nodes.map((n) => n.name)],
            ["scale.yml", "t1-w-3,t1-w-4", ["t1-w-3", "t1-w-4"]],
        ]);
    });

    it("remove: remove-node.yml for the dropped worker, non-interactive, with it still in the inventory", () => {
        const before = specOf();
        const after = specOf({ "infrastructure.workerPools[0].count": 1 });
        const box = sandbox(after);
        fs.writeFileSync(box.nodes, before.nodes.map((n) => n.name).join(" "));
        const result = runRunner(box, "workers", workersState(after), workersState(before), { KUBESPRAY_NOW: "2026-11-22T03:00:00Z" });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(result.playbooks.map((r) => [r.playbook, r.node, r.skip_confirmation, r.hosts.includes("t1-w-2")]), [["remove-node.yml", "t1-w-2", true, true]]);
    });

    it("upgrade: etcd snapshot, then upgrade-cluster.yml with serial and drain settings", () => {
        const before = specOf({ "kubernetes.version": "1.33.5" });
        const after = specOf({ "kubernetes.version": "1.34.1", "operations.upgrade.workerBatch": 2 });
        const box = sandbox(after);
        const result = runRunner(box, "cluster", clusterOf(after), clusterOf(before));
        assert.strictEqual(result.status, 0, result.stderr);
        assert.ok(result.records.some((r) => String(r.etcdctl).startsWith("snapshot save /var/backups/etcd-pre-upgrade-1.34.1.db")));
        assert.deepStrictEqual(result.playbooks.map((r) => [r.playbook, r.serial, r.drain_timeout, r.kube_version]), [["upgrade-cluster.yml", "2", "360s", "1.34.1"]]);
    });

    it("refuses a two-minor upgrade with a clear message and records nothing", () => {
        const before = specOf({ "kubernetes.version": "1.33.5" });
        const after = specOf({ "kubernetes.version": "1.35.0" });
        const box = sandbox(after);
        const result = runRunner(box, "cluster", clusterOf(after), clusterOf(before));
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /more than one minor step/);
        assert.strictEqual(result.stdout, "");
        assert.deepStrictEqual(result.playbooks, []);
    });

    it("outside the maintenance window: refuses and prints the break-glass token; with it, runs", () => {
        const before = specOf({ "kubernetes.version": "1.33.5" });
        const after = specOf({ "kubernetes.version": "1.33.7" });
        const box = sandbox(after);
        const windows = JSON.stringify([{ days: ["sat"], start: "02:00", durationMinutes: 120 }]);
        const env = { KUBESPRAY_MAINTENANCE_WINDOWS: windows, KUBESPRAY_NOW: "2026-11-23T12:00:00Z", KUBESPRAY_BREAK_GLASS_TOKEN: "bg-0123456789" };
        const refused = runRunner(box, "cluster", clusterOf(after), clusterOf(before), env);
        assert.strictEqual(refused.status, 1);
        assert.match(refused.stderr, /outside the maintenance windows \(sat 02:00 UTC for 120 min\)/);
        assert.match(refused.stderr, /set operations\.breakGlass: bg-0123456789/);
        assert.deepStrictEqual(refused.playbooks, []);
        const inside = runRunner(box, "cluster", clusterOf(after), clusterOf(before), { ...env, KUBESPRAY_NOW: "2026-11-28T03:30:00Z" });
        assert.strictEqual(inside.status, 0, inside.stderr);
        const acknowledged = runRunner(sandbox(after), "cluster", clusterOf(after), clusterOf(before), { ...env, KUBESPRAY_BREAK_GLASS: "acknowledged" });
        assert.strictEqual(acknowledged.status, 0, acknowledged.stderr);
        assert.deepStrictEqual(acknowledged.playbooks.map((r) => r.playbook), ["upgrade-cluster.yml"]);
    });

    it("replace: the gate drains and removes the node (moved last in the control plane), the ready step rejoins it", () => {
        const before = specOf();
        const after = specOf({ "operations.replaceNodes": [{ node: "t1-cp-1", generation: 1 }] });
        const node = after.nodes.find((n) => n.name === "t1-cp-1")!;
        const previous = machineState(before, before.nodes.find((n) => n.name === "t1-cp-1")!);
        const box = sandbox(after);
        const gate = runRunner(box, "gate", machineState(after, node), previous, { KUBESPRAY_DRAIN: JSON.stringify({ gracePeriodSeconds: 60, timeoutSeconds: 120 }) });
        assert.strictEqual(gate.status, 0, gate.stderr);
        assert.ok(gate.records.some((r) => r.kubectl === "--kubeconfig /etc/kubernetes/admin.conf drain t1-cp-1 --ignore-daemonsets --delete-emptydir-data --grace-period=60 --timeout=120s"));
        assert.deepStrictEqual(gate.playbooks.map((r) => [r.playbook, r.node, r.control_plane]), [["remove-node.yml", "t1-cp-1", ["t1-cp-2", "t1-cp-3", "t1-cp-1"]]]);
        fs.writeFileSync(box.nodes, "t1-cp-2 t1-cp-3 t1-w-1 t1-w-2");
        fs.writeFileSync(box.record, "");
        const ready = runRunner(box, "ready", machineState(after, node), previous);
        assert.strictEqual(ready.status, 0, ready.stderr);
        assert.deepStrictEqual(ready.playbooks.map((r) => [r.playbook, r.limit]), [["cluster.yml", "etcd,kube_control_plane"], ["upgrade-cluster.yml", "etcd,kube_control_plane"]]);
        assert.ok(ready.records.some((r) => String(r.kubectl).includes("wait --for=condition=Ready node/t1-cp-1")));
        assert.ok(ready.records.some((r) => String(r.kubectl).includes("uncordon t1-cp-1")));
    });

    it("fails loudly, naming the step, when a host cannot be reached", () => {
        const spec = specOf();
        const box = sandbox(spec);
        const result = runRunner(box, "cluster", clusterOf(spec), undefined, { ANSIBLE_TRANSPORT: "ssh", ANSIBLE_TIMEOUT: "2", KUBESPRAY_REACH_TIMEOUT: "3" });
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /FAILED: step "check SSH reachability of all nodes" failed: cannot reach over SSH: t1-cp-1 /);
        assert.match(result.stderr, /run pulumi up again to resume/);
    });

    it("container runner: Ansible runs in Kubespray's image with the inventory, key and state mounted", () => {
        const spec = specOf();
        const box = sandbox(spec);
        const image = "quay.io/kubespray/kubespray:v2.31.0";
        fs.writeFileSync(path.join(box.home, "current", ".clusters-runner.json"), JSON.stringify({ runner: "container", image }));
        const result = runRunner(box, "cluster", clusterOf(spec), undefined, {
            KUBESPRAY_RUNNER: "", KUBESPRAY_CONTAINER_RUNTIME: path.join(FIXTURE, "fake-docker"),
        });
        assert.strictEqual(result.status, 0, result.stderr);
        const calls = fs.readFileSync(`${box.record}.docker`, "utf8").trim().split("\n");
        const playbookCall = calls.find((c) => c.includes("ansible-playbook"))!;
        assert.ok(playbookCall.startsWith("run --rm --network host "), playbookCall);
        assert.ok(playbookCall.includes(`${image} ansible-playbook -i /inventory/hosts.yaml --become -e ansible_ssh_private_key_file=/key/id`), playbookCall);
        assert.ok(playbookCall.endsWith("/kubespray/cluster.yml"), playbookCall);
        assert.ok(calls.every((c) => !c.includes("runner-test-key")), "the key is mounted, never passed");
    });

    it("prepares a fresh machine from the settings the program wrote, before any operation", () => {
        const spec = specOf();
        const box = sandbox(spec);
        const missing = path.join(box.home, "no-such-repository");
        fs.writeFileSync(path.join(box.home, "stack", "inventory", "runner.json"), JSON.stringify({ version: "2.31.0", runner: "venv", image: "", repository: missing }));
        const result = runRunner(box, "workers", { kind: "workers", workers: [] });
        assert.strictEqual(result.status, 1);
        assert.match(result.stderr, /\[kubespray: clone Kubespray\] .*no-such-repository/);
        assert.match(result.stderr, /FAILED: step "clone Kubespray" failed: git exited with 128/);
    });

    it("ships an SSH key rollout playbook that ansible accepts", () => {
        const result = spawnSync("ansible-playbook", ["--syntax-check", "-i", "localhost,", path.join(ROOT, "components", "kubespray", "playbooks", "authorize-keys.yml")], { encoding: "utf8" });
        assert.strictEqual(result.status, 0, result.stderr);
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
