/**
 * `npm run policy -- [--config <policy-config.json>] [--json] <file-or-dir>...`: the pack's rules on
 * plain multi-document YAML manifests (a GitOps repository), before Flux applies them. Prints each
 * violation with policy, file, object and field; exits 1 on a mandatory violation, 2 on bad usage.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { evaluateStack, objectAsResource, type Finding, type PackConfig } from "../policies/lib/engine";
import type { KubeObject } from "../policies/lib/types";
import { RULES } from "../policies/rules";
import { parseArgs } from "./stacks";

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
            findings.push(...evaluateStack(RULES, [objectAsResource(object)], config).map((f) => ({ ...f, file })));
        }
    }
    return { findings, objects };
}

function main(): number {
    const args = parseArgs(process.argv.slice(2), ["json"]);
    if (args.positional.length === 0) {
        console.error("usage: npm run policy -- [--config <policy-config.json>] [--json] <file-or-dir>...");
        return 2;
    }
    let config: PackConfig = {};
    try {
        if (typeof args.flags.config === "string") {
            config = JSON.parse(fs.readFileSync(args.flags.config, "utf8"));
        }
        const { findings, objects } = checkManifests(args.positional, config);
        if (args.flags.json) {
            console.log(JSON.stringify(findings.map((f) => ({ policy: f.policy, enforcement: f.enforcement, file: f.file, kind: f.kind, namespace: f.namespace ?? null, name: f.name, field: f.field, message: f.message })), null, 2));
        } else {
            for (const f of findings) {
                console.log(`[${f.enforcement}] ${f.policy}: ${f.file} ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name} ${f.field}: ${f.message}`);
            }
            const mandatory = findings.filter((f) => f.enforcement === "mandatory").length;
            console.log(`${objects} objects checked: ${findings.length} violation(s), ${mandatory} mandatory`);
        }
        return findings.some((f) => f.enforcement === "mandatory") ? 1 : 0;
    } catch (error) {
        console.error(`policy check failed: ${error instanceof Error ? error.message : String(error)}`);
        return 2;
    }
}

if (require.main === module) {
    process.exit(main());
}
