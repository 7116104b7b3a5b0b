/**
 * `clusters drift --stack <name>` runs `pulumi preview --refresh --expect-no-changes` through the
 * Automation API (with the policy pack, events streamed as they come) and classifies what drifted;
 * `clusters drift --from <preview.json>` classifies a saved `pulumi preview --json` (CI logs) without
 * running anything. Prints a table (or JSON), writes drift.json and drift.md, and exits 0 for no drift,
 * 2 for drift, 1 for an error (unlike `pulumi preview`, which exits 255 for both: pulumi/pulumi#8992).
 */
import * as fs from "fs";
import * as path from "path";
import { errorText, localStacks, PreviewCollector, stderrTail, type StackOpener } from "./automation";
import { EXIT, flag, runAsScript, stringOption, stringOptions, UsageError, type CommandSpec } from "./command";
import { classify, NotAPreviewError, parsePreview, renderMarkdown, renderTable, type DriftReport } from "./drift-classify";
import { assertStackName, isStackName, stackOutDir } from "./stack-name";
import { PROJECT_ROOT, STACKS_DIR } from "./stacks";
import { escapeTerminal, paint, Progress } from "./terminal";
import { readStackFile } from "../spec/stackfile";

export const EXIT_DRIFT = { clean: EXIT.ok, drift: EXIT.findings, error: EXIT.error } as const;

export class DriftError extends Error {}

export function readPreview(file: string): DriftReport {
    let value: unknown;
    try {
        value = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new DriftError(`cannot read ${file}: ${errorText(error)}`);
    }
    try {
        return classify(parsePreview(value));
    } catch (error) {
        if (error instanceof NotAPreviewError) throw new DriftError(`${file}: ${error.message}`);
        throw error;
    }
}

export interface DriftRunOptions {
    readonly opener?: StackOpener;
    /** Policy packs to run with the preview (directories), and their config files. */
    readonly policyPacks?: readonly string[];
    readonly policyPackConfigs?: readonly string[];
    /** Called as engine events arrive: how many resources the preview has looked at. */
    readonly onProgress?: (resourcesSeen: number) => void;
}

/**
 * The drift review of one stack through the Automation API. `--expect-no-changes` makes the CLI exit
 * non-zero on drift, and the API then rejects: the streamed events decide instead. Error diagnostics or
 * mandatory policy violations mean the review failed; change steps without them mean drift.
 */
export async function reviewStack(stack: string, options: DriftRunOptions = {}): Promise<DriftReport> {
    const opener = options.opener ?? localStacks();
    const target = await opener.select(assertStackName(stack));
    const collector = new PreviewCollector();
    let failure: unknown;
    try {
        await target.preview({
            refresh: true,
            expectNoChanges: true,
            ...(options.policyPacks?.length ? { policyPacks: [...options.policyPacks] } : {}),
            ...(options.policyPackConfigs?.length ? { policyPackConfigs: [...options.policyPackConfigs] } : {}),
            color: "never",
            onEvent: (event) => {
                collector.onEvent(event);
                if (event.resourcePreEvent) options.onProgress?.(collector.resourcesSeen);
            },
        });
    } catch (error) {
        failure = error;
    }
    const report = classify(collector.digest());
    const errors = [...report.errors, ...collector.mandatoryViolations()];
    if (failure !== undefined && errors.length === 0 && report.items.length === 0) {
        // The CLI failed before the engine said why (login, missing stack config, a crashed plugin).
        errors.push(`pulumi preview failed: ${stderrTail(failure)}`);
    }
    return { ...report, errors };
}

export function exitCodeOf(report: DriftReport): number {
    if (report.errors.length > 0) return EXIT_DRIFT.error;
    return report.items.length > 0 ? EXIT_DRIFT.drift : EXIT_DRIFT.clean;
}

export function writeReports(dir: string, stack: string, report: DriftReport): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "drift.json"), JSON.stringify({ stack, ...report }, null, 2) + "\n");
    fs.writeFileSync(path.join(dir, "drift.md"), renderMarkdown(stack, report));
}

/** The stack file's `meta.environment`, when the file exists and says (read without validating the rest). */
export function stackEnvironment(stack: string, stacksDir = STACKS_DIR): string | undefined {
    const file = path.join(stacksDir, `Pulumi.${assertStackName(stack)}.yaml`);
    if (!fs.existsSync(file)) return undefined;
    const meta = readStackFile(fs.readFileSync(file, "utf8"), file).values.meta;
    const environment = meta && typeof meta === "object" ? (meta as Record<string, unknown>).environment : undefined;
    return typeof environment === "string" ? environment : undefined;
}

