/**
 * `npm run bench [-- --runs N --skip-tests --quick]`: what the program costs as clusters grow, against
 * a replay of its own resource set; the state the engine would store; where it breaks; the start-up of
 * one runner command; Day 1's longest chain; what each Day-2 change touches; plan and test times.
 * Writes bench/results/latest.json and latest.md, stamped with the commit they were produced at.
 * Numbers only: nothing here asserts a time.
 *
 * `--quick` measures small sizes only (a smoke run; the results say so).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { blastRadius } from "./blast";
import { chainMarkdown, type ChainResults } from "./chain";
import type { GraphCounts, StateEstimate } from "./resource-set";
import type { Measurement } from "./measure";
import { measureStartup, type StartupRow } from "./startup";
import type { BenchProvider } from "./stacks";

const ROOT = path.join(__dirname, "..");
const TMP = path.join(__dirname, "results", "tmp");
const BUILD = path.join(TMP, "build");
const MEASURE = path.join(BUILD, "bench", "measure.js");
/** Heap for runs that are not measured for memory (recording the set) and for retries after running out. */
const LARGE_HEAP = ["--max-old-space-size=12288"];

interface Recorded { seconds: number; peakRssMiB: number; graph: GraphCounts; state: StateEstimate; setBytes: number }

interface Attempt<T> { ok: true; value: T } 
interface Failure { ok: false; reason: string; seconds: number }

