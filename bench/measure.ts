/**
 * One measurement in a fresh process (so peak memory is this run's own). Prints one JSON line.
 *
 * The program runs as on every `pulumi up` after the first (its deployed record lists every node: see
 * `steadyState`), so the graph and the state estimate are the ones the stack keeps.
 *
 *   record  <provider> <workers> <set.json>   run the program once, write its exact resource set
 *                                             (and the types it uses) and print graph and state figures
 *   program <provider> <workers> [set.json]   time the program (with a set: the SDK modules it uses are loaded first)
 *   replay  <set.json>                        time the replay of the recorded set (same SDK classes, no logic)
 *
 * run.ts compiles bench/ with the project's build settings and runs this as plain JavaScript, as
 * `pulumi up` runs the program.
 */
import * as fs from "fs";
import { deployedRecord } from "../components/deployed";
import { defineCluster, projectConfig, tuneRuntime } from "../components/program";
import { loadClusterSpec, PROJECT } from "../spec";
import { runOffline } from "../offline/harness";
import { replayResources, resolveClass, resolveClasses } from "./replay";
import { captureRegistrations, estimateState, graphCounts, type ResourceSet } from "./resource-set";
import { generatedStack, type BenchProvider } from "./stacks";

const STACK = "bench";

/**
 * The stack as every `pulumi up` after the first sees it: its own deployed record says every node exists,
 * so the graph is the steady state's (control plane one at a time, workers by batch) that the state keeps.
 */
export function steadyState(config: Record<string, unknown>): { previousOutputs: Record<string, unknown> } {
    return { previousOutputs: { deployed: deployedRecord(loadClusterSpec(config).spec) } };
}

export interface Measurement {
    readonly seconds: number;
    readonly resources: number;
    readonly peakRssMiB: number;
    /** Heap limit of this process (V8's default for this machine unless --max-old-space-size is given). */
    readonly heapLimitMiB: number;
}

function peakRssMiB(): number {
    return process.resourceUsage().maxRSS / 1024;
}

function heapLimitMiB(): number {
    return require("v8").getHeapStatistics().heap_size_limit / 2 ** 20;
}

const typesFile = (setFile: string) => `${setFile}.types.json`;

async function record(provider: BenchProvider, workers: number, setFile: string): Promise<void> {
    let capture: ReturnType<typeof captureRegistrations> | undefined;
    const start = process.hrtime.bigint();
    const config = generatedStack(provider, workers);
    await runOffline(config, () => {
        capture = captureRegistrations(PROJECT, STACK);
        return defineCluster(projectConfig());
    }, { stack: STACK, ...steadyState(config) });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const set = capture!.finish();
    fs.writeFileSync(setFile, JSON.stringify(set));
    fs.writeFileSync(typesFile(setFile), JSON.stringify([...new Set(set.resources.filter((r) => r.custom).map((r) => r.type))]));
    const state = estimateState(set);
    print({ seconds, peakRssMiB: peakRssMiB(), graph: graphCounts(set), state, setBytes: fs.statSync(setFile).size });
}

async function program(provider: BenchProvider, workers: number, setFile?: string): Promise<void> {
    // The replay loads these modules before its clock starts; so does the program, to compare like with like.
    for (const type of setFile ? JSON.parse(fs.readFileSync(typesFile(setFile), "utf8")) as string[] : []) {
        resolveClass(type);
    }
    const config = generatedStack(provider, workers);
    const start = process.hrtime.bigint();
    const run = await runOffline(config, () => defineCluster(projectConfig()), { stack: STACK, ...steadyState(config) });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    print({ seconds, resources: run.resources.length, peakRssMiB: peakRssMiB(), heapLimitMiB: heapLimitMiB() } satisfies Measurement);
}

async function replay(setFile: string): Promise<void> {
    let set: ResourceSet | undefined = JSON.parse(fs.readFileSync(setFile, "utf8"));
    const classes = resolveClasses(set!);
    const start = process.hrtime.bigint();
    const run = await runOffline({}, () => {
        replayResources(set!, classes);
        // Every input was copied into the SDK's objects: let the recorded set go before the registrations settle.
        set = undefined;
        return {};
    }, { stack: STACK });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    print({ seconds, resources: run.resources.length, peakRssMiB: peakRssMiB(), heapLimitMiB: heapLimitMiB() } satisfies Measurement);
}

function print(value: unknown): void {
    process.stdout.write(JSON.stringify(value) + "\n");
}

async function main(): Promise<void> {
    // As index.ts runs the program; the replay gets the same setting so the comparison stays fair.
    tuneRuntime();
    const [mode, ...args] = process.argv.slice(2);
    switch (mode) {
        case "record":
            return record(args[0] as BenchProvider, Number(args[1]), args[2]);
        case "program":
            return program(args[0] as BenchProvider, Number(args[1]), args[2]);
        case "replay":
            return replay(args[0]);
        default:
            throw new Error("usage: measure.js record <provider> <workers> <set.json> | program <provider> <workers> [set.json] | replay <set.json>");
    }
}

if (require.main === module) {
    main().catch((error) => {
        process.stderr.write(String(error?.stack ?? error) + "\n");
        process.exit(1);
    });
}
