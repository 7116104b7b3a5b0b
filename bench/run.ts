/**
 * `npm run bench [-- --runs N --skip-tests]`: what the program costs as clusters grow, what each Day-2
 * change touches, and how long plan and the tests take. Writes bench/results/latest.json and
 * latest.md. Numbers only: nothing here asserts a time.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { listStacks, parseArgs } from "../cli/stacks";
import { blastRadius } from "./blast";
import type { BenchProvider } from "./stacks";

const ROOT = path.join(__dirname, "..");
const LOADER = ["--require", "ts-node/register/transpile-only"];

interface Measurement { seconds: number; resources: number; kubespray: number; inputBytes: number; peakRssMiB: number }

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function measure(args: string[], runs: number): Measurement {
    const samples: Measurement[] = [];
    for (let i = 0; i < runs; i++) {
        const output = execFileSync(process.execPath, [...LOADER, path.join(__dirname, "measure.ts"), ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        samples.push(JSON.parse(output.trim().split("\n").pop()!));
    }
    return { seconds: median(samples.map((s) => s.seconds)), resources: samples[0].resources, kubespray: samples[0].kubespray, inputBytes: samples[0].inputBytes, peakRssMiB: median(samples.map((s) => s.peakRssMiB)) };
}

function wallSeconds(command: string, args: string[]): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
    const { flags } = parseArgs(process.argv.slice(2), ["skip-tests"]);
    const runs = Number(flags.runs ?? 3);
    const scale: Record<string, unknown>[] = [];
    for (const provider of ["openstack", "harvester"] as BenchProvider[]) {
        for (const workers of [10, 100, 1000]) {
            const program = measure(["program", provider, String(workers)], runs);
            const perResource = Math.round(program.inputBytes / program.resources);
            const floor = measure(["floor", provider, "0", String(program.resources), String(perResource)], runs);
            const row = {
                provider, controlPlane: 3, workers, runs,
                resources: program.resources, kubesprayResources: program.kubespray, seconds: round(program.seconds), peakRssMiB: Math.round(program.peakRssMiB),
                floorSeconds: round(floor.seconds), floorPeakRssMiB: Math.round(floor.peakRssMiB), ratioToFloor: round(program.seconds / floor.seconds),
            };
            console.log(JSON.stringify(row));
            scale.push(row);
        }
    }
    const growth = Object.fromEntries((["openstack", "harvester"] as const).map((provider) => {
        const of = (w: number) => scale.find((r) => r.provider === provider && r.workers === w)! as { seconds: number; resources: number; kubesprayResources: number };
        const outside = (w: number) => of(w).resources - of(w).kubesprayResources;
        return [provider, {
            timeRatio1000to100: round(of(1000).seconds / of(100).seconds),
            resourcesPerWorker: round((of(1000).resources - of(100).resources) / 900),
            resourcesPerWorkerOutsideKubespray: round((outside(1000) - outside(100)) / 900),
        }];
    }));
    const blast = await blastRadius();
    const plan = Object.fromEntries(listStacks().map((stack) => [stack, round(wallSeconds(process.execPath, [...LOADER, "cli/plan.ts", "--stack", stack]))]));
    const tests = flags["skip-tests"] ? undefined : round(wallSeconds("npm", ["test"]));
    const results = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, scale, growth, blastRadius: blast, planSeconds: plan, testSeconds: tests };
    const dir = path.join(__dirname, "results");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "latest.json"), JSON.stringify(results, null, 2) + "\n");
    fs.writeFileSync(path.join(dir, "latest.md"), markdown(results));
    console.log(markdown(results));
}

const round = (n: number) => Math.round(n * 100) / 100;

function markdown(r: any): string {
    const lines = [`# Benchmarks (${r.date}, ${r.machine.cpus} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node})`, "",
        "## Program cost (offline evaluation under the SDK mock runtime, median of runs)", "",
        "| provider | workers | resources | seconds | peak RSS MiB | floor seconds | floor RSS MiB | × floor |", "|---|---|---|---|---|---|---|---|"];
    for (const s of r.scale) lines.push(`| ${s.provider} | 3+${s.workers} | ${s.resources} | ${s.seconds} | ${s.peakRssMiB} | ${s.floorSeconds} | ${s.floorPeakRssMiB} | ${s.ratioToFloor} |`);
    lines.push("", "## Growth", "", "| provider | time 1000 / 100 workers | resources per worker node | of them outside Kubespray's |", "|---|---|---|---|");
    for (const [provider, g] of Object.entries<any>(r.growth)) lines.push(`| ${provider} | ${g.timeRatio1000to100} | ${g.resourcesPerWorker} | ${g.resourcesPerWorkerOutsideKubespray} |`);
    lines.push("", `## Day-2 blast radius (3+100 OpenStack; a full cluster.yml touches ${r.blastRadius.fullInstallHosts} hosts)`, "",
        "| change | Kubespray runs | hosts touched | resources changed | resources replaced |", "|---|---|---|---|---|");
    for (const b of r.blastRadius.scenarios) lines.push(`| ${b.scenario} | ${b.kubesprayRuns.join("; ") || "none"} | ${b.hostsTouched} | ${b.resourcesChanged} | ${b.resourcesReplaced} |`);
    lines.push("", "## Plan and tests", "", "| what | seconds |", "|---|---|");
    for (const [stack, seconds] of Object.entries(r.planSeconds)) lines.push(`| npm run plan -- --stack ${stack} | ${seconds} |`);
    if (r.testSeconds !== undefined) lines.push(`| npm test | ${r.testSeconds} |`);
    return lines.join("\n") + "\n";
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
