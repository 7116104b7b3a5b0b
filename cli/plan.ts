/**
 * `clusters plan --stack <name>` (alias `npm run plan -- --stack <name>`): validates a stack file, runs
 * the program offline under the mock runtime, prints a short summary and writes `out/<stack>/`
 * (resources.json, plan.md, policy.json and the rendered artefacts). No cloud, no Pulumi CLI, no secret
 * in clear in anything it writes.
 */
import * as fs from "fs";
import * as path from "path";
import { SpecError } from "../spec";
import { defineCluster, projectConfig, tuneRuntime } from "../components/program";
import { releaseOfflineRun, runOffline, type RecordedResource } from "../offline/harness";
import { evaluateStack, type PackConfig } from "../policies/lib/engine";
import { RULES } from "../policies/rules";
import { collectArtefacts } from "./artefacts";
import { EXIT, flag, runAsScript, stringOption, UsageError, type CommandSpec } from "./command";
import { renderPlanMarkdown } from "./plan-report";
import { assertStackName, loadOfflineStack, PROJECT_ROOT, stackOutDir, STACKS_DIR, type OfflineStack } from "./stacks";
import { paint, Progress } from "./terminal";

/** The pack config a stack's environment uses (policies/config/<environment>.json, when there is one). */
export function policyConfig(environment: string): PackConfig {
    const file = path.join(PROJECT_ROOT, "policies", "config", `${environment === "production" ? "production" : "dev"}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
}

export interface PlanResult {
    readonly outDir: string;
    readonly findings: readonly { policy: string; enforcement: string }[];
    readonly resources: readonly RecordedResource[];
    readonly files: readonly string[];
    /** The stack's `operations.paused` reason when it is paused (the plan still runs, as `pulumi preview` does). */
    readonly paused?: { readonly reason: string };
}

export interface PlanOptions {
    /** Called with what the plan is doing (resources registered so far, writing files). */
    readonly onProgress?: (text: string) => void;
}

/**
 * `operations.paused` makes `pulumi up` refuse, while `pulumi preview` keeps working (components/program.ts).
 * The offline plan runs the program as `pulumi up` would once the stack is unpaused, so pull-request plans
 * of a paused stack keep working; the summary and plan.md say the stack is paused.
 */
function unpaused(offline: OfflineStack): { values: Record<string, unknown>; paused?: { reason: string } } {
    const { operations } = offline.loaded.spec;
    if (!operations.paused) {
        return { values: offline.values };
    }
    const raw = offline.values.operations;
    const current = typeof raw === "string" ? JSON.parse(raw) as Record<string, unknown> : (raw ?? {}) as Record<string, unknown>;
    return {
        values: { ...offline.values, operations: { ...current, paused: false } },
        paused: { reason: operations.pausedReason ?? "no reason given" },
    };
}

export async function plan(offline: OfflineStack, outRoot = path.join(PROJECT_ROOT, "out"), options: PlanOptions = {}): Promise<PlanResult> {
    const stack = offline.name;
    // Checked before anything runs: the only directory plan empties is out/<stack>/ inside outRoot.
    const outDir = stackOutDir(outRoot, stack);
    const { values, paused } = unpaused(offline);
    const run = await runOffline(values, () => defineCluster(projectConfig()), {
        stack,
        onRegistered: options.onProgress && ((count) => options.onProgress!(`${count} resources registered`)),
    });
    try {
        options.onProgress?.("evaluating the policy pack");
        const findings = evaluateStack(RULES, run.resources.map((r) => ({ type: r.type, name: r.name, props: r.rawInputs })), policyConfig(offline.loaded.spec.meta.environment))
            // Findings quote fields and names, never values; secrets cannot leak through them.
            .map(({ policy, enforcement, kind, name, field, message }) => ({ policy, enforcement, kind, name, field, message }));
        options.onProgress?.(`writing ${path.relative(process.cwd(), outDir) || outDir}/`);
        const files: Record<string, string> = {
            "policy.json": JSON.stringify(findings, null, 2) + "\n",
            "resources.json": JSON.stringify(run.resources.map(({ urn, type, name, parent, inputs, dependencies }) => ({ urn, type, name, parent: parent ?? null, inputs, dependencies })), null, 2) + "\n",
            "plan.md": renderPlanMarkdown(stack, offline.loaded.spec, run.resources, offline.standIns)
                + (paused ? `\n> **This stack is paused** (\`operations.paused\`: ${paused.reason}). \`pulumi preview\` works; \`pulumi up\` refuses until \`operations.paused\` is false. This plan shows what \`pulumi up\` would do then.\n` : ""),
            ...collectArtefacts(offline.loaded.spec, run, stack),
        };
        fs.rmSync(outDir, { recursive: true, force: true });
        fs.mkdirSync(outDir, { recursive: true });
        for (const [file, content] of Object.entries(files)) {
            const target = path.join(outDir, file);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, content);
        }
        return { outDir, resources: run.resources, findings, files: Object.keys(files).sort(), ...(paused ? { paused } : {}) };
    } finally {
        releaseOfflineRun(run);
    }
}

