/**
 * `clusters fleet preview|drift [--stacks a,b | --all] [--concurrency N]`: the same operation over many
 * stacks through the Automation API, at most N at a time; one failing stack does not stop the others.
 * Each stack's result is printed to stderr as it finishes, one summary table (or JSON) to stdout at the
 * end; exits 1 if any stack failed, 2 if any stack has changes (preview) or drift, 0 otherwise.
 */
import * as path from "path";
import { errorText, localStacks, PreviewCollector, stderrTail, type StackOpener } from "./automation";
import { EXIT, flag, runAsScript, stringOption, UsageError, type CommandSpec, type ParsedCommandArgs } from "./command";
import { policyPackArgs, POLICY_OPTIONS, reviewStack, writeReports } from "./drift";
import { assertStackName, stackOutDir } from "./stack-name";
import { listStacks, PROJECT_ROOT } from "./stacks";
import { escapeTerminal, paint, Progress } from "./terminal";

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

export interface FleetOptions {
    readonly opener?: StackOpener;
    readonly outRoot?: string;
    /** Policy pack arguments per stack (the production config for production stacks). */
    readonly policies?: (stack: string) => { policyPacks: string[]; policyPackConfigs: string[] };
    /** Resources previewed so far in this stack (engine events). */
    readonly onProgress?: (stack: string, resourcesSeen: number) => void;
}

export async function runStack(operation: FleetOperation, stack: string, options: FleetOptions = {}): Promise<StackResult> {
    const opener = options.opener ?? localStacks();
    const policies = options.policies?.(stack) ?? { policyPacks: [], policyPackConfigs: [] };
    try {
        if (operation === "drift") {
            const report = await reviewStack(stack, { opener, ...policies, onProgress: (seen) => options.onProgress?.(stack, seen) });
            writeReports(stackOutDir(options.outRoot ?? path.join(PROJECT_ROOT, "out"), stack), stack, report);
            if (report.errors.length) return { stack, status: "error", detail: report.errors.join("; ") };
            const { summary } = report;
            return report.items.length
                ? { stack, status: "drift", detail: `${summary.resources} resource(s): ${summary.critical} critical, ${summary.warning} warning, ${summary.info} info` }
                : { stack, status: "clean", detail: "no drift" };
        }
        const target = await opener.select(stack);
        const collector = new PreviewCollector();
        let result;
        try {
            result = await target.preview({
                ...(policies.policyPacks.length ? policies : {}),
                color: "never",
                onEvent: (event) => {
                    collector.onEvent(event);
                    if (event.resourcePreEvent) options.onProgress?.(stack, collector.resourcesSeen);
                },
            });
        } catch (error) {
            const reasons = [...collector.errors(), ...collector.mandatoryViolations()];
            return { stack, status: "error", detail: reasons.length ? reasons.join("; ") : `pulumi preview failed: ${stderrTail(error)}` };
        }
        // PreviewResult.changeSummary comes from the engine's summary event (stack.js preview()).
        const summary = Object.keys(result.changeSummary ?? {}).length ? result.changeSummary : collector.changeSummary;
        const changes = Object.entries(summary as Record<string, number>).filter(([op, n]) => op !== "same" && n > 0);
        return changes.length ? { stack, status: "changes", detail: changes.map(([op, n]) => `${n} to ${op}`).join(", ") } : { stack, status: "clean", detail: "no changes" };
    } catch (error) {
        return { stack, status: "error", detail: errorText(error) };
    }
}

export function summaryTable(results: readonly StackResult[], stream: NodeJS.WriteStream = process.stdout): string {
    let width = 5;
    for (const r of results) width = Math.max(width, r.stack.length);
    const colour = { clean: "green", changes: "yellow", drift: "yellow", error: "red" } as const;
    return [`${"stack".padEnd(width)}  result   detail`,
        ...results.map((r) => `${r.stack.padEnd(width)}  ${paint(stream, colour[r.status], r.status.padEnd(7))}  ${escapeTerminal(r.detail)}`)].join("\n");
}

export function exitCode(results: readonly StackResult[]): number {
    if (results.some((r) => r.status === "error")) return EXIT.error;
    return results.some((r) => r.status !== "clean") ? EXIT.findings : EXIT.ok;
}

function selectedStacks(args: ParsedCommandArgs): string[] {
    const list = stringOption(args, "stacks");
    if (flag(args, "all") === Boolean(list)) throw new UsageError("give either --stacks a,b or --all");
    const stacks = list ? list.split(",").map((s) => s.trim()).filter(Boolean) : listStacks();
    if (stacks.length === 0) throw new UsageError("no stacks to run");
    for (const stack of stacks) assertStackName(stack, "--stacks entry");
    return stacks;
}

export function fleetCommand(opener?: StackOpener): CommandSpec {
    return {
        name: "fleet",
        summary: "preview or drift-review many stacks at once, at most N at a time",
        usage: ["preview|drift (--stacks a,b | --all) [--concurrency N] [--json]"],
        description: [
            "preview: pulumi preview (with the policy pack) per stack; drift: the drift review per stack (writes",
            "out/<stack>/drift.json and drift.md). One failing stack does not stop the others. Each result goes to",
            "stderr as it finishes; the summary table (or JSON with --json) to stdout at the end.",
        ].join("\n"),
        options: {
            stacks: { type: "string", value: "a,b", description: "comma-separated stack names" },
            all: { type: "boolean", description: "every stack with a file in stacks/" },
            concurrency: { type: "string", value: "N", description: "stacks at once (default 4)" },
            json: { type: "boolean", description: "print the results as JSON on stdout" },
            out: { type: "string", value: "dir", description: "drift: where each stack's <stack>/drift.json and drift.md go (default: the project's out/)" },
            ...POLICY_OPTIONS,
        },
        positionals: { name: "operation (preview or drift)", min: 1, max: 1 },
        exitCodes: ["0  every stack clean", "1  a stack failed (the others still ran)", "2  a stack has changes or drift (or a usage error)"],
        async run(args) {
            const operation = args.positionals[0];
            if (operation !== "preview" && operation !== "drift") throw new UsageError(`unknown operation ${JSON.stringify(operation)}: preview or drift`);
            const stacks = selectedStacks(args);
            const concurrency = Number(stringOption(args, "concurrency") ?? 4);
            if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError("--concurrency must be a whole number from 1");
            const progress = new Progress(`fleet ${operation}`).start();
            const seen = new Map<string, number>();
            let finished = 0;
            const results = await boundedPool(stacks, concurrency, async (stack) => {
                const result = await runStack(operation, stack, {
                    opener,
                    outRoot: stringOption(args, "out"),
                    policies: (s) => policyPackArgs(args, s),
                    onProgress: (s, count) => {
                        seen.set(s, count);
                        progress.update([...seen].map(([name, n]) => `${name} ${n}`).join(", ") + " resources");
                    },
                });
                seen.delete(stack);
                finished++;
                progress.clear();
                process.stderr.write(`[${finished}/${stacks.length}] ${stack}: ${result.status}: ${escapeTerminal(result.detail)}\n`);
                return result;
            });
            progress.done();
            process.stdout.write((flag(args, "json") ? JSON.stringify(results, null, 2) : summaryTable(results)) + "\n");
            return exitCode(results);
        },
    };
}

if (require.main === module) {
    runAsScript(fleetCommand());
}
