/**
 * How many Kubespray runner processes `pulumi up` starts at once, and what they cost in memory.
 *
 * On Day 1 every new node's gate waits for nothing, so the engine starts all of them together (at
 * 3+1,000 workers: 1,003 gates); once the SSH keys are rolled out, every ready whose machine exists is
 * ready at the same moment (another 1,003). Each is `/bin/sh -c "node dist/components/kubespray/runner/main.js
 * <op>"` (@pulumi/command's local interpreter), which, without a previous state, returns before it reads
 * the release, the inventory or the lock (runner/main.ts `operate`). This starts exactly those commands:
 *
 *   1. `record`: the program runs once under the offline harness (Day 1, OpenStack, 3+N workers) in a child
 *      process; the gates' and readies' `create` and `environment` are taken as registered, and the
 *      inventory and runner.json the program wrote are kept as the commands' workspace
 *      (CLUSTERS_KUBESPRAY_HOME, as the offline harness does). No SSH, no cloud: a new node's command
 *      never reaches either.
 *   2. `burst`: N of those commands started at the same moment, as the engine does with unbounded
 *      parallelism, or at most P at a time (`PULUMI_PARALLEL=P`). Sampled every 100 ms from /proc: runner
 *      processes alive, Σ VmRSS (shared pages counted once per process: what adding up `ps` shows),
 *      Σ RssAnon + the largest RssFile (memory the processes really add: their own pages, and the node
 *      binary and modules' file pages once), each runner's VmHWM (peak RSS), MemAvailable. Every command
 *      must exit 0 and print its desired state, as the engine requires.
 *   3. `waiters`: on Day 2 a batch's gates are existing nodes: each reads the workspace and then waits for
 *      the cluster lock (runner/lock.ts) while another run holds it, for as long as the batch takes. W such
 *      gates are started against a lock this process holds, measured once all W say they wait, then
 *      stopped (SIGTERM, by pid).
 *
 * A guard stops a burst (SIGKILL to the process groups this script started) when the machine's
 * MemAvailable falls below --guard-gib (default 6): this machine is shared, and the point is the figure,
 * not an out-of-memory kill. A stopped burst is reported as such, with what was alive when it stopped.
 *
 *   npm run build && PATH=$PWD/node_modules/.bin:$PATH ts-node --transpile-only bench/concurrency.ts \
 *       [--sizes 100,1000] [--parallel 16] [--waiters 20] [--guard-gib 6]
 *
 * Writes bench/results/concurrency.{json,md}. Numbers only; nothing here asserts.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const RUNNER = path.join(ROOT, "dist", "components", "kubespray", "runner", "main.js");
/** @pulumi/command's local interpreter on Linux (`interpreter` default: ["/bin/sh", "-c"]). */
const INTERPRETER = ["/bin/sh", "-c"];
const SSH_KEY_STAND_IN = "-----BEGIN OPENSSH PRIVATE KEY-----\nbench-stand-in-not-a-key\n-----END OPENSSH PRIVATE KEY-----\n";
const MiB = 2 ** 20;

export interface RecordedCommand {
    readonly name: string;
    readonly create: string;
    readonly environment: Record<string, string>;
}

function option(args: readonly string[], name: string): string | undefined {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
}

/** Child mode: the program's Day-1 gates and readies, and a copy of the workspace it wrote. */
async function record(workers: number, file: string, home: string): Promise<void> {
    const { runOffline, releaseOfflineRun } = require("../offline/harness");
    const { defineCluster, projectConfig, tuneRuntime } = require("../components/program");
    const { generatedStack } = require("./stacks");
    tuneRuntime();
    const run = await runOffline(generatedStack("openstack", workers), () => defineCluster(projectConfig()), { stack: "bench" });
    const commands: RecordedCommand[] = run.resources
        .filter((r: { type: string; name: string }) => r.type === "command:local:Command" && /-(gate|ready)$/.test(r.name))
        .map((r: { name: string; inputs: { create: string; environment: Record<string, string> } }) => ({ name: r.name, create: r.inputs.create, environment: r.inputs.environment }));
    // Gates first (the first burst), then readies (the second), each in node order.
    commands.sort((a, b) => Number(a.name.endsWith("-ready")) - Number(b.name.endsWith("-ready")));
    fs.cpSync(run.kubesprayHome, home, { recursive: true });
    releaseOfflineRun(run);
    fs.writeFileSync(file, JSON.stringify(commands));
}

