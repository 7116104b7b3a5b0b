/**
 * `npm run fleet -- preview|drift [--stacks a,b | --all] [--concurrency N]`: the same operation over
 * many stacks, at most N at a time; one failing stack does not stop the others. Prints one summary
 * table; exits 1 if any stack failed, 2 if any stack has changes (preview) or drift, 0 otherwise.
 */
import { classify } from "./drift-classify";
import * as path from "path";
import { DRIFT_PREVIEW, pulumiJson, writeReports } from "./drift";
import { listStacks, parseArgs, PROJECT_ROOT } from "./stacks";

export type FleetOperation = "preview" | "drift";

export interface StackResult {
    readonly stack: string;
    readonly status: "clean" | "changes" | "drift" | "error";
    readonly detail: string;
}

/** Runs `work` over items with at most `limit` running at once; results keep the items' order. */
export async function boundedPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}

export async function runStack(operation: FleetOperation, stack: string): Promise<StackResult> {
    try {
        if (operation === "drift") {
            const report = classify(await pulumiJson(stack, DRIFT_PREVIEW) as never);
            writeReports(path.join(PROJECT_ROOT, "out", stack), stack, report);
            if (report.errors.length) return { stack, status: "error", detail: report.errors.join("; ") };
            const { summary } = report;
            return report.items.length
                ? { stack, status: "drift", detail: `${summary.resources} resource(s): ${summary.critical} critical, ${summary.warning} warning, ${summary.info} info` }
                : { stack, status: "clean", detail: "no drift" };
        }
        const preview = await pulumiJson(stack, ["preview", "--json", "--non-interactive"]) as { changeSummary?: Record<string, number>; diagnostics?: { severity?: string; message?: string }[] };
        const errors = (preview.diagnostics ?? []).filter((d) => d.severity === "error");
        if (errors.length) return { stack, status: "error", detail: errors.map((d) => (d.message ?? "").trim()).join("; ") };
        const changes = Object.entries(preview.changeSummary ?? {}).filter(([op, n]) => op !== "same" && n > 0);
        return changes.length ? { stack, status: "changes", detail: changes.map(([op, n]) => `${n} to ${op}`).join(", ") } : { stack, status: "clean", detail: "no changes" };
    } catch (error) {
        return { stack, status: "error", detail: error instanceof Error ? error.message : String(error) };
    }
}

export function summaryTable(results: readonly StackResult[]): string {
    const width = Math.max(5, ...results.map((r) => r.stack.length));
    return [`${"stack".padEnd(width)}  result   detail`, ...results.map((r) => `${r.stack.padEnd(width)}  ${r.status.padEnd(7)}  ${r.detail}`)].join("\n");
}

export function exitCode(results: readonly StackResult[]): number {
    if (results.some((r) => r.status === "error")) return 1;
    return results.some((r) => r.status !== "clean") ? 2 : 0;
}

async function main(): Promise<number> {
    const { flags, positional } = parseArgs(process.argv.slice(2), ["all"]);
    const operation = positional[0] as FleetOperation;
    const stacks = flags.all ? listStacks() : typeof flags.stacks === "string" ? flags.stacks.split(",").filter(Boolean) : [];
    const concurrency = Number(flags.concurrency ?? 4);
    if (!["preview", "drift"].includes(operation) || stacks.length === 0 || !Number.isInteger(concurrency) || concurrency < 1) {
        console.error("usage: npm run fleet -- preview|drift (--stacks a,b | --all) [--concurrency N (default 4)]");
        return 1;
    }
    const results = await boundedPool(stacks, concurrency, (stack) => runStack(operation, stack));
    console.log(summaryTable(results));
    return exitCode(results);
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}
