/**
 * Worker batches as one Kubespray run (runner/batch.ts), with real processes: the gates of a batch are
 * started together, as Pulumi starts them, against the fixture playbooks with real ansible-playbook on
 * localhost (runner.test.ts explains the sandbox). The checkout's `ansible-playbook` is a stand-in that
 * records the playbook and ANSIBLE_FORKS, fails remove-node.yml while $FAKE_STATE/fail-removal exists, and
 * otherwise runs the real one. The combined invocations themselves (remove-node.yml with node=a,b,c,
 * scale.yml --limit a,b,c) are checked against the real Kubespray tree in upstream.test.ts (case "worker
 * batch replaced"). Waits poll with a bound; no sleep is an assertion.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { rolloutOrder, workerBatches } from "../../components/kubespray/index";
import { renderInventory } from "../../components/kubespray/inventory";
import { MAX_FORKS, playbookForks } from "../../components/kubespray/runner/ansible";
import { machineState, type MachineState } from "../../components/kubespray/state";
import { LOCK_FILE, RUNNER_SETTINGS_FILE, stackSettings, writeInventory } from "../../components/kubespray/workspace";
import { upstreamTree } from "../upstream";
import { API_HOST, specOf } from "./cases";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURE = path.join(__dirname, "..", "fixtures", "kubespray");
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nbatch-test-key\n-----END OPENSSH PRIVATE KEY-----\n";
const WORKERS = ["t1-w-1", "t1-w-2", "t1-w-3"];
const THREE = { "infrastructure.workerPools[0].count": 3, "operations.upgrade.workerBatch": 3 };

const RECORDING_PLAYBOOK = `#!/bin/sh
for last; do :; done
printf '%s %s\\n' "$(basename "$last")" "$ANSIBLE_FORKS" >> "$FAKE_STATE/playbook-runs"
if [ -f "$FAKE_STATE/fail-removal" ] && [ "$(basename "$last")" = remove-node.yml ]; then echo "fatal: [t1-cp-1]: FAILED! => removal refused" ; exit 2; fi
exec /usr/bin/ansible-playbook "$@"
`;

interface Box {
    readonly home: string;
    readonly stackDir: string;
    readonly state: string;
    readonly record: string;
}

const homes: string[] = [];

function sandbox(): Box {
    const spec = specOf(THREE);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "runner-batch-"));
    homes.push(home);
    const checkout = path.join(home, `kubespray-${spec.kubespray.version}`);
    fs.mkdirSync(path.join(checkout, ".venv", "bin"), { recursive: true });
    fs.cpSync(FIXTURE, checkout, { recursive: true, filter: (src) => !src.includes(`${path.sep}bin`) && !src.endsWith("fake-docker") });
    const tree = upstreamTree("kubespray", "2.31.0");
    if (tree) fs.symlinkSync(path.join(tree, "ansible.cfg"), path.join(checkout, "ansible.cfg"));
    else fs.writeFileSync(path.join(checkout, "ansible.cfg"), "[defaults]\ncallbacks_enabled = profile_tasks\nhost_key_checking = False\n");
    fs.symlinkSync("/usr/bin/ansible", path.join(checkout, ".venv", "bin", "ansible"));
    fs.writeFileSync(path.join(checkout, ".venv", "bin", "ansible-playbook"), RECORDING_PLAYBOOK, { mode: 0o755 });
    // Settings as the program writes them: a window open now, and the batch from the rollout order.
    const now = new Date(Date.now() - 60 * 60000);
    const start = `${String(now.getUTCHours()).padStart(2, "0")}:${String(now.getUTCMinutes()).padStart(2, "0")}`;
    const settings = {
        ...stackSettings(spec, path.join(home, "no-such-repository"), undefined),
        maintenanceWindows: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start, durationMinutes: 120 }],
        workerBatches: workerBatches(spec, rolloutOrder(spec, { has: () => true })),
    };
    writeInventory(path.join(home, "stack", "inventory"), { ...renderInventory({ spec, apiHost: API_HOST }), [RUNNER_SETTINGS_FILE]: JSON.stringify(settings) });
    const state = path.join(home, "fake");
    fs.mkdirSync(state);
    fs.writeFileSync(path.join(state, "nodes"), spec.nodes.map((n, i) => `${n.name} 10.0.0.${100 + i}`).join("\n"));
    fs.writeFileSync(path.join(state, "playbook-runs"), "");
    const record = path.join(home, "record.jsonl");
    fs.writeFileSync(record, "");
    return { home, stackDir: path.join(home, "stack"), state, record };
}

/** The gate of `node` for a replacement (generation 0 → 1). */
function change(node: string): { previous: MachineState; desired: MachineState } {
    const before = specOf(THREE);
    const after = specOf({ ...THREE, "operations.replaceNodes": WORKERS.map((n) => ({ node: n, generation: 1 })) });
    return { previous: machineState(before, before.nodes.find((n) => n.name === node)!), desired: machineState(after, after.nodes.find((n) => n.name === node)!) };
}

