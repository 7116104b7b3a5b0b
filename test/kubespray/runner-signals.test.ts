/**
 * The compiled runner stopped by a signal, with real processes: Pulumi cancelling a command (SIGTERM,
 * SIGINT; a Go `exec.CommandContext` may also SIGKILL it). The runner's `ansible` is a stand-in that,
 * when asked, starts a worker (as ansible forks its workers) and waits, so the runner is caught in the
 * middle of its first step, the SSH reachability check of a Day-1 install. Waits poll with a bound; no
 * sleep is an assertion.
 */
import * as assert from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderInventory } from "../../components/kubespray/inventory";
import { clusterState } from "../../components/kubespray/state";
import { LOCK_FILE, RUNNER_SETTINGS_FILE, stackSettings, writeInventory } from "../../components/kubespray/workspace";
import { makeCheckout, runnerEnv } from "./checkout";
import { API_HOST, specOf } from "./cases";

const ROOT = path.join(__dirname, "..", "..");
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nsignal-test-key\n-----END OPENSSH PRIVATE KEY-----\n";

/**
 * `ansible` of the sandbox's release: the real one, unless $FAKE_STATE/block exists; then it starts a
 * worker and waits (ignoring SIGTERM, with its worker, when $FAKE_STATE/ignore-term exists), after
 * writing "<its pid> <worker pid>" to $FAKE_STATE/pids.
 */
const BLOCKING_ANSIBLE = `#!/bin/sh
if [ ! -f "$FAKE_STATE/block" ]; then exec /usr/bin/ansible "$@"; fi
if [ -f "$FAKE_STATE/ignore-term" ]; then trap '' TERM; fi
sleep 600 &
echo "$$ $!" > "$FAKE_STATE/pids.new" && mv "$FAKE_STATE/pids.new" "$FAKE_STATE/pids"
wait
`;

/** Process groups the tests started through the runner, killed whatever happens; their sandboxes, removed. */
const toKill: number[] = [];
const homes: string[] = [];

interface Box {
    readonly home: string;
    readonly stackDir: string;
    readonly state: string;
    readonly record: string;
}

function sandbox(): Box {
    const spec = specOf();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "runner-signals-"));
    homes.push(home);
    makeCheckout(home, spec.kubespray.version, { ansible: BLOCKING_ANSIBLE });
    writeInventory(path.join(home, "stack", "inventory"), {
        ...renderInventory({ spec, apiHost: API_HOST }),
        [RUNNER_SETTINGS_FILE]: JSON.stringify(stackSettings(spec, path.join(home, "no-such-repository"), undefined)),
    });
    const state = path.join(home, "fake");
    fs.mkdirSync(state);
    fs.writeFileSync(path.join(state, "nodes"), spec.nodes.map((n, i) => `${n.name} 10.0.0.${100 + i}`).join("\n"));
    const record = path.join(home, "record.jsonl");
    fs.writeFileSync(record, "");
    return { home, stackDir: path.join(home, "stack"), state, record };
}

interface Running {
    readonly child: ChildProcess;
    stderr: string;
    readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The compiled runner: a Day-1 install (its first step is the reachability check), or a reconfiguration. */
function startRunner(box: Box, change: "install" | "reconfigure", extraEnv: Record<string, string> = {}): Running {
    const spec = specOf();
    const desired = clusterState(spec, API_HOST);
    const previous = change === "reconfigure" ? { ...desired, configHash: "0000000000000000" } : undefined;
    const child = spawn(process.execPath, ["dist/components/kubespray/runner/main.js", "cluster"], {
        cwd: ROOT,
        env: runnerEnv({ ...box, stack: "stack" }, "t1-cluster", desired, previous, extraEnv),
    });
    child.stdin!.end(KEY);
    const running: Running = {
        child,
        stderr: "",
        closed: new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal }))),
    };
    child.stderr!.on("data", (d) => (running.stderr += d));
    return running;
}

/** Polls `condition` every 20 ms; fails naming `what` after `timeoutMs`. */
async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

/** A process that runs, read from /proc (a zombie waiting to be reaped has ended). */
function running(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return false;
    }
}

/** Starts a blocking install and waits until its `ansible` and that one's worker run. */
async function blockedInstall(box: Box, extraEnv: Record<string, string> = {}): Promise<{ runner: Running; ansible: number; worker: number }> {
    fs.writeFileSync(path.join(box.state, "block"), "");
    const runner = startRunner(box, "install", extraEnv);
    const pids = path.join(box.state, "pids");
    await until("the runner's ansible to start", () => fs.existsSync(pids) || runner.child.exitCode !== null);
    assert.ok(fs.existsSync(pids), `the runner ended before its ansible started:\n${runner.stderr}`);
    const [ansible, worker] = fs.readFileSync(pids, "utf8").trim().split(" ").map(Number);
    toKill.push(ansible);
    return { runner, ansible, worker };
}

const lockOf = (box: Box) => JSON.parse(fs.readFileSync(path.join(box.stackDir, LOCK_FILE), "utf8")) as { pid: number; groups: number[] };