/** The policy pack and its config for a stack, as the workflows pass them (production: pod security mandatory). */
export function defaultPolicyPack(stack: string, stacksDir = STACKS_DIR): { policyPacks: string[]; policyPackConfigs: string[] } {
    const config = path.join(PROJECT_ROOT, "policies", "config", stackEnvironment(stack, stacksDir) === "production" ? "production.json" : "dev.json");
    return { policyPacks: [path.join(PROJECT_ROOT, "policies")], policyPackConfigs: fs.existsSync(config) ? [config] : [] };
}

export function policyPackArgs(args: Parameters<CommandSpec["run"]>[0], stack: string): { policyPacks: string[]; policyPackConfigs: string[] } {
    if (flag(args, "skip-policies")) return { policyPacks: [], policyPackConfigs: [] };
    const packs = stringOptions(args, "policy-pack");
    return packs.length ? { policyPacks: packs, policyPackConfigs: stringOptions(args, "policy-pack-config") } : defaultPolicyPack(stack);
}

export const POLICY_OPTIONS = {
    "policy-pack": { type: "string", multiple: true, value: "dir", description: "policy pack to run with the preview (default: policies/, with policies/config/production.json for production stacks)" },
    "policy-pack-config": { type: "string", multiple: true, value: "file", description: "config for --policy-pack" },
    "skip-policies": { type: "boolean", description: "run the preview without the policy pack" },
} as const;

export function driftCommand(opener?: StackOpener): CommandSpec {
    return {
        name: "drift",
        summary: "classify drift: pulumi preview --refresh --expect-no-changes, or a saved preview",
        usage: ["--stack <name> [--json] [--out <dir>] [--policy-pack <dir>]...", "--from <preview.json> [--stack <name>] [--json] [--out <dir>]"],
        description: [
            "Each drifted resource and property is critical (a machine, network, volume or load balancer is missing or",
            "would be replaced), warning (security rules, members, sizes) or info (tags, labels, metadata), and either",
            "reconciled safely by pulumi up or to be reviewed first. Property paths only, never values. Writes",
            "out/<stack>/drift.json and drift.md. --from reads `pulumi preview --json` output saved by CI.",
        ].join("\n"),
        options: {
            stack: { type: "string", short: "s", value: "name", description: "the stack to review (with --from: the report's name)" },
            from: { type: "string", value: "file", description: "classify a saved `pulumi preview --json` instead of running a preview" },
            json: { type: "boolean", description: "print the report as JSON on stdout" },
            out: { type: "string", value: "dir", description: "where drift.json and drift.md go (default out/<stack>/)" },
            ...POLICY_OPTIONS,
        },
        exitCodes: ["0  no drift", "1  error: the preview failed or the file is not a preview (the reason is printed)", "2  drift (or a usage error)"],
        async run(args) {
            const from = stringOption(args, "from");
            const stackFlag = stringOption(args, "stack");
            if (!stackFlag && !from) throw new UsageError("--stack <name> or --from <preview.json> is required");
            if (stackFlag) assertStackName(stackFlag);
            const name = stackFlag ?? path.basename(from!, ".json");
            if (!isStackName(name)) {
                throw new UsageError(`cannot name the report after ${JSON.stringify(path.basename(from!))}: pass --stack <name>`);
            }
            const out = stringOption(args, "out") ?? stackOutDir(path.join(PROJECT_ROOT, "out"), name);
            const progress = new Progress(`drift ${name}`).start();
            let report: DriftReport;
            try {
                report = from
                    ? readPreview(from)
                    : await reviewStack(name, { opener, ...policyPackArgs(args, name), onProgress: (seen) => progress.update(`${seen} resources previewed`) });
            } catch (error) {
                progress.done();
                process.stderr.write(`drift review failed: ${escapeTerminal(errorText(error))}\n`);
                return EXIT_DRIFT.error;
            }
            progress.done();
            writeReports(out, name, report);
            if (flag(args, "json")) {
                process.stdout.write(JSON.stringify({ stack: name, ...report }, null, 2) + "\n");
            } else {
                const table = renderTable(report);
                process.stdout.write((report.items.length ? table : paint(process.stdout, "green", table)) + "\n");
                process.stdout.write(`reports: ${path.relative(process.cwd(), path.join(out, "drift.json"))}, ${path.relative(process.cwd(), path.join(out, "drift.md"))}\n`);
            }
            for (const error of report.errors) {
                process.stderr.write(`${paint(process.stderr, "red", "error:")} ${escapeTerminal(error)}\n`);
            }
            return exitCodeOf(report);
        },
    };
}

if (require.main === module) {
    runAsScript(driftCommand());
}