interface Result {
    readonly node: string;
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

function start(box: Box, op: "gate" | "ready", node: string): Promise<Result> {
    const { previous, desired } = change(node);
    const child = spawn(process.execPath, ["dist/components/kubespray/runner/main.js", op], {
        cwd: ROOT,
        env: {
            PATH: `${path.join(FIXTURE, "bin")}:${process.env.PATH}`,
            HOME: process.env.HOME,
            KUBESPRAY_HOME: box.home,
            KUBESPRAY_STACK: "stack",
            KUBESPRAY_COMMAND: `${node}-${op}`,
            KUBESPRAY_READY_POLL: "0",
            KUBESPRAY_LOCK_POLL: "0.1",
            KUBESPRAY_DESIRED: JSON.stringify(desired),
            PULUMI_COMMAND_STDOUT: JSON.stringify(previous),
            KUBESPRAY_RECORD: box.record,
            FAKE_STATE: box.state,
            ANSIBLE_TRANSPORT: "local",
            ANSIBLE_LOCAL_TEMP: path.join(box.home, "ansible-tmp"),
            ANSIBLE_REMOTE_TEMP: path.join(box.home, "ansible-tmp"),
        },
    });
    child.stdin.end(KEY);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    return new Promise((resolve) => child.on("close", (status) => resolve({ node, status, stdout, stderr })));
}

/** Polls `condition` every 20 ms; fails naming `what` after `timeoutMs`. */
async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

const listing = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

/**
 * The three gates (or readies) started together while the test holds the cluster lock (as a running command would),
 * released once all three have registered: whichever gets the lock first runs for the batch.
 */
async function together(box: Box, op: "gate" | "ready"): Promise<Result[]> {
    const lock = path.join(box.stackDir, LOCK_FILE);
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, command: "test", since: new Date().toISOString() }));
    fs.writeFileSync(box.record, "");
    fs.writeFileSync(path.join(box.state, "playbook-runs"), "");
    const runs = WORKERS.map((node) => start(box, op, node));
    const pending = path.join(box.stackDir, "pending", op);
    await until(`the three ${op}s to register as pending`, () => listing(pending).filter((f) => f.endsWith(".json")).length === 3);
    fs.rmSync(lock);
    return Promise.all(runs);
}

function playbookRuns(box: Box): string[] {
    return fs.readFileSync(path.join(box.state, "playbook-runs"), "utf8").trim().split("\n").filter(Boolean);
}