interface Workspace {
    readonly home: string;
    readonly commands: readonly RecordedCommand[];
}

function recordWorkspace(workers: number): Workspace {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "clusters-concurrency-"));
    const file = path.join(home, "commands.json");
    const child = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", __filename, "--record", String(workers), file, path.join(home, "kubespray")], {
        cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
    });
    if (child.status !== 0) {
        throw new Error("recording the program's commands failed");
    }
    return { home: path.join(home, "kubespray"), commands: JSON.parse(fs.readFileSync(file, "utf8")) };
}

// --- /proc sampling -------------------------------------------------------------------------------

interface ProcMemory {
    readonly rss: number;
    readonly anon: number;
    readonly file: number;
    readonly hwm: number;
}

function procMemory(pid: number): ProcMemory | undefined {
    let text: string;
    try {
        text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    } catch {
        return undefined;
    }
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
    if (!/^State:\s+[^Z]/m.test(text)) return undefined;
    return { rss: kib("VmRSS"), anon: kib("RssAnon"), file: kib("RssFile") + kib("RssShmem"), hwm: kib("VmHWM") };
}

function childrenOf(pid: number): number[] {
    try {
        return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
        return [];
    }
}

function memAvailable(): number {
    const text = fs.readFileSync("/proc/meminfo", "utf8");
    return Number(/^MemAvailable:\s+(\d+) kB/m.exec(text)![1]) * 1024;
}

interface Tracked {
    readonly command: RecordedCommand;
    readonly child: ChildProcess;
    runnerPid?: number;
    runnerHwm: number;
    stdout: string;
    stderr: string;
    exit?: number | null;
}

