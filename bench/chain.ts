/**
 * Day 1's longest chain of dependent operations, on the plan's dependency graph, for `dev-openstack`
 * and for 3+1,000 workers with `workerBatch` 1 and 20 % on every provider.
 *
 *   ts-node bench/chain.ts                      this working tree
 *   ts-node bench/chain.ts --at <commit>        another commit's program (exported with `git archive`)
 *   ts-node bench/chain.ts --before <commit>    that commit and this tree side by side; writes
 *                                               bench/results/chain.{json,md}
 *   --workers N (default 1000)   --runner-start S (seconds one no-op runner command takes; default 0.5)
 *   --parallel 8,16 (limits on operations at once to simulate besides unbounded: 8 is the CLI's own default
 *   on a 2-vCPU runner, 4 × CPUs; 16 is the PULUMI_PARALLEL the workflows and Deployments settings set)
 *
 * The analysis runs inside the tree it measures (its program, spec and harness, this bench's graph code
 * copied in), so it works on any commit that has the offline harness. Numbers only; nothing here asserts.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chainReport, type ChainReport, type ChainResource } from "./chain-graph";

export interface Scenario {
    readonly name: string;
    readonly provider: string;
    readonly workers: number;
    readonly workerBatch: string;
}

export interface ChainRow extends Scenario, ChainReport {}

export interface ChainResults {
    readonly commit: string;
    readonly runnerStartSeconds: number;
    readonly parallelLimits?: readonly number[];
    readonly rows: readonly ChainRow[];
}

/** Files of bench/ the analysis needs, copied into another commit's tree. */
const ANALYSIS_FILES = ["chain.ts", "chain-graph.ts", "stacks.ts"];

const ROOT = path.join(__dirname, "..");

function option(args: readonly string[], name: string): string | undefined {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
}

/** Runs every scenario in this tree's program. */
async function analyze(workers: number, runnerStartSeconds: number, parallelLimits: readonly number[]): Promise<ChainRow[]> {
    // Resolved from the tree being measured (this file sits in its bench/).
    const { runOffline } = require("../offline/harness");
    const { defineCluster, projectConfig, tuneRuntime } = require("../components/program");
    const spec = require("../spec");
    const { generatedStack } = require("./stacks");
    tuneRuntime();
    const rows: ChainRow[] = [];
    const measure = async (scenario: Scenario, config: Record<string, unknown>, nodes: number) => {
        const run = await runOffline(config, () => defineCluster(projectConfig()), { stack: "bench" });
        const report = chainReport(run.resources as ChainResource[], { provider: scenario.provider, nodes, runnerStartSeconds, parallelLimits });
        rows.push({ ...scenario, ...report });
        const capped = (report.scheduled ?? []).map((s) => `, at most ${s.parallel} at once ${s.seconds} s`).join("");
        process.stderr.write(`${scenario.name}: ${report.vmCreationsInSequence} of ${report.vms} VM creations in sequence, ${report.seconds} s${capped}\n`);
    };
    const file = path.join(__dirname, "..", "stacks", "Pulumi.dev-openstack.yaml");
    if (fs.existsSync(file)) {
        const values = spec.withSecretStandIns(spec.readStackFile(fs.readFileSync(file, "utf8"), file).values).values;
        const nodes = spec.loadClusterSpec(values).spec.nodes.length;
        await measure({ name: "dev-openstack", provider: "openstack", workers: nodes - 3, workerBatch: String(values.operations?.upgrade?.workerBatch ?? "default") }, values, nodes);
    }
    for (const provider of ["openstack", "vsphere", "harvester", "existing"]) {
        for (const workerBatch of [1, "20%"]) {
            const scenario = { name: `3+${workers} ${provider}, workerBatch ${workerBatch}`, provider, workers, workerBatch: String(workerBatch) };
            await measure(scenario, generatedStack(provider, workers, { workerBatch }), workers + 3);
        }
    }
    return rows;
}

function commitOf(root: string): string {
    try {
        const head = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
        const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root, encoding: "utf8" }).trim();
        return dirty ? `${head} (uncommitted changes)` : head;
    } catch {
        return "unknown";
    }
}