function child<T>(args: string[], nodeOptions: string[] = [], timeoutSeconds = 1800): Attempt<T> | Failure {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [...nodeOptions, MEASURE, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20, timeout: timeoutSeconds * 1000 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status === 0) {
        return { ok: true, value: JSON.parse(result.stdout.trim().split("\n").pop()!) as T };
    }
    const stderr = result.stderr ?? "";
    const reason = /heap out of memory|Reached heap limit/.test(stderr) ? "out of memory (JavaScript heap limit)"
        : result.signal ? `killed by ${result.signal}${result.error ? ` (${result.error.message})` : ""}`
        : stderr.trim().split("\n").slice(-3).join(" ").slice(0, 300);
    return { ok: false, reason, seconds };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

interface Timed { seconds: number; peakRssMiB: number; runs: number; heap: "default" | "12 GiB"; defaultHeapFailure?: string }

/** Median of `runs` measurements; if the default heap runs out, the note says so and it is measured with 12 GiB. */
function timedRuns(args: string[], runs: number): Timed | { failure: string } {
    const samples: Measurement[] = [];
    let heap: Timed["heap"] = "default";
    let defaultHeapFailure: string | undefined;
    for (let i = 0; i < runs; i++) {
        const attempt = child<Measurement>(args, heap === "default" ? [] : LARGE_HEAP);
        if (!attempt.ok) {
            if (heap === "default" && attempt.reason.startsWith("out of memory")) {
                heap = "12 GiB";
                defaultHeapFailure = `${attempt.reason} after ${round(attempt.seconds, 1)} s`;
                i--;
                continue;
            }
            return { failure: attempt.reason };
        }
        samples.push(attempt.value);
    }
    return { seconds: round(median(samples.map((s) => s.seconds))), peakRssMiB: Math.round(median(samples.map((s) => s.peakRssMiB))), runs, heap, ...(defaultHeapFailure ? { defaultHeapFailure } : {}) };
}

interface ScaleRow {
    provider: BenchProvider; controlPlane: 3; workers: number;
    resources: number; graph: GraphCounts; state: StateEstimate;
    program: Timed | { failure: string }; replay: Timed | { failure: string }; programToReplay?: number;
}

function scale(provider: BenchProvider, workers: number, runs: number): ScaleRow {
    const set = path.join(TMP, `${provider}-${workers}.json`);
    const recorded = child<Recorded>(["record", provider, String(workers), set], LARGE_HEAP);
    if (!recorded.ok) {
        throw new Error(`recording ${provider} 3+${workers} failed: ${recorded.reason}`);
    }
    const program = timedRuns(["program", provider, String(workers), set], runs);
    const replay = timedRuns(["replay", set], runs);
    fs.rmSync(set, { force: true });
    const row: ScaleRow = {
        provider, controlPlane: 3, workers, resources: recorded.value.graph.resources, graph: recorded.value.graph, state: recorded.value.state, program, replay,
        ...("seconds" in program && "seconds" in replay ? { programToReplay: round(program.seconds / replay.seconds) } : {}),
    };
    console.error(JSON.stringify(row));
    return row;
}

interface BreakRow { workers: number; resources?: number; seconds?: number; peakRssMiB?: number; failure?: string }

/** The program alone at growing sizes, default heap, one run each, until a run fails. */
function untilItBreaks(provider: BenchProvider, sizes: number[]): BreakRow[] {
    const rows: BreakRow[] = [];
    for (const workers of sizes) {
        const attempt = child<Measurement>(["program", provider, String(workers)], [], 1800);
        const row: BreakRow = attempt.ok
            ? { workers, resources: attempt.value.resources, seconds: round(attempt.value.seconds), peakRssMiB: Math.round(attempt.value.peakRssMiB) }
            : { workers, failure: `${attempt.reason} after ${round(attempt.seconds, 1)} s` };
        console.error(JSON.stringify(row));
        rows.push(row);
        if (!attempt.ok) {
            break;
        }
    }
    return rows;
}

function wallSeconds(command: string, args: string[]): { seconds: number; output: string } {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 << 20 });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed: ${(result.stderr || result.stdout).slice(-2000)}`);
    }
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, output: `${result.stdout}\n${result.stderr}` };
}

function git(args: string[]): string {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
}

function listStacks(): string[] {
    return fs.readdirSync(path.join(ROOT, "stacks")).map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort();
}

async function main(): Promise<void> {
    if (Number(process.versions.node.split(".")[0]) < 22) {
        // Every child runs on this Node: the numbers must be the supported runtime's.
        throw new Error(`Node ${process.version}: run the benchmarks with \`npm run bench\`, which uses the project's Node 22`);
    }
    const args = process.argv.slice(2);
    const flag = (name: string) => args.includes(`--${name}`);
    const value = (name: string) => (args.indexOf(`--${name}`) >= 0 ? args[args.indexOf(`--${name}`) + 1] : undefined);
    const runs = Number(value("runs") ?? 3);
    const quick = flag("quick");
    const startedAt = new Date();
    const commit = git(["rev-parse", "HEAD"]);
    const uncommitted = git(["status", "--porcelain", "--untracked-files=no"]).split("\n").filter(Boolean);

    console.error("building the program and the benchmarks");
    wallSeconds("npm", ["run", "-s", "build"]);
    wallSeconds(path.join(ROOT, "node_modules", ".bin", "tsc"), ["-p", path.join(__dirname, "tsconfig.json")]);
    fs.mkdirSync(TMP, { recursive: true });

    console.error("runner start-up");
    const startup: StartupRow[] = measureStartup(quick ? 3 : 10);
    const gate = startup.find((r) => r.how === "compiled" && r.command.startsWith("Day-1 gate"))?.medianSeconds ?? 0.5;

    const sizes = quick ? [10, 100] : [100, 1000, 3000];
    const scaleRows: ScaleRow[] = [];
    for (const provider of ["openstack", "harvester"] as BenchProvider[]) {
        for (const workers of sizes) {
            console.error(`program and replay: ${provider} 3+${workers}`);
            scaleRows.push(scale(provider, workers, runs));
        }
    }

    console.error("until it breaks");
    const breaking = untilItBreaks("openstack", quick ? [200] : [4000, 5000, 6000, 8000, 10000, 15000, 20000]);

    console.error("Day 1's longest chain");
    const chainRun = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", path.join(__dirname, "chain.ts"), "--analyze", "--workers", quick ? "20" : "1000", "--runner-start", String(gate)], {
        cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "inherit"],
    });
    if (chainRun.status !== 0) {
        throw new Error("the chain analysis failed");
    }
    const chain: ChainResults = { commit: commit.slice(0, 12), runnerStartSeconds: gate, rows: JSON.parse(chainRun.stdout) };

    console.error("Day-2 blast radius");
    const blast = await blastRadius();

    console.error("plan");
    const planSeconds = Object.fromEntries(listStacks().map((stack) => [stack, round(wallSeconds(process.execPath, [path.join(ROOT, "dist", "cli", "plan.js"), "--stack", stack]).seconds)]));

    let tests: { seconds: number; result: string } | undefined;
    if (!flag("skip-tests")) {
        console.error("npm test");
        const run = wallSeconds("npm", ["test"]);
        tests = { seconds: round(run.seconds, 0), result: run.output.split("\n").filter((l) => /passing|failing|pending/.test(l)).map((l) => l.trim()).join("; ") };
    }

    const results = {
        commit, uncommittedFiles: uncommitted, quick,
        date: startedAt.toISOString(), minutes: round((Date.now() - startedAt.getTime()) / 60000, 1),
        machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: os.loadavg().map((n) => round(n)) },
        runsPerMeasurement: runs,
        scale: scaleRows, breaking, startup, chain, blastRadius: blast, planSeconds, tests,
    };
    const dir = path.join(__dirname, "results");
    fs.writeFileSync(path.join(dir, "latest.json"), JSON.stringify(results, null, 2) + "\n");
    fs.writeFileSync(path.join(dir, "latest.md"), markdown(results));
    console.log(markdown(results));
}

