/**
 * One measurement in a fresh process (so peak memory is this run's own): `program` runs the real
 * program offline on a generated stack; `floor` registers the same number of bare resources with
 * inputs of the same size and no program logic. Prints one JSON line.
 */
import * as pulumi from "@pulumi/pulumi";
import { defineCluster, projectConfig, tuneRuntime } from "../components/program";
import { runOffline } from "../offline/harness";
import { generatedStack, type BenchProvider } from "./stacks";

class Bare extends pulumi.CustomResource {
    constructor(name: string, inputs: Record<string, unknown>) {
        super("bench:index:Bare", name, inputs);
    }
}

async function main(): Promise<void> {
    // Measured as index.ts runs it (and the floor the same way, so the comparison stays fair).
    tuneRuntime();
    const [mode, provider, workersText, countText, sizeText] = process.argv.slice(2);
    const workers = Number(workersText);
    const start = process.hrtime.bigint();
    let resources = 0;
    let inputBytes = 0;
    let kubespray = 0;
    if (mode === "program") {
        const run = await runOffline(generatedStack(provider as BenchProvider, workers), () => defineCluster(projectConfig()), { stack: "bench" });
        resources = run.resources.length;
        inputBytes = run.resources.reduce((sum, r) => sum + JSON.stringify(r.rawInputs).length, 0);
        kubespray = run.resources.filter((r) => r.type === "command:local:Command" && r.parent?.includes("clusters:kubespray:Kubespray")).length;
    } else {
        const count = Number(countText);
        const size = Number(sizeText);
        const run = await runOffline({}, () => {
            for (let i = 0; i < count; i++) {
                new Bare(`bare-${i}`, { payload: "x".repeat(size), index: i });
            }
            return {};
        }, { stack: "bench" });
        resources = run.resources.length;
        inputBytes = run.resources.reduce((sum, r) => sum + JSON.stringify(r.rawInputs).length, 0);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    process.stdout.write(JSON.stringify({ seconds, resources, kubespray, inputBytes, peakRssMiB: process.resourceUsage().maxRSS / 1024 }) + "\n");
}

main().catch((error) => {
    process.stderr.write(String(error?.stack ?? error));
    process.exit(1);
});