function start(command: RecordedCommand, home: string, extraEnv: Record<string, string> = {}): Tracked {
    const child = spawn(INTERPRETER[0], [INTERPRETER[1], command.create], {
        cwd: ROOT,
        // The engine's environment plus the command's own (what @pulumi/command does); the workspace moved
        // to the recorded one, as the offline harness moves it.
        // `node` resolves to the Node running this script (npm scripts and `npx` put the project's Node 22 first).
        env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`, ...command.environment, CLUSTERS_KUBESPRAY_HOME: home, ...extraEnv },
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
    });
    const tracked: Tracked = { command, child, runnerHwm: 0, stdout: "", stderr: "" };
    child.stdin!.end(SSH_KEY_STAND_IN);
    child.stdin!.on("error", () => undefined);
    child.stdout!.on("data", (chunk) => { tracked.stdout += chunk; });
    child.stderr!.on("data", (chunk) => { if (tracked.stderr.length < 4096) tracked.stderr += chunk; });
    return tracked;
}

interface Sample {
    readonly runners: number;
    readonly commands: number;
    readonly rss: number;
    readonly real: number;
}

/** One look at every tracked command that is still running: its shell and its runner. */
function sample(tracked: readonly Tracked[]): Sample {
    let runners = 0;
    let commands = 0;
    let rss = 0;
    let anon = 0;
    let file = 0;
    for (const t of tracked) {
        if (t.exit !== undefined || t.child.pid === undefined) continue;
        const shell = procMemory(t.child.pid);
        if (!shell) continue;
        commands++;
        rss += shell.rss;
        anon += shell.anon;
        file = Math.max(file, shell.file);
        t.runnerPid = t.runnerPid ?? childrenOf(t.child.pid)[0];
        const runner = t.runnerPid === undefined ? undefined : procMemory(t.runnerPid);
        if (runner) {
            runners++;
            rss += runner.rss;
            anon += runner.anon;
            file = Math.max(file, runner.file);
            t.runnerHwm = Math.max(t.runnerHwm, runner.hwm);
        }
    }
    return { runners, commands, rss, real: anon + file };
}

export interface BurstResult {
    readonly commands: number;
    /** At most this many commands at once (PULUMI_PARALLEL); absent: all at once. */
    readonly parallel?: number;
    readonly completed: number;
    readonly failed: number;
    readonly firstFailure?: string;
    readonly stoppedByGuard: boolean;
    readonly wallSeconds: number;
    /** How long this process took to start every command (Node's spawn is slower than the engine's Go fork/exec). */
    readonly spawnSeconds: number;
    readonly peakRunnersAlive: number;
    readonly peakCommandsAlive: number;
    readonly peakSumRssMiB: number;
    readonly peakRealMiB: number;
    readonly memAvailableDropMiB: number;
    readonly runnerPeakRssMiB: { readonly median: number; readonly max: number };
}

const round = (n: number) => Math.round(n * 10) / 10;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function burst(workspace: Workspace, count: number, parallel: number | undefined, guardBytes: number): Promise<BurstResult> {
    const commands = workspace.commands.slice(0, count);
    if (commands.length < count) throw new Error(`only ${commands.length} commands recorded`);
    const tracked: Tracked[] = [];
    const availableAtStart = memAvailable();
    let minAvailable = availableAtStart;
    let peak = { runners: 0, commands: 0, rss: 0, real: 0 };
    let stopped = false;
    let next = 0;
    let running = 0;
    const startedAt = process.hrtime.bigint();
    let spawnedAt = startedAt;
    await new Promise<void>((resolve) => {
        const launch = () => {
            // Ten spawns per turn of the event loop, so the sampler sees the burst while it is being started.
            for (let now = 0; now < 10 && !stopped && next < commands.length && (parallel === undefined || running < parallel); now++) {
                const t = start(commands[next++], workspace.home);
                if (next === commands.length) spawnedAt = process.hrtime.bigint();
                running++;
                tracked.push(t);
                t.child.on("close", (code) => {
                    t.exit = code;
                    running--;
                    if (tracked.length === commands.length && running === 0 || stopped && running === 0) finish();
                    else launch();
                });
            }
            if (!stopped && next < commands.length && (parallel === undefined || running < parallel)) setImmediate(launch);
        };
        const timer = setInterval(() => {
            const s = sample(tracked);
            peak = { runners: Math.max(peak.runners, s.runners), commands: Math.max(peak.commands, s.commands), rss: Math.max(peak.rss, s.rss), real: Math.max(peak.real, s.real) };
            const available = memAvailable();
            minAvailable = Math.min(minAvailable, available);
            if (available < guardBytes && !stopped) {
                stopped = true;
                process.stderr.write(`guard: MemAvailable ${Math.round(available / MiB)} MiB < ${Math.round(guardBytes / MiB)} MiB with ${s.runners} runners alive; stopping this burst\n`);
                for (const t of tracked) {
                    if (t.exit === undefined && t.child.pid) {
                        try { process.kill(-t.child.pid, "SIGKILL"); } catch { /* already gone */ }
                    }
                }
            }
        }, 100);
        const finish = () => { clearInterval(timer); resolve(); };
        launch();
    });
    const wallSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const failures = tracked.filter((t) => t.exit !== 0 || t.stdout.trim() !== t.command.environment.KUBESPRAY_DESIRED);
    const hwm = tracked.map((t) => t.runnerHwm).filter((h) => h > 0);
    return {
        commands: count,
        ...(parallel === undefined ? {} : { parallel }),
        completed: tracked.length - failures.length,
        failed: failures.length,
        ...(failures.length && !stopped ? { firstFailure: `${failures[0].command.name}: exit ${failures[0].exit}: ${failures[0].stderr.trim().slice(-300)}` } : {}),
        stoppedByGuard: stopped,
        ...memoryFigures({ wallSeconds, startedAt, spawnedAt, peak, availableAtStart, minAvailable, runnerPeaks: hwm }),
    };
}

/** The figures both ways of starting the commands report, from what their sampling saw. */
function memoryFigures(m: {
    wallSeconds: number; startedAt: bigint; spawnedAt: bigint; availableAtStart: number; minAvailable: number;
    peak: { runners: number; commands: number; rss: number; real: number }; runnerPeaks: number[];
}) {
    return {
        wallSeconds: round(m.wallSeconds),
        spawnSeconds: round(Number(m.spawnedAt - m.startedAt) / 1e9),
        peakRunnersAlive: m.peak.runners,
        peakCommandsAlive: m.peak.commands,
        peakSumRssMiB: Math.round(m.peak.rss / MiB),
        peakRealMiB: Math.round(m.peak.real / MiB),
        memAvailableDropMiB: Math.round((m.availableAtStart - m.minAvailable) / MiB),
        runnerPeakRssMiB: { median: round(median(m.runnerPeaks) / MiB), max: round(Math.max(0, ...m.runnerPeaks) / MiB) },
    };
}

/** A value for a bash `export` line: single-quoted, with any single quote closed, escaped and reopened. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * All at once, as the engine starts them: a bash loop forks every command in the background (`&`), as fast
 * as a Go fork/exec and far faster than Node's synchronous `spawn`, which serializes the burst on a loaded
 * machine. Each command is the same `/bin/sh -c <create>` with the same environment; it succeeded when it
 * printed its desired state (the runner prints nothing on failure).
 */
async function burstAllAtOnce(workspace: Workspace, count: number, guardBytes: number): Promise<BurstResult> {
    const commands = workspace.commands.slice(0, count);
    if (commands.length < count) throw new Error(`only ${commands.length} commands recorded`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusters-burst-"));
    try {
        fs.mkdirSync(path.join(dir, "env"));
        fs.mkdirSync(path.join(dir, "out"));
        fs.writeFileSync(path.join(dir, "key"), SSH_KEY_STAND_IN);
        const base = { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`, CLUSTERS_KUBESPRAY_HOME: workspace.home };
        commands.forEach((c, i) => {
            const env = { ...base, ...c.environment, BURST_CREATE: c.create };
            fs.writeFileSync(path.join(dir, "env", String(i)), Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join(""));
        });
        const script = [
            "cd \"$1\"",
            "for ((i = 0; i < $2; i++)); do",
            "  ( . \"$3/env/$i\"; exec /bin/sh -c \"$BURST_CREATE\" < \"$3/key\" > \"$3/out/$i\" 2> /dev/null ) &",
            "done",
            "echo started",
            "wait",
        ].join("\n");
        const availableAtStart = memAvailable();
        let minAvailable = availableAtStart;
        let peak = { runners: 0, commands: 0, rss: 0, real: 0 };
        let stopped = false;
        const hwm = new Map<number, number>();
        const startedAt = process.hrtime.bigint();
        let spawnedAt = startedAt;
        const launcher = spawn("/bin/bash", ["-c", script, "burst", ROOT, String(count), dir], { stdio: ["ignore", "pipe", "inherit"], detached: true });
        launcher.stdout!.on("data", () => { spawnedAt = process.hrtime.bigint(); });
        await new Promise<void>((resolve) => {
            const timer = setInterval(() => {
                const shells = childrenOf(launcher.pid!);
                let runners = 0, alive = 0, rss = 0, anon = 0, file = 0;
                for (const shell of shells) {
                    const own = procMemory(shell);
                    if (!own) continue;
                    alive++;
                    rss += own.rss; anon += own.anon; file = Math.max(file, own.file);
                    for (const runnerPid of childrenOf(shell)) {
                        const runner = procMemory(runnerPid);
                        if (!runner) continue;
                        runners++;
                        rss += runner.rss; anon += runner.anon; file = Math.max(file, runner.file);
                        hwm.set(runnerPid, Math.max(hwm.get(runnerPid) ?? 0, runner.hwm));
                    }
                }
                peak = { runners: Math.max(peak.runners, runners), commands: Math.max(peak.commands, alive), rss: Math.max(peak.rss, rss), real: Math.max(peak.real, anon + file) };
                const available = memAvailable();
                minAvailable = Math.min(minAvailable, available);
                if (available < guardBytes && !stopped) {
                    stopped = true;
                    process.stderr.write(`guard: MemAvailable ${Math.round(available / MiB)} MiB < ${Math.round(guardBytes / MiB)} MiB with ${runners} runners alive; stopping this burst\n`);
                    try { process.kill(-launcher.pid!, "SIGKILL"); } catch { /* gone */ }
                    for (const shell of shells) {
                        try { process.kill(shell, "SIGKILL"); } catch { /* gone */ }
                        for (const runnerPid of childrenOf(shell)) {
                            try { process.kill(runnerPid, "SIGKILL"); } catch { /* gone */ }
                        }
                    }
                }
            }, 100);
            launcher.on("close", () => { clearInterval(timer); resolve(); });
        });
        const wallSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
        const outputs = commands.map((c, i) => {
            const file = path.join(dir, "out", String(i));
            return fs.existsSync(file) && fs.readFileSync(file, "utf8").trim() === c.environment.KUBESPRAY_DESIRED;
        });
        const failed = outputs.filter((ok) => !ok).length;
        const peaks = [...hwm.values()];
        return {
            commands: count,
            completed: count - failed,
            failed,
            ...(failed && !stopped ? { firstFailure: `${commands[outputs.indexOf(false)].name}: no desired state on stdout` } : {}),
            stoppedByGuard: stopped,
            ...memoryFigures({ wallSeconds, startedAt, spawnedAt, peak, availableAtStart, minAvailable, runnerPeaks: peaks }),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export interface WaiterResult {
    readonly waiters: number;
    readonly waiting: number;
    readonly sumRssMiB: number;
    readonly realMiB: number;
    readonly perWaiterRssMiB: number;
    readonly perWaiterRealMiB: number;
}

/**
 * Day 2: W gates of existing nodes (a previous state whose machine differs) waiting for the cluster lock,
 * which this process holds. The release is made to look prepared (the two files `prepared()` checks), so no
 * gate clones anything; none gets past the lock, so none reaches SSH.
 */
async function waiters(workspace: Workspace, count: number): Promise<WaiterResult> {
    const settings = JSON.parse(fs.readFileSync(path.join(workspace.home, "bench", "inventory", "runner.json"), "utf8")) as { version: string };
    const checkout = path.join(workspace.home, `kubespray-${settings.version}`);
    fs.mkdirSync(path.join(checkout, ".venv", "bin"), { recursive: true });
    fs.writeFileSync(path.join(checkout, "cluster.yml"), "");
    fs.writeFileSync(path.join(checkout, ".venv", "bin", "ansible-playbook"), "");
    const lock = path.join(workspace.home, "bench", "kubespray.lock");
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, command: "bench/concurrency.ts (holds the lock)", since: new Date().toISOString() }));
    const gates = workspace.commands.filter((c) => c.name.endsWith("-gate") && c.name.includes("-w")).slice(0, count);
    const tracked = gates.map((gate) => {
        const desired = JSON.parse(gate.environment.KUBESPRAY_DESIRED);
        const previous = JSON.stringify({ ...desired, replaceHash: "0000000000000000" });
        return start(gate, workspace.home, { PULUMI_COMMAND_STDOUT: previous });
    });
    try {
        const deadline = Date.now() + 120_000;
        while (tracked.some((t) => !t.stderr.includes("waiting:") && t.exit === undefined) && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 200));
        }
        // Let each settle after its first poll (the lock is looked at every 2 s).
        await new Promise((resolve) => setTimeout(resolve, 2500));
        const s = sample(tracked);
        const waiting = tracked.filter((t) => t.stderr.includes("waiting:") && t.exit === undefined).length;
        const broken = tracked.find((t) => t.exit !== undefined);
        if (broken) throw new Error(`${broken.command.name} exited ${broken.exit} instead of waiting: ${broken.stderr.trim().slice(-300)}`);
        return {
            waiters: count, waiting,
            sumRssMiB: Math.round(s.rss / MiB), realMiB: Math.round(s.real / MiB),
            perWaiterRssMiB: round(s.rss / MiB / count), perWaiterRealMiB: round(s.real / MiB / count),
        };
    } finally {
        for (const t of tracked) {
            if (t.exit === undefined && t.child.pid) {
                try { process.kill(-t.child.pid, "SIGTERM"); } catch { /* already gone */ }
            }
        }
        await Promise.all(tracked.map((t) => (t.exit !== undefined ? undefined : new Promise((resolve) => t.child.once("close", resolve)))));
        fs.rmSync(lock, { force: true });
    }
}