describe("Kubespray runner stopped by a signal (compiled runner, real processes)", function () {
    this.timeout(120_000);
    before(function () {
        if (process.platform !== "linux" || !fs.existsSync("/usr/bin/ansible")) this.skip();
    });
    after(() => {
        for (const pgid of toKill) {
            try {
                process.kill(-pgid, "SIGKILL");
            } catch {
                // gone, as it should be
            }
        }
        homes.forEach((home) => fs.rmSync(home, { recursive: true, force: true }));
    });

    it("SIGTERM in the reachability check: Ansible's whole process group ends, then the key, snapshot and token files go and the lock is released; the exit names the step", async () => {
        const box = sandbox();
        const { runner, ansible, worker } = await blockedInstall(box);
        const pid = runner.child.pid!;
        const secrets = path.join(box.stackDir, "secrets", `${pid}`);
        // What the run holds: the key in the stack's secrets directory (0700, the key 0600), the lock naming the group.
        assert.strictEqual(fs.statSync(secrets).mode & 0o777, 0o700);
        assert.strictEqual(fs.statSync(path.join(box.stackDir, "secrets")).mode & 0o777, 0o700);
        assert.strictEqual(fs.statSync(path.join(secrets, "id")).mode & 0o777, 0o600);
        await until("the lock to record the group of the ansible it runs", () => lockOf(box).groups?.includes(ansible));
        assert.deepStrictEqual([lockOf(box).pid, lockOf(box).groups], [pid, [ansible]]);
        // A snapshot fetched and a token file written by this run (as a recovery and the kubeconfig step make them).
        fs.mkdirSync(path.join(box.stackDir, "snapshots", `${pid}`), { recursive: true });
        fs.writeFileSync(path.join(box.stackDir, "snapshots", `${pid}`, "etcd-snapshot.db"), "snapshot");
        fs.writeFileSync(path.join(secrets, "kubeconfig.json"), "{\"token\": \"t\"}");

        runner.child.kill("SIGTERM");
        const { code } = await runner.closed;

        assert.strictEqual(code, 143, runner.stderr);
        assert.ok(!running(ansible) && !running(worker), "ansible and its worker ended before the runner exited");
        assert.ok(!fs.existsSync(secrets), "the SSH key and the token file are gone");
        assert.ok(!fs.existsSync(path.join(box.stackDir, "snapshots", `${pid}`)), "the snapshot is gone");
        assert.ok(!fs.existsSync(path.join(box.stackDir, LOCK_FILE)), "the lock is free");
        assert.match(runner.stderr, /STOPPED by SIGTERM during step "check SSH reachability of all nodes"/);
        assert.match(runner.stderr, new RegExp(`sent SIGTERM to the tools it ran: check SSH reachability of all nodes \\(process group ${ansible}\\); all have ended`));
        assert.match(runner.stderr, /The cluster lock was released\.\n[\s\S]*Nothing was recorded for this step; run pulumi up again to resume/);
        assert.doesNotMatch(runner.stderr, /FAILED/, "one report: the stop, not a failure of the step");
    });

    it("a tool that ignores the signal is killed after the grace period (KUBESPRAY_STOP_GRACE_SECONDS) before anything is released", async () => {
        const box = sandbox();
        fs.writeFileSync(path.join(box.state, "ignore-term"), "");
        const { runner, ansible, worker } = await blockedInstall(box, { KUBESPRAY_STOP_GRACE_SECONDS: "1" });
        runner.child.kill("SIGINT");
        const { code } = await runner.closed;
        assert.strictEqual(code, 130, runner.stderr);
        assert.ok(!running(ansible) && !running(worker));
        assert.match(runner.stderr, new RegExp(`STOPPED by SIGINT .*\\n.*killed after the grace period: process group ${ansible}; all have ended`));
        assert.ok(!fs.existsSync(path.join(box.stackDir, "secrets", `${runner.child.pid}`)));
        assert.ok(!fs.existsSync(path.join(box.stackDir, LOCK_FILE)));
    });

    it("SIGKILL: the next run waits while the killed runner's Ansible still runs, then takes over and removes the key it left", async () => {
        const box = sandbox();
        const { runner, ansible, worker } = await blockedInstall(box);
        const dead = runner.child.pid!;
        runner.child.kill("SIGKILL");
        await runner.closed;
        const leftKey = path.join(box.stackDir, "secrets", `${dead}`, "id");
        assert.ok(fs.existsSync(leftKey), "SIGKILL cannot be handled: the key stays, for now");
        assert.ok(running(ansible) && running(worker), "the orphaned ansible still runs");
        assert.deepStrictEqual(lockOf(box).groups, [ansible]);
        fs.writeFileSync(path.join(box.stackDir, `kubeconfig-${dead}.json`), "{}"); // a token file as earlier runners named it

        fs.rmSync(path.join(box.state, "block"));
        const next = startRunner(box, "reconfigure");
        await until("the next run to wait for the lock", () => /waiting: /.test(next.stderr) || next.child.exitCode !== null);
        assert.match(next.stderr, new RegExp(`waiting: t1-cluster \\(pid ${dead}, since [^)]+\\) is gone, but the tools it started still run \\(process group ${ansible}: .*kill -TERM -${ansible}`));
        assert.ok(!fs.readFileSync(box.record, "utf8").includes("playbook"), "nothing ran beside the orphaned ansible");

        process.kill(-ansible, "SIGKILL");
        const { code } = await next.closed;
        assert.strictEqual(code, 0, next.stderr);
        assert.match(next.stderr, new RegExp(`removed what a run that was killed left in \\S+: secrets/${dead}, kubeconfig-${dead}\\.json`));
        assert.ok(!fs.existsSync(path.dirname(leftKey)), "the dead runner's key is gone");
        assert.deepStrictEqual(fs.readdirSync(path.join(box.stackDir, "secrets")), [], "and the next run's own");
        assert.ok(!fs.existsSync(path.join(box.stackDir, LOCK_FILE)));
        const playbooks = fs.readFileSync(box.record, "utf8").trim().split("\n").map((line) => JSON.parse(line).playbook).filter(Boolean);
        assert.deepStrictEqual(playbooks, ["cluster.yml"]);
    });
});
