/**
 * `npm run plan -- --stack <name>`: validates a stack file, runs the program offline under the mock
 * runtime, prints a short summary and writes `out/<stack>/` (resources.json, plan.md and the rendered
 * artefacts). No cloud, no Pulumi CLI, no secret in clear in anything it writes.
 */
import * as fs from "fs";
import * as path from "path";
import { SpecError } from "../spec";
import { defineCluster, projectConfig } from "../components/program";
import { runOffline, type RecordedResource } from "../offline/harness";
import { evaluateStack, type PackConfig } from "../policies/lib/engine";
import { RULES } from "../policies/rules";
import { collectArtefacts } from "./artefacts";
import { renderPlanMarkdown } from "./plan-report";
import { loadOfflineStack, parseArgs, PROJECT_ROOT, type OfflineStack } from "./stacks";

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
}

export async function plan(offline: OfflineStack, outRoot = path.join(PROJECT_ROOT, "out")): Promise<PlanResult> {
    const stack = offline.name;
    const run = await runOffline(offline.values, () => defineCluster(projectConfig()), { stack });
    const outDir = path.join(outRoot, stack);
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const findings = evaluateStack(RULES, run.resources.map((r) => ({ type: r.type, name: r.name, props: r.rawInputs })), policyConfig(offline.loaded.spec.meta.environment))
        // Findings quote fields and names, never values; secrets cannot leak through them.
        .map(({ policy, enforcement, kind, name, field, message }) => ({ policy, enforcement, kind, name, field, message }));
    const files: Record<string, string> = {
        "policy.json": JSON.stringify(findings, null, 2) + "\n",
        "resources.json": JSON.stringify(run.resources.map(({ urn, type, name, parent, inputs, dependencies }) => ({ urn, type, name, parent: parent ?? null, inputs, dependencies })), null, 2) + "\n",
        "plan.md": renderPlanMarkdown(stack, offline.loaded.spec, run.resources, offline.standIns),
        ...collectArtefacts(offline.loaded.spec, run, stack),
    };
    for (const [file, content] of Object.entries(files)) {
        const target = path.join(outDir, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
    }
    return { outDir, resources: run.resources, findings, files: Object.keys(files).sort() };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    const stack = typeof args.flags.stack === "string" ? args.flags.stack : args.positional[0];
    if (!stack) {
        console.error("usage: npm run plan -- --stack <name>   (a file stacks/Pulumi.<name>.yaml)");
        return 2;
    }
    try {
        const offline = loadOfflineStack(stack);
        const result = await plan(offline);
        const spec = offline.loaded.spec;
        const custom = result.resources.filter((r) => r.custom);
        console.log(`Stack ${stack}: cluster ${spec.meta.name} (${spec.meta.environment}) on ${spec.infrastructure.provider}, Kubernetes ${spec.kubernetes.version}`);
        const pools = [...new Set(spec.nodes.map((n) => n.pool))].map((p) => `${p}=${spec.nodes.filter((n) => n.pool === p).length}`);
        console.log(`  nodes: ${spec.nodes.length} (${pools.join(", ")})`);
        console.log(`  resources: ${custom.length} in ${result.resources.length - custom.length} components`);
        const mandatory = result.findings.filter((f) => f.enforcement === "mandatory");
        console.log(`  policy pack: ${result.findings.length} finding(s), ${mandatory.length} mandatory${mandatory.length ? ` (${[...new Set(mandatory.map((f) => f.policy))].join(", ")})` : ""}`);
        for (const warning of offline.loaded.warnings) {
            console.log(`  warning: ${warning.path}: ${warning.message}`);
        }
        if (offline.standIns.length) {
            console.log(`  stand-ins for secrets not in the stack file: ${offline.standIns.join(", ")}`);
        }
        console.log(`  wrote ${path.relative(process.cwd(), result.outDir)}/: ${result.files.join(", ")}`);
        return 0;
    } catch (error) {
        if (error instanceof SpecError) {
            console.error(`stacks/Pulumi.${stack}.yaml: ${error.message}`);
            return 1;
        }
        console.error(`plan failed: ${error instanceof Error ? error.message : String(error)}`);
        return 1;
    }
}

if (require.main === module) {
    main().then((code) => process.exit(code));
}
