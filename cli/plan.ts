/**
 * `clusters plan --stack <name>` (alias `npm run plan -- --stack <name>`): validates a stack file, runs
 * the program offline under the mock runtime, prints a short summary and writes `out/<stack>/`
 * (resources.json, plan.md, operations.json, deployed.json, policy.json and the rendered artefacts). No
 * cloud, no Pulumi CLI, no secret in clear in anything it writes.
 *
 * `--against <dir>` (a previous plan's out/<stack>/) runs the program as the next `pulumi up` after that
 * plan's: its deployed record is what the program reads, so the graph is Day 2's and what `pulumi up`
 * would refuse is refused; operations.json says what that `pulumi up` will run (cli/operations.ts).
 * `--gitops-base <dir>` (or CLUSTERS_GITOPS_BASE_SOURCE) adds the pod-security gate on the manifests of the
 * enabled gitops-base services (policies/lib/services-gate.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { SERVICE_CATALOG, SpecError, type ClusterSpec } from "../spec";
import { manualServiceSteps, SHARED_STAGES } from "../spec/catalog";
import { Deployed, DEPLOYED_OUTPUT, deployedFromOutputs, DeployedRecordError } from "../components/deployed";
import { defineCluster, projectConfig, tuneRuntime } from "../components/program";
import { decommissionNotices } from "../components/protection";
import { releaseOfflineRun, runOffline, type RecordedResource } from "../offline/harness";
import { evaluateStack, type PackConfig } from "../policies/lib/engine";
import { checkServices, formatServiceGate, type ServiceGateReport } from "../policies/lib/services-gate";
import { RULES } from "../policies/rules";
import { collectArtefacts } from "./artefacts";
import { EXIT, flag, runAsScript, stringOption, UsageError, type CommandSpec } from "./command";
import { dayTwoOperations, operationsMarkdown, type Operation, type PlannedResource, type PreviousPlan } from "./operations";
import { renderPlanMarkdown } from "./plan-report";
import { assertStackName, loadOfflineStack, PROJECT_ROOT, stackOutDir, STACKS_DIR, type OfflineStack } from "./stacks";
import { escapeMarkdownText, escapeTerminal, paint, Progress } from "./terminal";

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
    /** What `pulumi up` will do, in order (operations.json). */
    readonly operations: readonly Operation[];
    /** What the program logged with `pulumi.log.warn` (as preview shows them). */
    readonly warnings: readonly string[];
    /** The services gate, when a gitops-base tree was given. */
    readonly servicesGate?: readonly ServiceGateReport[];
}

export interface PlanOptions {
    /** Called with what the plan is doing (resources registered so far, writing files). */
    readonly onProgress?: (text: string) => void;
    /** A previous plan's out/<stack>/ directory: plan the next `pulumi up` after it (Day 2). */
    readonly against?: string;
    /** A checkout of the pinned gitops-base release: gate the enabled services' manifests. */
    readonly gitopsBase?: string;
}

/** Files of a previous plan that `--against` reads. */
export const PREVIOUS_PLAN_FILES = ["resources.json", "deployed.json"] as const;

/** Reads a previous plan's out/<stack>/ (before anything is written: it may be the directory this plan replaces). */
export function readPreviousPlan(dir: string): PreviousPlan & { readonly outputs: Record<string, unknown> } {
    const missing = PREVIOUS_PLAN_FILES.filter((file) => !fs.existsSync(path.join(dir, file)));
    if (missing.length) {
        throw new Error(`--against ${dir}: no ${missing.join(" or ")} there (a plan directory written by \`clusters plan\` of this version: run it at the previous commit first)`);
    }
    const resources = JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8")) as PlannedResource[];
    const record = JSON.parse(fs.readFileSync(path.join(dir, "deployed.json"), "utf8")) as unknown;
    const outputs = record === null ? {} : { [DEPLOYED_OUTPUT]: record };
    try {
        return { resources, deployed: deployedFromOutputs(outputs), outputs };
    } catch (error) {
        if (error instanceof DeployedRecordError) throw new Error(`--against ${dir}: deployed.json: ${error.message}`);
        throw error;
    }
}

/** Every gitops-base path Flux would apply for the stack's enabled services: their stages and the shared stages they use. */
export function gitopsBasePaths(spec: ClusterSpec): Record<string, { path: string }> {
    const paths: Record<string, { path: string }> = {};
    for (const service of spec.enabledServices) {
        const entry = SERVICE_CATALOG[service.name];
        if (entry.origin !== "gitops-base") continue;
        for (const shared of entry.shared) paths[SHARED_STAGES[shared].name] = { path: SHARED_STAGES[shared].path };
        for (const stage of entry.stages) paths[stage.name] = { path: stage.path };
    }
    return paths;
}