export interface ConcurrencyResults {
    readonly commit: string;
    readonly date: string;
    readonly machine: string;
    readonly workers: number;
    readonly bursts: readonly BurstResult[];
    readonly waiters?: WaiterResult;
}

function commitOf(): string {
    const head = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
    const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
    return dirty ? `${head} (uncommitted changes)` : head;
}

export function concurrencyMarkdown(r: ConcurrencyResults): string {
    const lines = [
        "# Runner processes started at once on Day 1",
        "",
        `Commit \`${r.commit}\`, ${r.date}; ${r.machine}. \`bench/concurrency.ts\`: the Day-1 gate (then ready) commands of 3+${r.workers} OpenStack`,
        "workers exactly as the program registers them, each run as `/bin/sh -c \"node dist/components/kubespray/runner/main.js <op>\"`.",
        "\"Real memory\" is Σ RssAnon + the largest RssFile (file pages of node and the modules counted once); Σ VmRSS counts them once per",
        "process. A shared machine: wall times scatter with its load.",
        "",
        "| commands | at most at once | completed | wall time (all started after) | runners alive at peak | Σ VmRSS at peak | real memory at peak | MemAvailable drop | peak RSS of one runner (median / max) | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ];
    for (const b of r.bursts) {
        const note = b.stoppedByGuard ? "**stopped by the memory guard**" : b.firstFailure ? `failed: ${b.firstFailure.replace(/\|/g, "\\|").replace(/\n/g, " ")}` : "";
        lines.push(`| ${b.commands} | ${b.parallel ?? "all"} | ${b.completed} | ${b.wallSeconds} s (${b.spawnSeconds} s) | ${b.peakRunnersAlive} | ${b.peakSumRssMiB} MiB | ${b.peakRealMiB} MiB | ${b.memAvailableDropMiB} MiB | ${b.runnerPeakRssMiB.median} / ${b.runnerPeakRssMiB.max} MiB | ${note} |`);
    }
    if (r.waiters) {
        const w = r.waiters;
        lines.push("", "## Day 2: gates waiting for the cluster lock", "",
            `${w.waiting} of ${w.waiters} gates of existing workers waiting for the lock (after reading the workspace): Σ VmRSS ${w.sumRssMiB} MiB (${w.perWaiterRssMiB} MiB each),`,
            `real memory ${w.realMiB} MiB (${w.perWaiterRealMiB} MiB each). A batch's gates wait like this for as long as the batch's runs take.`);
    }
    return lines.join("\n") + "\n";
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    if (args[0] === "--record") {
        await record(Number(args[1]), args[2], args[3]);
        return;
    }
    if (!fs.existsSync(RUNNER)) {
        throw new Error(`${path.relative(ROOT, RUNNER)} is missing: run npm run build first`);
    }
    const sizes = (option(args, "sizes") ?? "100,1000").split(",").map(Number);
    const parallel = Number(option(args, "parallel") ?? 16);
    const waiterCount = Number(option(args, "waiters") ?? 20);
    const guardBytes = Number(option(args, "guard-gib") ?? 6) * 1024 * MiB;
    const workers = Number(option(args, "workers") ?? Math.max(1000, Math.ceil(Math.max(...sizes) / 2)));
    process.stderr.write(`recording the Day-1 commands of 3+${workers} workers…\n`);
    const workspace = recordWorkspace(workers);
    const bursts: BurstResult[] = [];
    try {
        for (const size of sizes) {
            for (const p of [undefined, parallel]) {
                process.stderr.write(`${size} commands, ${p === undefined ? "all at once" : `at most ${p} at once`}…\n`);
                const result = p === undefined ? await burstAllAtOnce(workspace, size, guardBytes) : await burst(workspace, size, p, guardBytes);
                process.stderr.write(`  ${JSON.stringify(result)}\n`);
                bursts.push(result);
            }
        }
        process.stderr.write(`${waiterCount} Day-2 gates waiting for the lock…\n`);
        const waiting = waiterCount > 0 ? await waiters(workspace, waiterCount) : undefined;
        const results: ConcurrencyResults = {
            commit: commitOf(), date: new Date().toISOString(),
            machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 1024 / MiB)} GiB, Node ${process.version}, load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(" / ")}`,
            workers, bursts, waiters: waiting,
        };
        const dir = path.join(__dirname, "results");
        fs.writeFileSync(path.join(dir, "concurrency.json"), JSON.stringify(results, null, 2) + "\n");
        const md = concurrencyMarkdown(results);
        fs.writeFileSync(path.join(dir, "concurrency.md"), md);
        process.stdout.write(md);
    } finally {
        fs.rmSync(path.dirname(workspace.home), { recursive: true, force: true });
    }
}

if (require.main === module) {
    main().catch((error) => {
        process.stderr.write(String(error?.stack ?? error) + "\n");
        process.exit(1);
    });
}
