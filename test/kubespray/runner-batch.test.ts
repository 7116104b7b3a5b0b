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
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { Deployed, deployedRecord } from "../../components/deployed";
import { rolloutOrder, withWorkerBatches, workerBatchReplacements, workerBatches } from "../../components/kubespray/index";
import { renderInventory } from "../../components/kubespray/inventory";
import { adHoc, MAX_FORKS, playbookForks } from "../../components/kubespray/runner/ansible";
import { processStartTime, type PendingEntry } from "../../components/kubespray/runner/batch";
import { breakGlassToken, machineState, type MachineState } from "../../components/kubespray/state";
import { LOCK_FILE, RUNNER_SETTINGS_FILE, stackSettings, writeInventory } from "../../components/kubespray/workspace";
import { upstreamTree } from "../upstream";
import { makeCheckout, runnerEnv } from "./checkout";
import { API_HOST, specOf } from "./cases";

const ROOT = path.join(__dirname, "..", "..");
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nbatch-test-key\n-----END OPENSSH PRIVATE KEY-----\n";
const WORKERS = ["t1-w-1", "t1-w-2", "t1-w-3"];
const THREE = { "infrastructure.workerPools[0].count": 3, "operations.upgrade.workerBatch": 3 };
/** Four workers in batches of two: t1-w-1 and t1-w-2, then t1-w-3 and t1-w-4. */
const FOUR = { "infrastructure.workerPools[0].count": 4, "operations.upgrade.workerBatch": 2 };
type Edits = Record<string, unknown>;

const RECORDING_PLAYBOOK = `#!/bin/sh
for last; do :; done
printf '%s %s\\n' "$(basename "$last")" "$ANSIBLE_FORKS" >> "$FAKE_STATE/playbook-runs"
if [ -f "$FAKE_STATE/fail-removal" ] && [ "$(basename "$last")" = remove-node.yml ]; then echo "fatal: [t1-cp-1]: FAILED! => removal refused" ; exit 2; fi
exec /usr/bin/ansible-playbook "$@"
`;

interface Box {
    readonly edits: Edits;
    readonly home: string;
    readonly stackDir: string;
    readonly state: string;
    readonly record: string;
}

const homes: string[] = [];

/** A stack with the given workers; `settings` replaces what the program would write (windows, break-glass). */
function sandbox(edits: Edits = THREE, settingsFor: (settings: object) => object = (s) => s): Box {
    const spec = specOf(edits);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "runner-batch-"));
    homes.push(home);
    makeCheckout(home, spec.kubespray.version, { "ansible-playbook": RECORDING_PLAYBOOK });
    // Settings as the program writes them: a window open now, and the batch from the rollout order.
    const now = new Date(Date.now() - 60 * 60000);
    const start = `${String(now.getUTCHours()).padStart(2, "0")}:${String(now.getUTCMinutes()).padStart(2, "0")}`;
    const settings = {
        ...stackSettings(spec, path.join(home, "no-such-repository"), undefined),
        maintenanceWindows: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start, durationMinutes: 120 }],
        workerBatches: workerBatches(spec, rolloutOrder(spec, { has: () => true })),
    };
    writeInventory(path.join(home, "stack", "inventory"), { ...renderInventory({ spec, apiHost: API_HOST }), [RUNNER_SETTINGS_FILE]: JSON.stringify(settingsFor(settings)) });
    const state = path.join(home, "fake");
    fs.mkdirSync(state);
    fs.writeFileSync(path.join(state, "nodes"), spec.nodes.map((n, i) => `${n.name} 10.0.0.${100 + i}`).join("\n"));
    fs.writeFileSync(path.join(state, "playbook-runs"), "");
    const record = path.join(home, "record.jsonl");
    fs.writeFileSync(record, "");
    return { edits, home, stackDir: path.join(home, "stack"), state, record };
}