function protectionMarkdown(spec: ClusterSpec, resources: readonly RecordedResource[], deployed: Deployed): string {
    const notices = decommissionNotices(spec, deployed);
    const protectedResources = resources.filter((r) => r.options.protect);
    const lines = ["## Protection", ""];
    for (const notice of notices) lines.push(`> **WARNING**: ${notice}`, "");
    if (spec.meta.environment !== "production") {
        lines.push(`A ${spec.meta.environment} stack: nothing is protected; \`pulumi destroy\` deletes everything.`, "");
    } else {
        lines.push(`${protectedResources.length} resources are protected: \`pulumi destroy\` is refused by the engine until \`operations.decommission\` lifts it. A node taken out of the stack file while its machine is protected is refused by the program before anything runs (\`pulumi preview\`, \`pulumi up\`, this plan), because its drain and \`remove-node.yml\` would run before the engine refused the delete: list it in \`operations.decommission.nodes\` for one \`pulumi up\` first, then take it out (README "Teardown is deliberate").`, "");
        if (protectedResources.length) {
            lines.push(protectedResources.length > 12
                ? `${protectedResources.slice(0, 12).map((r) => `\`${r.name}\``).join(", ")} and ${protectedResources.length - 12} more.`
                : protectedResources.map((r) => `\`${r.name}\``).join(", ") + ".", "");
        }
    }
    return lines.join("\n");
}

function manualStepsMarkdown(spec: ClusterSpec): string {
    const steps = manualServiceSteps(spec.enabledServices.map((s) => s.name));
    return steps.length ? `\n## By hand after pulumi up\n\n${steps.map((step) => `- ${step.replace(/: (kubectl .*)$/, ":\n\n  ```sh\n  $1\n  ```")}`).join("\n")}\n` : "";
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
    // Read before anything is written: `--against out/<stack>/` is the directory this plan replaces.
    const previous = options.against ? readPreviousPlan(options.against) : undefined;
    const run = await runOffline(values, () => defineCluster(projectConfig()), {
        stack,
        previousOutputs: previous?.outputs,
        onRegistered: options.onProgress && ((count) => options.onProgress!(`${count} resources registered`)),
    });
    try {
        options.onProgress?.("evaluating the policy pack");
        const findings = evaluateStack(RULES, run.resources.map((r) => ({ type: r.type, name: r.name, props: r.rawInputs })), policyConfig(offline.loaded.spec.meta.environment))
            // Findings quote fields and names, never values; secrets cannot leak through them.
            .map(({ policy, enforcement, kind, name, field, message }) => ({ policy, enforcement, kind, name, field, message }));
        const spec = offline.loaded.spec;
        const operations = dayTwoOperations(spec, run.resources, previous);
        let servicesGate: ServiceGateReport[] | undefined;
        if (options.gitopsBase) {
            options.onProgress?.("gating the services' manifests (kubectl kustomize)");
            servicesGate = checkServices(options.gitopsBase, gitopsBasePaths(spec), RULES, policyConfig(spec.meta.environment));
        }
        options.onProgress?.(`writing ${path.relative(process.cwd(), outDir) || outDir}/`);
        const files: Record<string, string> = {
            "policy.json": JSON.stringify(findings, null, 2) + "\n",
            "resources.json": JSON.stringify(run.resources.map(({ urn, type, name, parent, inputs, dependencies }) => ({ urn, type, name, parent: parent ?? null, inputs, dependencies })), null, 2) + "\n",
            "operations.json": JSON.stringify(operations, null, 2) + "\n",
            // What this plan's `pulumi up` writes as the stack output `deployed`: the next plan's --against reads it.
            "deployed.json": JSON.stringify(run.outputs[DEPLOYED_OUTPUT] ?? null, null, 2) + "\n",
            "plan.md": renderPlanMarkdown(stack, spec, run.resources, offline.standIns)
                + (paused ? `\n> **This stack is paused** (\`operations.paused\`: ${escapeMarkdownText(paused.reason)}). \`pulumi preview\` works; \`pulumi up\` refuses until \`operations.paused\` is false. This plan shows what \`pulumi up\` would do then.\n` : "")
                + "\n" + operationsMarkdown(operations, options.against)
                + "\n" + protectionMarkdown(spec, run.resources, previous?.deployed ?? Deployed.none())
                + manualStepsMarkdown(spec)
                + (servicesGate ? `\n## Services gate\n\n\`\`\`\n${formatServiceGate(servicesGate)}\n\`\`\`\n` : ""),
            ...(servicesGate ? { "services-gate.json": JSON.stringify(servicesGate, null, 2) + "\n", "services-gate.txt": formatServiceGate(servicesGate) + "\n" } : {}),
            ...collectArtefacts(spec, run, stack),
        };
        fs.rmSync(outDir, { recursive: true, force: true });
        fs.mkdirSync(outDir, { recursive: true });
        for (const [file, content] of Object.entries(files)) {
            const target = path.join(outDir, file);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, content);
        }
        return { outDir, resources: run.resources, findings, files: Object.keys(files).sort(), operations, warnings: run.warnings, ...(servicesGate ? { servicesGate } : {}), ...(paused ? { paused } : {}) };
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
        // Production: what the engine refuses to delete (plan.md, Protection); 0 elsewhere.
        protected: result.resources.filter((r) => r.options.protect).length,
        findings: result.findings.length,
        mandatoryFindings: mandatory.length,
        mandatoryPolicies: [...new Set(mandatory.map((f) => f.policy))],
        paused: result.paused ?? null,
        // What the program logs with pulumi.log.warn (the spec's warnings, decommissioning…), as preview shows them.
        warnings: [...result.warnings],
        // Steps a person must take by hand after pulumi up (e.g. approving the Keycloak operator's InstallPlan).
        notes: manualServiceSteps(spec.enabledServices.map((s) => s.name)),
        operations: Object.fromEntries(["create", "replace", "update", "delete", "run", "step"].map((action) => [action, result.operations.filter((o) => o.action === action).length])),
        servicesGate: result.servicesGate ? { services: result.servicesGate.length, findings: result.servicesGate.reduce((n, r) => n + r.findings.length, 0) } : null,
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
        lines.push(paint(out, "yellow", `  paused: ${escapeTerminal(summary.paused.reason)}. pulumi preview works; pulumi up refuses until operations.paused is false (this plan shows what it would do then)`));
    }
    const ops = summary.operations;
    lines.push(`  pulumi up will: create ${ops.create}, replace ${ops.replace}, change in place ${ops.update}, delete ${ops.delete} machine(s); ${ops.run} Kubespray playbook run(s) (operations.json, plan.md)`);
    if (summary.environment === "production") {
        lines.push(`  protection: ${summary.protected} resource(s) protected; pulumi destroy, and a protected node taken out of the stack file, are refused until operations.decommission lifts it in an earlier pulumi up (plan.md, Protection)`);
    }
    if (summary.servicesGate) lines.push(`  services gate: ${summary.servicesGate.services} gitops-base path(s), ${summary.servicesGate.findings} finding(s) (services-gate.txt)`);
    for (const warning of summary.warnings) lines.push(paint(out, "yellow", `  warning: ${warning}`));
    for (const note of summary.notes) lines.push(`  note: ${note}`);
    if (summary.standIns.length) lines.push(`  stand-ins for secrets not in the stack file: ${summary.standIns.join(", ")}`);
    lines.push(`  wrote ${path.relative(process.cwd(), summary.outDir)}/: ${filesByFolder(summary.files)}`);
    out.write(lines.join("\n") + "\n");
}

