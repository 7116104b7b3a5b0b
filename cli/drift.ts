/**
 * `npm run drift -- --stack <name>` runs `pulumi preview --refresh --expect-no-changes --json` and
 * classifies what drifted; `npm run drift -- --from <preview.json>` classifies a saved preview without
 * running anything. Prints a table, writes drift.json and drift.md, and exits 0 for no drift, 2 for
 * drift, 1 for an error (unlike `pulumi preview`, which exits 255 for both: pulumi/pulumi#8992).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { classify, renderMarkdown, renderTable, type DriftReport } from "./drift-classify";
import { parseArgs, PROJECT_ROOT } from "./stacks";

export const EXIT = { clean: 0, drift: 2, error: 1 } as const;

export class DriftError extends Error {}

export const DRIFT_PREVIEW = ["preview", "--refresh", "--expect-no-changes", "--json", "--non-interactive"];

/**
 * Runs the Pulumi CLI for a stack and returns its JSON output. The CLI exits non-zero both for
 * changes and for errors, so the exit code is not trusted: the JSON (or its absence) decides.
 */
export function pulumiJson(stack: string, args: readonly string[], cwd = PROJECT_ROOT): Promise<unknown> {
    return new Promise((resolve, reject) => {
        const child = spawn("pulumi", [...args, "--stack", stack], { cwd, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
        child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
        child.on("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT"
            ? new DriftError("the Pulumi CLI (pulumi) is not on PATH: install it (https://www.pulumi.com/docs/install/) or classify a saved preview with --from <preview.json>")
            : error));
        child.on("close", (code) => {
            const text = stdout.trim();
            if (!text.startsWith("{")) {
                reject(new DriftError(`pulumi ${args[0]} failed (exit ${code}): ${(stderr || text).trim().split("\n").slice(-5).join(" ")}`));
                return;
            }
            try {
                resolve(JSON.parse(text));
            } catch (error) {
                reject(new DriftError(`pulumi ${args[0]} printed invalid JSON: ${String(error)}`));
            }
        });
    });
}

export function readPreview(file: string): unknown {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new DriftError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
}

export function exitCodeOf(report: DriftReport): number {
    if (report.errors.length > 0) return EXIT.error;
    return report.items.length > 0 ? EXIT.drift : EXIT.clean;
}

export function writeReports(dir: string, stack: string, report: DriftReport): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "drift.json"), JSON.stringify({ stack, ...report }, null, 2) + "\n");
    fs.writeFileSync(path.join(dir, "drift.md"), renderMarkdown(stack, report));
}

async function main(): Promise<number> {
    const { flags } = parseArgs(process.argv.slice(2));
    const stack = typeof flags.stack === "string" ? flags.stack : undefined;
    const from = typeof flags.from === "string" ? flags.from : undefined;
    if (!stack && !from) {
        console.error("usage: npm run drift -- --stack <name> | --from <preview.json> [--out <dir>]");
        return EXIT.error;
    }
    try {
        const report = classify((from ? readPreview(from) : await pulumiJson(stack!, DRIFT_PREVIEW)) as never);
        const name = stack ?? path.basename(from!, ".json");
        const out = typeof flags.out === "string" ? flags.out : path.join(PROJECT_ROOT, "out", name);
        writeReports(out, name, report);
        console.log(renderTable(report));
        for (const error of report.errors) {
            console.error(`error: ${error}`);
        }
        console.log(`reports: ${path.relative(process.cwd(), path.join(out, "drift.json"))}, ${path.relative(process.cwd(), path.join(out, "drift.md"))}`);
        return exitCodeOf(report);
    } catch (error) {
        console.error(`drift review failed: ${error instanceof Error ? error.message : String(error)}`);
        return EXIT.error;
    }
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}