/** The gate of `node` for a replacement (generation 0 → 1). */
function change(node: string, edits: Edits = THREE): { previous: MachineState; desired: MachineState } {
    const before = specOf(edits);
    const after = specOf({ ...edits, "operations.replaceNodes": [{ node, generation: 1 }] });
    return { previous: machineState(before, before.nodes.find((n) => n.name === node)!), desired: machineState(after, after.nodes.find((n) => n.name === node)!) };
}

interface Result {
    readonly node: string;
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

function start(box: Box, op: "gate" | "ready", node: string, extraEnv: Record<string, string> = {}): Promise<Result> & { stderrSoFar: () => string } {
    const { previous, desired } = change(node, box.edits);
    const child = spawn(process.execPath, ["dist/components/kubespray/runner/main.js", op], {
        cwd: ROOT,
        env: runnerEnv({ ...box, stack: "stack" }, `${node}-${op}`, desired, previous, { KUBESPRAY_LOCK_POLL: "0.1", ...extraEnv }),
    });
    child.stdin.end(KEY);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const result = new Promise<Result>((resolve) => child.on("close", (status) => resolve({ node, status, stdout, stderr })));
    return Object.assign(result, { stderrSoFar: () => stderr });
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
 * The gates (or readies) of `nodes` started together while the test holds the cluster lock (as a running
 * command would), released once all have registered (and `whileHeld` has run): whichever gets the lock
 * first runs for its batch.
 */
async function together(box: Box, op: "gate" | "ready", nodes: readonly string[] = WORKERS, whileHeld: () => void = () => {}): Promise<Result[]> {
    const lock = path.join(box.stackDir, LOCK_FILE);
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, command: "test", since: new Date().toISOString() }));
    fs.writeFileSync(box.record, "");
    fs.writeFileSync(path.join(box.state, "playbook-runs"), "");
    const runs = nodes.map((node) => start(box, op, node));
    const pending = path.join(box.stackDir, "pending", op);
    await until(`the ${op}s of ${nodes.join(", ")} to register as pending`, () => nodes.every((node) => listing(pending).includes(`${node}.json`)));
    try {
        whileHeld();
    } finally {
        fs.rmSync(lock);
    }
    return Promise.all(runs);
}

interface Recorded {
    readonly playbook?: string;
    readonly node?: string;
    readonly kubectl?: string;
}

function records(box: Box): Recorded[] {
    return fs.readFileSync(box.record, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Recorded);
}

/** The `node=` of each remove-node.yml run, each sorted. */
function removals(box: Box): string[][] {
    return records(box).filter((r) => r.playbook === "remove-node.yml").map((r) => String(r.node).split(",").sort());
}

/** The nodes drained, sorted. */
function drained(box: Box): string[] {
    return records(box).filter((r) => /^--kubeconfig \S+ drain /.test(String(r.kubectl ?? ""))).map((r) => String(r.kubectl).split(" ")[3]).sort();
}