function timedCell(t: Timed | { failure: string }, field: "seconds" | "peakRssMiB"): string {
    if ("failure" in t) {
        return `failed: ${t.failure}`;
    }
    const v = field === "seconds" ? `${t[field]} s` : t[field] >= 1024 ? `${round(t[field] / 1024, 1)} GiB` : `${t[field]} MiB`;
    return t.heap === "default" ? v : `${v} (12 GiB heap; default: ${t.defaultHeapFailure})`;
}

function growth(rows: ScaleRow[], provider: string): string[] {
    const of = rows.filter((r) => r.provider === provider).sort((a, b) => a.workers - b.workers);
    const out: string[] = [];
    for (let i = 1; i < of.length; i++) {
        const [a, b] = [of[i - 1], of[i]];
        const n = b.workers / a.workers;
        out.push(`| ${provider} | 3+${a.workers} → 3+${b.workers} (×${round(n, 1)}) | ×${round(b.resources / a.resources, 1)} | ×${round(b.graph.dependencyEdges / a.graph.dependencyEdges, 1)} | ×${round(b.state.bytes / a.state.bytes, 1)} | ${round(Math.log(b.graph.dependencyEdges / a.graph.dependencyEdges) / Math.log(n), 2)} | ${round(Math.log(b.state.bytes / a.state.bytes) / Math.log(n), 2)} |`);
    }
    return out;
}