/** What `--json` prints: the summary a machine reads (the files are in outDir). */
export function planSummary(offline: OfflineStack, result: PlanResult) {
    const spec = offline.loaded.spec;
    const pools: Record<string, number> = {};
    for (const node of spec.nodes) pools[node.pool] = (pools[node.pool] ?? 0) + 1;
    const custom = result.resources.filter((r) => r.custom).length;
    const mandatory = result.findings.filter((f) => f.enforcement === "mandatory");
    return {
        stack: offline.name,
        cluster: spec.meta.name,
        environment: spec.meta.environment,
        provider: spec.infrastructure.provider,
        kubernetesVersion: spec.kubernetes.version,
        nodes: spec.nodes.length,
        pools,
        resources: custom,
        components: result.resources.length - custom,
        findings: result.findings.length,
        mandatoryFindings: mandatory.length,
        mandatoryPolicies: [...new Set(mandatory.map((f) => f.policy))],
        paused: result.paused ?? null,
        warnings: offline.loaded.warnings.map((w) => `${w.path}: ${w.message}`),
        standIns: [...offline.standIns],
        outDir: result.outDir,
        files: [...result.files],
    };
}

function printSummary(summary: ReturnType<typeof planSummary>): void {
    const out = process.stdout;
    const lines = [
        `Stack ${summary.stack}: cluster ${summary.cluster} (${summary.environment}) on ${summary.provider}, Kubernetes ${summary.kubernetesVersion}`,
        `  nodes: ${summary.nodes} (${Object.entries(summary.pools).map(([pool, count]) => `${pool}=${count}`).join(", ")})`,
        `  resources: ${summary.resources} in ${summary.components} components`,
        `  policy pack: ${summary.findings} finding(s), ${summary.mandatoryFindings} mandatory${summary.mandatoryPolicies.length ? ` (${summary.mandatoryPolicies.join(", ")})` : ""}`,
    ];
    if (summary.paused) {
        lines.push(paint(out, "yellow", `  paused: ${summary.paused.reason}. pulumi preview works; pulumi up refuses until operations.paused is false (this plan shows what it would do then)`));
    }
    for (const warning of summary.warnings) lines.push(paint(out, "yellow", `  warning: ${warning}`));
    if (summary.standIns.length) lines.push(`  stand-ins for secrets not in the stack file: ${summary.standIns.join(", ")}`);
    lines.push(`  wrote ${path.relative(process.cwd(), summary.outDir)}/: ${summary.files.join(", ")}`);
    out.write(lines.join("\n") + "\n");
}

export const planCommand: CommandSpec = {
    name: "plan",
    summary: "validate a stack file and plan it offline into out/<stack>/ (no cloud, no Pulumi CLI)",
    usage: ["--stack <name> [--json] [--out <dir>] [--stacks-dir <dir>]", "<name>"],
    description: [
        "Runs the real program under Pulumi's mock runtime and writes out/<stack>/: resources.json, plan.md (with a",
        "Mermaid diagram), policy.json, kubespray/ and gitops/. Secrets the stack file cannot hold are replaced by",
        "stand-ins. A paused stack is planned too (pulumi preview works while paused), and the plan says so.",
        "Progress goes to stderr; stdout is the summary (or JSON with --json).",
    ].join("\n"),
    options: {
        stack: { type: "string", short: "s", value: "name", description: "the stack: a file stacks/Pulumi.<name>.yaml" },
        json: { type: "boolean", description: "print the summary as JSON on stdout" },
        out: { type: "string", value: "dir", description: "where out/<stack>/ goes (default: the project's out/)" },
        "stacks-dir": { type: "string", value: "dir", description: "where the stack files are (default: the project's stacks/)" },
    },
    positionals: { name: "stack name", min: 0, max: 1 },
    exitCodes: ["0  planned", "1  the stack file is invalid (every problem is listed) or the program failed", "2  usage error (unknown flag, missing or invalid stack name)"],
    async run(args) {
        const stack = stringOption(args, "stack") ?? args.positionals[0];
        if (!stack) {
            throw new UsageError("--stack <name> is required");
        }
        assertStackName(stack);
        const stacksDir = stringOption(args, "stacks-dir") ?? STACKS_DIR;
        const outRoot = stringOption(args, "out") ?? path.join(PROJECT_ROOT, "out");
        // The program's own setting (index.ts): one-frame stack traces make the SDK's per-promise
        // `new Error().stack` cheap (bench/: 3+1000 OpenStack 51 s → 14 s).
        tuneRuntime();
        const progress = new Progress(`plan ${stack}`).start();
        try {
            const offline = loadOfflineStack(stack, stacksDir);
            const result = await plan(offline, outRoot, { onProgress: (text) => progress.update(text) });
            progress.done();
            const summary = planSummary(offline, result);
            if (flag(args, "json")) {
                process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
            } else {
                printSummary(summary);
            }
            return EXIT.ok;
        } catch (error) {
            progress.done();
            if (error instanceof SpecError) {
                process.stderr.write(`${path.relative(process.cwd(), path.join(stacksDir, `Pulumi.${stack}.yaml`))}: ${error.message}\n`);
                return EXIT.error;
            }
            throw error;
        }
    },
};

if (require.main === module) {
    runAsScript(planCommand);
}