/** A pending entry written as a runner would, for a process the test names. */
function writePending(box: Box, node: string, state: { previous: MachineState; desired: MachineState }, pid: number, started: string | undefined): void {
    const entry: PendingEntry = { command: `${node}-gate`, node, desired: JSON.stringify(state.desired), previous: JSON.stringify(state.previous), pid, started };
    fs.mkdirSync(path.join(box.stackDir, "pending", "gate"), { recursive: true });
    fs.writeFileSync(path.join(box.stackDir, "pending", "gate", `${node}.json`), JSON.stringify(entry));
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
    it("leaves a member outside the maintenance window without its break-glass token to its own turn", async () => {
        // The window opens in three hours; the stack file holds the break-glass token of t1-w-2's gate only.
        const opens = new Date(Date.now() + 3 * 60 * 60000);
        const box = sandbox(THREE, (settings) => ({
            ...settings,
            maintenanceWindows: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start: `${String(opens.getUTCHours()).padStart(2, "0")}:${String(opens.getUTCMinutes()).padStart(2, "0")}`, durationMinutes: 60 }],
            breakGlass: breakGlassToken("t1-w-2-gate", change("t1-w-2").desired),
        }));
        const results = await together(box, "gate");
        for (const result of results) {
            if (result.node === "t1-w-2") {
                assert.strictEqual(result.status, 0, `${result.node}: ${result.stderr}`);
                assert.deepStrictEqual(JSON.parse(result.stdout), change(result.node).desired);
                assert.doesNotMatch(result.stderr, /as one:/, "it ran alone");
            } else {
                assert.strictEqual(result.status, 1, `${result.node} was refused: ${result.stderr}`);
                assert.strictEqual(result.stdout, "", `${result.node} printed no state`);
                assert.match(result.stderr, /outside the maintenance windows/);
                assert.match(result.stderr, new RegExp(`operations.breakGlass: ${breakGlassToken(`${result.node}-gate`, change(result.node).desired)}`), "it names its own token");
            }
        }
        assert.deepStrictEqual(removals(box), [["t1-w-2"]]);
        assert.deepStrictEqual(drained(box), ["t1-w-2"]);
        assert.deepStrictEqual([listing(path.join(box.stackDir, "done", "gate")), listing(path.join(box.stackDir, "pending", "gate"))], [[], []], "no result for the refused two");
    });

    it("discards a result made for other states and runs its own work", async () => {
        const box = sandbox();
        const { previous, desired } = change("t1-w-1");
        // Written after the gate registered (registering removes an old result), before it gets the lock:
        // a result for the reverse change, as an earlier run of the other direction would have left.
        const results = await together(box, "gate", ["t1-w-1"], () => {
            fs.mkdirSync(path.join(box.stackDir, "done", "gate"), { recursive: true });
            fs.writeFileSync(path.join(box.stackDir, "done", "gate", "t1-w-1.json"), JSON.stringify({ desired: JSON.stringify(previous), previous: JSON.stringify(desired), by: "t1-w-2-gate" }));
        });
        assert.strictEqual(results[0].status, 0, results[0].stderr);
        assert.deepStrictEqual(JSON.parse(results[0].stdout), desired);
        assert.doesNotMatch(results[0].stderr, /done with its batch/);
        assert.deepStrictEqual(removals(box), [["t1-w-1"]], "it ran its own removal");
        assert.deepStrictEqual(drained(box), ["t1-w-1"]);
        assert.deepStrictEqual(listing(path.join(box.stackDir, "done", "gate")), [], "the stale result is gone");
    });

    it("never collects a control-plane node's entry or a worker of another batch", async () => {
        const box = sandbox(FOUR);
        // A control-plane gate never registers (coalescible); an entry for one, of a live process (this one), is ignored.
        const before = specOf(FOUR);
        const after = specOf({ ...FOUR, "operations.replaceNodes": [{ node: "t1-cp-1", generation: 1 }] });
        const controlPlane = { previous: machineState(before, before.nodes.find((n) => n.name === "t1-cp-1")!), desired: machineState(after, after.nodes.find((n) => n.name === "t1-cp-1")!) };
        const nodes = ["t1-w-1", "t1-w-2", "t1-w-3"];
        const results = await together(box, "gate", nodes, () => writePending(box, "t1-cp-1", controlPlane, process.pid, processStartTime(process.pid)));
        for (const result of results) {
            assert.strictEqual(result.status, 0, `${result.node}: ${result.stderr}`);
            assert.deepStrictEqual(JSON.parse(result.stdout), change(result.node, FOUR).desired);
        }
        // t1-w-3 (batch two, whose t1-w-4 has no work) runs alone; t1-w-1 and t1-w-2 run as one.
        assert.deepStrictEqual(removals(box).sort(), [["t1-w-1", "t1-w-2"], ["t1-w-3"]]);
        assert.deepStrictEqual(drained(box), nodes);
        assert.deepStrictEqual(listing(path.join(box.stackDir, "done", "gate")), []);
        assert.deepStrictEqual(listing(path.join(box.stackDir, "pending", "gate")), ["t1-cp-1.json"], "the control-plane entry was not taken");
    });

    it("never collects an entry whose process has ended or whose pid now belongs to another process", async () => {
        const box = sandbox();
        const ended = spawnSync("true");
        assert.ok(ended.pid > 0);
        const results = await together(box, "gate", ["t1-w-1"], () => {
            writePending(box, "t1-w-2", change("t1-w-2"), ended.pid, "1");
            // A live pid (this process) with another start time: the pid was reused.
            writePending(box, "t1-w-3", change("t1-w-3"), process.pid, `${processStartTime(process.pid)}0`);
        });
        assert.strictEqual(results[0].status, 0, results[0].stderr);
        assert.doesNotMatch(results[0].stderr, /as one:/);
        assert.deepStrictEqual(removals(box), [["t1-w-1"]]);
        assert.deepStrictEqual(drained(box), ["t1-w-1"]);
        assert.deepStrictEqual(listing(path.join(box.stackDir, "done", "gate")), [], "no result for a process that is not waiting");
    });

    it("the program names, per batch, the workers whose machine this pulumi up recreates (not one that is only restarted)", () => {
        const before = specOf(THREE);
        const deployed = new Deployed(deployedRecord(before), "record");
        const after = specOf({ ...THREE, "operations.replaceNodes": [{ node: "t1-w-1", generation: 1 }, { node: "t1-w-3", generation: 1 }] });
        const batches = workerBatches(after, rolloutOrder(after, deployed));
        assert.deepStrictEqual(workerBatchReplacements(after, batches, deployed), [[
            { node: "t1-w-1", replaceHash: change("t1-w-1").desired.replaceHash },
            { node: "t1-w-3", replaceHash: change("t1-w-3").desired.replaceHash },
        ]]);
        const settings = stackSettings(after, "repository", undefined);
        assert.deepStrictEqual(withWorkerBatches(settings, after, rolloutOrder(after, deployed), deployed).workerBatchReplacements?.[0].map((m) => m.node), ["t1-w-1", "t1-w-3"]);
        // Nothing recreated: no list, so a ready never waits.
        assert.strictEqual(withWorkerBatches(settings, before, rolloutOrder(before, deployed), deployed).workerBatchReplacements, undefined);
    });

    /** The settings the program writes for THREE when this up recreates every worker. */
    const recreatingAll = (settings: object) => ({ ...settings, workerBatchReplacements: [WORKERS.map((node) => ({ node, replaceHash: change(node).desired.replaceHash }))] });
    const rebooted = (box: Box) => { for (const node of WORKERS) fs.writeFileSync(path.join(box.state, `boot-${node}`), `new-boot-${node}`); };

    it("a ready holding the lock waits for the readies of its batch started later: one facts.yml and one scale.yml for the three", async () => {
        const box = sandbox(THREE, recreatingAll);
        rebooted(box);
        const gather = { KUBESPRAY_BATCH_GATHER_SECONDS: "60" };
        // As Pulumi starts them: each ready once its machine is recreated, the first well before the others.
        const first = start(box, "ready", "t1-w-1", gather);
        await until("t1-w-1 to wait for its batch", () => /waits up to 60s, holding the cluster lock, for the readies of t1-w-2, t1-w-3/.test(first.stderrSoFar()));
        const second = start(box, "ready", "t1-w-2", gather);
        await until("t1-w-2 to register", () => listing(path.join(box.stackDir, "pending", "ready")).includes("t1-w-2.json"));
        assert.match(first.stderrSoFar(), /waits up to/);
        assert.doesNotMatch(first.stderrSoFar(), /as one|goes on without/, "still waiting for t1-w-3");
        const third = start(box, "ready", "t1-w-3", gather);
        const results = await Promise.all([first, second, third]);
        for (const result of results) {
            assert.strictEqual(result.status, 0, `${result.node}: ${result.stderr}`);
            assert.deepStrictEqual(JSON.parse(result.stdout), change(result.node).desired, `${result.node} printed its own new state`);
        }
        assert.match(results[0].stderr, /runs the ready of its batch as one: t1-w-1, t1-w-2, t1-w-3/);
        assert.deepStrictEqual(playbookRuns(box), ["facts.yml 6", "scale.yml 3"]);
        const scale = records(box).filter((r) => r.playbook === "scale.yml") as (Recorded & { limit?: string })[];
        assert.deepStrictEqual(String(scale[0].limit).split(",").sort(), WORKERS);
        assert.deepStrictEqual(listing(path.join(box.stackDir, "rejoined")).sort(), WORKERS.map((n) => `${n}.json`), "each member recorded as rejoined");
        assert.ok(!fs.existsSync(path.join(box.stackDir, LOCK_FILE)), "the lock is free");

        // A ready of the batch that comes after the batch finished (a retried command) waits for no one.
        const again = await start(box, "ready", "t1-w-2", { KUBESPRAY_BATCH_GATHER_SECONDS: "600" });
        assert.strictEqual(again.status, 0, again.stderr);
        assert.doesNotMatch(again.stderr, /waits up to/);
    });

    it("a ready holding the lock goes on after the bound without a member whose ready never comes", async () => {
        const box = sandbox(THREE, recreatingAll);
        rebooted(box);
        const gather = { KUBESPRAY_BATCH_GATHER_SECONDS: "3" };
        const first = start(box, "ready", "t1-w-1", gather);
        await until("t1-w-1 to wait for its batch", () => /waits up to 3s, holding the cluster lock, for the readies of t1-w-2, t1-w-3/.test(first.stderrSoFar()));
        const second = start(box, "ready", "t1-w-2", gather);
        const results = await Promise.all([first, second]);
        for (const result of results) assert.strictEqual(result.status, 0, `${result.node}: ${result.stderr}`);
        assert.match(results[0].stderr, /goes on without t1-w-3 after 3s/);
        assert.match(results[0].stderr, /runs the ready of its batch as one: t1-w-1, t1-w-2/);
        assert.deepStrictEqual(playbookRuns(box), ["facts.yml 6", "scale.yml 2"]);
        assert.deepStrictEqual(listing(path.join(box.stackDir, "pending", "ready")), []);
    });

    it("gives ad-hoc calls (reachability, cloud-init wait) as many forks as they have hosts, at most 50", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adhoc-forks-"));
        homes.push(dir);
        const hosts = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`h-${i}`, { ansible_host: `10.1.0.${i + 1}` }]));
        fs.mkdirSync(path.join(dir, "inventory"));
        fs.writeFileSync(path.join(dir, "inventory", "hosts.yaml"), stringify({ all: { hosts, children: {} } }));
        // A stand-in `ansible` recording ANSIBLE_FORKS and its pattern (the argument before -m).
        fs.mkdirSync(path.join(dir, "checkout", ".venv", "bin"), { recursive: true });
        fs.writeFileSync(path.join(dir, "checkout", ".venv", "bin", "ansible"), `#!/bin/sh
prev=; for a; do [ "$a" = -m ] && break; prev=$a; done
printf '%s %s\n' "$ANSIBLE_FORKS" "$prev" >> "${dir}/forks"
`, { mode: 0o755 });
        const ctx = { checkout: path.join(dir, "checkout"), runner: "venv" as const, image: "", inventoryDir: path.join(dir, "inventory"), stateDir: dir, keyFile: path.join(dir, "id") };
        const all = Object.keys(hosts);
        await adHoc(ctx, "wait for SSH", all.join(","), "ansible.builtin.wait_for_connection", "timeout=1");
        await adHoc(ctx, "wait for cloud-init", all.slice(0, 7).join(","), "ansible.builtin.command", "cloud-init status --wait", [], [0, 2]);
        await adHoc(ctx, "wait for SSH", "all", "ansible.builtin.wait_for_connection", "timeout=1");
        await adHoc(ctx, "read cluster nodes", "h-3", "ansible.builtin.command", "true");
        const lines = fs.readFileSync(path.join(dir, "forks"), "utf8").trim().split("\n");
        assert.deepStrictEqual(lines.map((l) => l.split(" ")[0]), [String(MAX_FORKS), "7", String(MAX_FORKS), "1"], lines.join("\n"));
    });
});