function markdown(r: any): string {
    const size = (bytes: number) => (bytes >= 2 ** 30 ? `${round(bytes / 2 ** 30, 2)} GiB` : `${mib(bytes)} MiB`);
    const lines = [
        `# Benchmarks`, "",
        `Commit \`${r.commit}\`${r.uncommittedFiles.length ? ` with uncommitted changes to ${r.uncommittedFiles.length} files` : ""}${r.quick ? " (**--quick**: small sizes only)" : ""}; ${r.date}, ${r.minutes} min;`,
        `${r.machine.cpus} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, load average at start ${r.machine.loadAverageAtStart.join(" / ")} (a shared machine: medians of ${r.runsPerMeasurement} runs).`, "",
        "## The program against a replay of its own resource set", "",
        "Replay: every resource the program registers, registered again in a fresh process with the same SDK class, name, parent, inputs,",
        "options, dependencies and property dependencies under the same mock runtime, and no program logic (bench/replay.ts; a test checks",
        "that the engine receives the same requests). Both run compiled, as `pulumi up` runs the program. Peak RSS is the child process's own",
        "(`process.resourceUsage().maxRSS`); the replay's includes the recorded set it reads.", "",
        "| provider | workers | resources | dependency edges | property-dependency edges | program | replay | program / replay | program peak RSS | replay peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ];
    for (const s of r.scale) {
        lines.push(`| ${s.provider} | 3+${s.workers} | ${s.resources.toLocaleString("en")} | ${s.graph.dependencyEdges.toLocaleString("en")} | ${s.graph.propertyDependencyEdges.toLocaleString("en")} | ${timedCell(s.program, "seconds")} | ${timedCell(s.replay, "seconds")} | ${s.programToReplay ?? "–"} | ${timedCell(s.program, "peakRssMiB")} | ${timedCell(s.replay, "peakRssMiB")} |`);
    }
    lines.push("", "## State the engine would store", "",
        "Estimated by writing each resource as a checkpoint entry (urn, custom, id, type, inputs, outputs, parent, dependencies,",
        "propertyDependencies, provider, created, modified; secrets as ciphertext) and summing the compact JSON (bench/resource-set.ts",
        "`estimateState`). Dependency lists are exact; outputs are the mock's (inputs plus a few fabricated values), so real outputs (a",
        "server's computed attributes, a Kubernetes object's status) make the true figure larger: read inputs/outputs as a lower bound.", "",
        "| provider | workers | state (compact JSON) | of it: dependency lists | of it: inputs and outputs | indented (`pulumi stack export`) | widest `dependencies` list |",
        "|---|---|---|---|---|---|---|");
    for (const s of r.scale) {
        lines.push(`| ${s.provider} | 3+${s.workers} | ${size(s.state.bytes)} | ${size(s.state.dependencyBytes)} (${Math.round((100 * s.state.dependencyBytes) / s.state.bytes)} %) | ${size(s.state.propertyBytes)} | ${size(s.state.indentedBytes)} | ${s.graph.widest.edges} (${s.graph.widest.name}) |`);
    }
    lines.push("", "### How it grows", "",
        "The exponent k in growth ∝ workers^k between two sizes: 1 is linear, 2 quadratic.", "",
        "| provider | sizes | resources | dependency edges | state | k (edges) | k (state) |", "|---|---|---|---|---|---|---|");
    for (const provider of [...new Set<string>(r.scale.map((s: ScaleRow) => s.provider))]) {
        lines.push(...growth(r.scale, provider));
    }
    lines.push("", "## Cost per node, up to where it breaks", "",
        "The program alone (OpenStack, 3 control-plane nodes, pools of 1,000 workers), default Node heap, one run per size after the",
        "sizes above; stops at the first failure.", "",
        "| workers | resources | seconds | peak RSS | ms per node (from the size before) | MiB per node (from the size before) | result |", "|---|---|---|---|---|---|---|");
    const series = [
        ...r.scale.filter((s: ScaleRow) => s.provider === "openstack" && "seconds" in s.program && s.program.heap === "default")
            .map((s: any) => ({ workers: s.workers, resources: s.resources, seconds: s.program.seconds, peakRssMiB: s.program.peakRssMiB })),
        ...r.breaking,
    ].sort((a: BreakRow, b: BreakRow) => a.workers - b.workers);
    series.forEach((b: BreakRow, i: number) => {
        const prev = series.slice(0, i).reverse().find((p: BreakRow) => p.seconds !== undefined);
        const perNode = (field: "seconds" | "peakRssMiB", scaleBy: number) => (b[field] !== undefined && prev ? round(((b[field]! - prev[field]!) * scaleBy) / (b.workers - prev.workers), 2) : "–");
        lines.push(b.failure
            ? `| 3+${b.workers} | – | – | – | – | – | **${b.failure}** |`
            : `| 3+${b.workers} | ${b.resources?.toLocaleString("en")} | ${b.seconds} | ${b.peakRssMiB! >= 1024 ? `${round(b.peakRssMiB! / 1024, 1)} GiB` : `${b.peakRssMiB} MiB`} | ${perNode("seconds", 1000)} | ${perNode("peakRssMiB", 1)} | ok |`);
    });
    lines.push("", "## Start-up of one runner command that has nothing to do", "",
        "Every gate and ready command on Day 1 is this (bench/startup.ts): median wall time of starting the runner, compiled",
        "(`node dist/components/kubespray/runner/main.js`) and as it used to start (`node --require ts-node/register/transpile-only",
        "components/kubespray/runner/main.ts`).", "",
        "| command | compiled | ts-node | ts-node / compiled |", "|---|---|---|---|");
    for (const command of [...new Set<string>(r.startup.map((s: StartupRow) => s.command))]) {
        const of = (how: string) => r.startup.find((s: StartupRow) => s.command === command && s.how === how);
        const cell = (s: StartupRow | undefined) => (s?.medianSeconds !== undefined ? `${s.medianSeconds} s` : `failed: ${s?.error}`);
        const [c, t] = [of("compiled"), of("ts-node")];
        lines.push(`| ${command} | ${cell(c)} | ${cell(t)} | ${c?.medianSeconds && t?.medianSeconds ? `×${round(t.medianSeconds / c.medianSeconds, 1)}` : "–"} |`);
    }
    lines.push("", "## Day 1's longest chain (plan's dependency graph)", "",
        `VM creations that wait for one another, and the longest chain in estimated seconds (bench/chain-graph.ts states each estimate and`,
        `its source; runner start ${r.chain.runnerStartSeconds} s as measured above). \`npx ts-node --transpile-only bench/chain.ts --before <commit>\``,
        "compares two commits.", "", chainMarkdown(r.chain).trimEnd(), "",
        `## Day-2 blast radius (3+100 OpenStack; a full cluster.yml touches ${r.blastRadius.fullInstallHosts} hosts)`, "",
        "| change | Kubespray runs | hosts touched | resources changed | resources replaced |", "|---|---|---|---|---|");
    for (const b of r.blastRadius.scenarios) {
        lines.push(`| ${b.scenario} | ${b.kubesprayRuns.join("; ") || "none"} | ${b.hostsTouched} | ${b.resourcesChanged} | ${b.resourcesReplaced} |`);
    }
    lines.push("", "## Plan and tests", "", "| what | seconds |", "|---|---|");
    for (const [stack, seconds] of Object.entries(r.planSeconds)) {
        lines.push(`| \`node dist/cli/plan.js --stack ${stack}\` (what \`npm run plan\` runs after its build) | ${seconds} |`);
    }
    if (r.tests) {
        lines.push(`| \`npm test\` (${r.tests.result}) | ${r.tests.seconds} |`);
    }
    return lines.join("\n") + "\n";
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