/** Exports `commit` to a temporary tree, copies this bench's analysis in, runs it there. */
function analyzeAt(commit: string, workers: number, runnerStartSeconds: number, parallelLimits: readonly number[]): ChainResults {
    if (!/^[0-9A-Za-z._\/~^-]+$/.test(commit) || commit.startsWith("-")) {
        throw new Error(`--at: ${JSON.stringify(commit)} is not a commit name`);
    }
    const sha = execFileSync("git", ["rev-parse", "--verify", `${commit}^{commit}`], { cwd: ROOT, encoding: "utf8" }).trim();
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), "clusters-chain-"));
    try {
        const archive = spawnSync("git", ["archive", "--format=tar", sha], { cwd: ROOT, maxBuffer: 1 << 30 });
        if (archive.status !== 0) {
            throw new Error(`git archive ${sha} failed: ${archive.stderr}`);
        }
        execFileSync("tar", ["-x", "-C", tree], { input: archive.stdout });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(tree, "node_modules"));
        fs.mkdirSync(path.join(tree, "bench"), { recursive: true });
        for (const file of ANALYSIS_FILES) {
            fs.copyFileSync(path.join(__dirname, file), path.join(tree, "bench", file));
        }
        const child = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", path.join(tree, "bench", "chain.ts"), "--analyze", "--workers", String(workers), "--runner-start", String(runnerStartSeconds), "--parallel", parallelLimits.join(",")], {
            cwd: tree, encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "inherit"],
            env: { ...process.env, TS_NODE_PROJECT: path.join(tree, "tsconfig.json") },
        });
        if (child.status !== 0) {
            throw new Error(`the analysis failed at ${sha}`);
        }
        return { commit: sha.slice(0, 12), runnerStartSeconds, parallelLimits, rows: JSON.parse(child.stdout) };
    } finally {
        fs.rmSync(tree, { recursive: true, force: true });
    }
}

export function chainMarkdown(results: ChainResults, before?: ChainResults): string {
    const hours = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${Math.round(s / 60)} min`);
    const lines: string[] = [];
    const limits = results.parallelLimits ?? [];
    const capped = (row: ChainRow, parallel: number) => {
        const s = row.scheduled?.find((x) => x.parallel === parallel);
        return s ? hours(s.seconds) : "–";
    };
    if (before) {
        lines.push(`| scenario | VM creations in sequence, ${before.commit} | now (${results.commit}) | longest chain, ${before.commit} | now |${limits.map((p) => ` now, at most ${p} at once |`).join("")}`,
            `|---|---|---|---|---|${limits.map(() => "---|").join("")}`);
        for (const row of results.rows) {
            const old = before.rows.find((r) => r.name === row.name);
            lines.push(`| ${row.name} | ${old ? `${old.vmCreationsInSequence} of ${old.vms}` : "–"} | ${row.vmCreationsInSequence} of ${row.vms} | ${old ? hours(old.seconds) : "–"} | ${hours(row.seconds)} |${limits.map((p) => ` ${capped(row, p)} |`).join("")}`);
        }
        return lines.join("\n") + "\n";
    }
    lines.push(`| scenario | VMs | VM creations in sequence | longest chain (estimate; no limit on parallel operations) |${limits.map((p) => ` Day 1 with at most ${p} at once |`).join("")} of the chain: VM creates | Kubespray runs | runner starts | Kubernetes objects | VMs on it |`,
        `|---|---|---|---|${limits.map(() => "---|").join("")}---|---|---|---|---|`);
    for (const r of results.rows) {
        const c = r.secondsByCategory;
        lines.push(`| ${r.name} | ${r.vms} | ${r.vmCreationsInSequence} | ${hours(r.seconds)} |${limits.map((p) => ` ${capped(r, p)} |`).join("")} ${hours(c.vm)} | ${hours(c.kubespray)} | ${Math.round(c.runner)} s | ${hours(c.kubernetes)} | ${r.vmsOnSlowestChain} |`);
    }
    return lines.join("\n") + "\n";
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const workers = Number(option(args, "workers") ?? 1000);
    const runnerStartSeconds = Number(option(args, "runner-start") ?? 0.5);
    const parallelLimits = (option(args, "parallel") ?? "8,16").split(",").filter(Boolean).map(Number);
    if (args.includes("--analyze")) {
        process.stdout.write(JSON.stringify(await analyze(workers, runnerStartSeconds, parallelLimits)) + "\n");
        return;
    }
    const at = option(args, "at");
    const beforeCommit = option(args, "before");
    const current: ChainResults = at
        ? analyzeAt(at, workers, runnerStartSeconds, parallelLimits)
        : { commit: commitOf(ROOT), runnerStartSeconds, parallelLimits, rows: await analyze(workers, runnerStartSeconds, parallelLimits) };
    if (beforeCommit) {
        const before = analyzeAt(beforeCommit, workers, runnerStartSeconds, parallelLimits);
        const dir = path.join(__dirname, "results");
        fs.writeFileSync(path.join(dir, "chain.json"), JSON.stringify({ before, after: current }, null, 2) + "\n");
        const md = `# Day 1's longest chain, before and after\n\n${chainMarkdown(current, before)}\n## ${current.commit}\n\n${chainMarkdown(current)}\n## ${before.commit}\n\n${chainMarkdown(before)}`;
        fs.writeFileSync(path.join(dir, "chain.md"), md);
        process.stdout.write(md);
        return;
    }
    process.stdout.write(`commit ${current.commit}\n\n${chainMarkdown(current)}`);
}

if (require.main === module) {
    main().catch((error) => {
        process.stderr.write(String(error?.stack ?? error) + "\n");
        process.exit(1);
    });
}
