/**
 * `clusters policy [--config <policy-config.json>] [--json] <file-or-dir>...` (alias `npm run policy --`):
 * the pack's rules on plain multi-document YAML manifests (a GitOps repository), before Flux applies them.
 * Prints each violation with policy, file, object and field; exits 2 on a mandatory violation or bad
 * usage, 1 when a file cannot be read.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { evaluateStack, objectAsResource, type Finding, type PackConfig } from "../policies/lib/engine";
import type { KubeObject } from "../policies/lib/types";
import { RULES } from "../policies/rules";
import { EXIT, flag, runAsScript, stringOption, type CommandSpec } from "./command";
import { escapeTerminal, paint } from "./terminal";

function yamlFiles(target: string): string[] {
    const stat = fs.statSync(target);
    if (stat.isFile()) return [target];
    return fs.readdirSync(target, { withFileTypes: true })
        .filter((entry) => !entry.name.startsWith("."))
        .flatMap((entry) => entry.isDirectory() ? yamlFiles(path.join(target, entry.name)) : /\.ya?ml$/.test(entry.name) ? [path.join(target, entry.name)] : [])
        .sort();
}

export function checkManifests(targets: readonly string[], config: PackConfig): { findings: Finding[]; objects: number } {
    const findings: Finding[] = [];
    let objects = 0;
    for (const file of targets.flatMap(yamlFiles)) {
        for (const document of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
            if (document.errors.length) {
                throw new Error(`${file}: ${document.errors[0].message}`);
            }
            const object = document.toJS() as KubeObject | null;
            if (!object || typeof object !== "object" || !object.kind) continue;
            objects++;
            for (const finding of evaluateStack(RULES, [objectAsResource(object)], config)) findings.push({ ...finding, file });
        }
    }
    return { findings, objects };
}

export const policyCommand: CommandSpec = {
    name: "policy",
    summary: "run the policy pack's rules on plain Kubernetes manifests (a GitOps repository)",
    usage: ["[--config <policy-config.json>] [--json] <file-or-dir>..."],
    description: [
        "Reads every multi-document YAML file under the given paths (hidden files and folders are skipped) and",
        "evaluates the CrossGuard pack's rules on each object, with enforcement levels and settings from the",
        "pack config (Pulumi's format: {\"all\": \"mandatory\", \"<policy>\": \"advisory\" | {...}}).",
    ].join("\n"),
    options: {
        config: { type: "string", value: "file", description: "a policy pack config file (policies/config/production.json, …)" },
        json: { type: "boolean", description: "print the findings as a JSON array on stdout" },
    },
    positionals: { name: "files or directories", min: 1, max: Infinity },
    exitCodes: ["0  no mandatory violation (advisory findings may be listed)", "1  a file or the config could not be read or parsed", "2  a mandatory violation, or a usage error"],
    async run(args) {
        let config: PackConfig = {};
        const configFile = stringOption(args, "config");
        try {
            if (configFile) {
                config = JSON.parse(fs.readFileSync(configFile, "utf8"));
            }
            const { findings, objects } = checkManifests(args.positionals, config);
            const out = process.stdout;
            if (flag(args, "json")) {
                out.write(JSON.stringify(findings.map((f) => ({ policy: f.policy, enforcement: f.enforcement, file: f.file, kind: f.kind, namespace: f.namespace ?? null, name: f.name, field: f.field, message: f.message })), null, 2) + "\n");
            } else {
                // Everything from the manifests is made inert; only the tag's colour is ours.
                const lines = findings.map((f) => `${f.enforcement === "mandatory" ? paint(out, "red", "[mandatory]") : paint(out, "yellow", `[${f.enforcement}]`)} `
                    + escapeTerminal(`${f.policy}: ${f.file} ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name} ${f.field}: ${f.message}`));
                const mandatory = findings.filter((f) => f.enforcement === "mandatory").length;
                lines.push(`${objects} objects checked: ${findings.length} violation(s), ${mandatory} mandatory`);
                out.write(lines.join("\n") + "\n");
            }
            return findings.some((f) => f.enforcement === "mandatory") ? EXIT.findings : EXIT.ok;
        } catch (error) {
            process.stderr.write(`policy check failed: ${escapeTerminal(error instanceof Error ? error.message : String(error))}\n`);
            return EXIT.error;
        }
    },
};

if (require.main === module) {
    runAsScript(policyCommand);
}