describe("Kubespray runner: a worker batch as one Kubespray run (real processes)", function () {
    this.timeout(120_000);

    after(() => {
        for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
    });

    it("the program names each batch of existing workers; batches of one are none", () => {
        const spec = specOf({ "infrastructure.workerPools[0].count": 5, "operations.upgrade.workerBatch": 2 });
        assert.deepStrictEqual(workerBatches(spec, rolloutOrder(spec, { has: () => true })), [["t1-w-1", "t1-w-2"], ["t1-w-3", "t1-w-4"]]);
        // Only existing workers are chained (a new one waits for nothing and plans nothing): batches hold existing ones.
        assert.deepStrictEqual(workerBatches(spec, rolloutOrder(spec, { has: (n: string) => n !== "t1-w-2" })), [["t1-w-1", "t1-w-3"], ["t1-w-4", "t1-w-5"]]);
        const single = specOf({ "infrastructure.workerPools[0].count": 5, "operations.upgrade.workerBatch": 1 });
        assert.deepStrictEqual(workerBatches(single, rolloutOrder(single, { has: () => true })), []);
    });

    it("gives each playbook run as many forks as it has hosts, at most 50 (docs/operations/large-deployments.md)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "forks-"));
        homes.push(dir);
        const hosts = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`h-${i}`, { ansible_host: `10.1.0.${i + 1}` }]));
        fs.writeFileSync(path.join(dir, "hosts.yaml"), stringify({ all: { hosts, children: {} } }));
        assert.strictEqual(playbookForks(dir, undefined), MAX_FORKS);
        assert.strictEqual(playbookForks(dir, ["h-1", "h-2", "h-3"]), 3);
        assert.strictEqual(playbookForks(dir, ["etcd:kube_control_plane"]), MAX_FORKS, "a group pattern counts every host");
        const upstream = upstreamTree("kubespray", "2.31.0");
        if (upstream) {
            // Kubespray's ansible.cfg sets no forks, so without ANSIBLE_FORKS Ansible would use its default of 5.
            assert.doesNotMatch(fs.readFileSync(path.join(upstream, "ansible.cfg"), "utf8"), /^\s*forks\s*=/m);
            assert.match(fs.readFileSync(path.join(upstream, "docs", "operations", "large-deployments.md"), "utf8"), /--forks=50/);
        }
    });

    it("runs three gates of one batch as one remove-node.yml, and their readies as one scale.yml; a failed run leaves no result and a re-run resumes", async () => {
        const box = sandbox();
        const done = path.join(box.stackDir, "done", "gate");
        const pending = path.join(box.stackDir, "pending", "gate");

        // A failing removal: every gate fails, none is recorded as done, the lock is free.
        fs.writeFileSync(path.join(box.state, "fail-removal"), "");
        const failed = await together(box, "gate");
        for (const result of failed) {
            assert.strictEqual(result.status, 1, `${result.node}: ${result.stderr}`);
            assert.strictEqual(result.stdout, "", `${result.node} printed no state`);
            assert.match(result.stderr, /FAILED: .*remove/);
        }
        assert.deepStrictEqual([listing(done), listing(pending)], [[], []], "no result, no pending entry left");
        assert.ok(!fs.existsSync(path.join(box.stackDir, LOCK_FILE)), "the lock is free");
        assert.ok(playbookRuns(box).every((r) => r.startsWith("remove-node.yml")));

        // The re-run: one remove-node.yml for the three, each gate prints its own new state.
        fs.rmSync(path.join(box.state, "fail-removal"));
        const results = await together(box, "gate");
        for (const result of results) {
            assert.strictEqual(result.status, 0, `${result.node}: ${result.stderr}`);
            assert.deepStrictEqual(JSON.parse(result.stdout), change(result.node).desired, `${result.node} printed its own new state`);
        }
        const records = fs.readFileSync(box.record, "utf8").trim().split("\n").map((line) => JSON.parse(line));
        const removals = records.filter((r) => r.playbook === "remove-node.yml");
        assert.strictEqual(removals.length, 1, JSON.stringify(removals));
        assert.deepStrictEqual(String(removals[0].node).split(",").sort(), WORKERS);
        const drains = records.filter((r) => /^--kubeconfig \S+ drain /.test(String(r.kubectl ?? ""))).map((r) => String(r.kubectl).split(" ")[3]);
        assert.deepStrictEqual(drains.sort(), WORKERS, "each worker drained once");
        // One run did the work; the other two found their results and ran nothing.
        assert.strictEqual(results.filter((r) => /done with its batch by t1-w-\d-gate/.test(r.stderr)).length, 2);
        assert.strictEqual(results.filter((r) => /runs the gate of its batch as one: /.test(r.stderr)).length, 1);
        // Forks: remove-node.yml runs over the whole inventory (3 control-plane nodes and 3 workers).
        assert.deepStrictEqual(playbookRuns(box), ["remove-node.yml 6"]);
        assert.deepStrictEqual([listing(done), listing(pending)], [[], []], "results consumed, entries removed");
        assert.ok(!fs.existsSync(path.join(box.stackDir, LOCK_FILE)), "the lock is free");

        // Their machines recreated (a new boot each), the three readies: one facts.yml, one scale.yml for the three.
        for (const node of WORKERS) fs.writeFileSync(path.join(box.state, `boot-${node}`), `new-boot-${node}`);
        const readies = await together(box, "ready");
        for (const result of readies) {
            assert.strictEqual(result.status, 0, `${result.node}: ${result.stderr}`);
            assert.deepStrictEqual(JSON.parse(result.stdout), change(result.node).desired, `${result.node} printed its own new state`);
        }
        const joined = fs.readFileSync(box.record, "utf8").trim().split("\n").map((line) => JSON.parse(line));
        const scale = joined.filter((r) => r.playbook === "scale.yml");
        assert.strictEqual(scale.length, 1, JSON.stringify(scale));
        assert.deepStrictEqual(String(scale[0].limit).split(",").sort(), WORKERS);
        assert.deepStrictEqual(joined.filter((r) => /^--kubeconfig \S+ uncordon /.test(String(r.kubectl ?? ""))).map((r) => String(r.kubectl).split(" ")[3]).sort(), WORKERS);
        // Forks: facts.yml over all six hosts, scale.yml over its three.
        assert.deepStrictEqual(playbookRuns(box), ["facts.yml 6", "scale.yml 3"]);
        assert.deepStrictEqual([listing(path.join(box.stackDir, "done", "ready")), listing(path.join(box.stackDir, "pending", "ready"))], [[], []]);
        assert.ok(!fs.existsSync(path.join(box.stackDir, LOCK_FILE)), "the lock is free");
    });
});