/** The written files, top-level ones by name and each folder as a count: `plan.md, kubespray/ (6 files), …`. */
export function filesByFolder(files: readonly string[]): string {
    const top: string[] = [];
    const folders = new Map<string, number>();
    for (const file of files) {
        const slash = file.indexOf("/");
        if (slash < 0) top.push(file);
        else folders.set(file.slice(0, slash), (folders.get(file.slice(0, slash)) ?? 0) + 1);
    }
    return [...top, ...[...folders].map(([folder, count]) => `${folder}/ (${count} file${count === 1 ? "" : "s"})`)].join(", ");
}

export const planCommand: CommandSpec = {
    name: "plan",
    summary: "validate a stack file and plan it offline into out/<stack>/ (no cloud, no Pulumi CLI)",
    usage: ["--stack <name> [--against <previous out/<stack>/>] [--gitops-base <dir>] [--json] [--out <dir>] [--stacks-dir <dir>]", "<name>"],
    description: [
        "Runs the real program under Pulumi's mock runtime and writes out/<stack>/: resources.json, plan.md (with a",
        "Mermaid diagram), operations.json (what pulumi up will do, in order), deployed.json (the record that",
        "pulumi up writes), policy.json, kubespray/ and gitops/. Secrets the stack file cannot hold are replaced by",
        "stand-ins. A paused stack is planned too (pulumi preview works while paused), and the plan says so.",
        "--against a previous plan's out/<stack>/ plans the next pulumi up after it (Day 2): every machine created,",
        "replaced or deleted and every Kubespray run, and what pulumi up would refuse. Without it: Day 1.",
        "--gitops-base (or CLUSTERS_GITOPS_BASE_SOURCE) gates the enabled gitops-base services' manifests.",
        "Progress goes to stderr; stdout is the summary (or JSON with --json).",
    ].join("\n"),
    options: {
        stack: { type: "string", short: "s", value: "name", description: "the stack: a file stacks/Pulumi.<name>.yaml" },
        json: { type: "boolean", description: "print the summary as JSON on stdout" },
        out: { type: "string", value: "dir", description: "where out/<stack>/ goes (default: the project's out/)" },
        "stacks-dir": { type: "string", value: "dir", description: "where the stack files are (default: the project's stacks/)" },
        against: { type: "string", value: "dir", description: "a previous plan's out/<stack>/: plan the next pulumi up after it (Day 2)" },
        "gitops-base": { type: "string", value: "dir", description: "a checkout of the pinned gitops-base release: gate the enabled services' manifests (default: $CLUSTERS_GITOPS_BASE_SOURCE)" },
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
            const against = stringOption(args, "against");
            const gitopsBase = stringOption(args, "gitops-base") ?? (process.env.CLUSTERS_GITOPS_BASE_SOURCE || undefined);
            if (gitopsBase && !fs.existsSync(gitopsBase)) {
                throw new UsageError(`--gitops-base ${gitopsBase}: no such directory`);
            }
            const result = await plan(offline, outRoot, { onProgress: (text) => progress.update(text), against, gitopsBase });
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
