/**
 * Where the program's config may come from. `pulumi up` merges the stack file with the stack's ESC
 * environments (`environment:` imports; an environment's `pulumiConfig` is merged key by key) and with
 * `--config` on the command line. A shared site environment is the place for cloud credentials, but if it
 * also said `clusters:operations` (breakGlass, maintenanceWindows, paused) or `clusters:kubespray`
 * (extraVars, the runner) it would change what a stack does without a reviewed change to its file. So
 * the program reads its own stack file and refuses when those keys differ from it; and it refuses secret
 * values that reach it in clear.
 *
 * Used by index.ts only: the offline plan and the tests run the program on a stack file's own values,
 * where both checks hold by construction (cli/stacks.ts refuses clear secrets when it reads the file).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { decodeConfigValues, projectConfigValues, readStackFile, SpecError, PROJECT } from "../spec";
import { clearSecretMessage, clearSecretPaths } from "../spec/stackfile";
import { PROJECT_ROOT } from "./project";

/** `clusters:` keys only the stack file may set (README "Security model"). */
export const STACK_FILE_ONLY_KEYS = ["operations", "kubespray"] as const;

export interface StackConfigOptions {
    /** The stack's file. @default stacks/Pulumi.<stack>.yaml under the project (Pulumi.yaml `stackConfigDir: stacks`) */
    readonly stackFile?: string;
}

/** The stack file of the running stack. */
export function defaultStackFile(): string {
    return path.join(PROJECT_ROOT, "stacks", `Pulumi.${pulumi.getStack()}.yaml`);
}

/** JSON with sorted keys: two values mean the same when this is equal (key order never matters). */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_, item) => (item !== null && typeof item === "object" && !Array.isArray(item)
        ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : item));
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** An unset key and `{}` (Pulumi.yaml's declared default) mean the same: nothing set. */
function orEmpty(value: unknown): unknown {
    return value === undefined || value === "" ? {} : value;
}

/** The names under `key` whose values differ (the whole key when either side is not a map). */
function differingNames(effective: unknown, fromFile: unknown): string[] {
    if (!isObject(effective) || !isObject(fromFile)) {
        return [];
    }
    return [...new Set([...Object.keys(effective), ...Object.keys(fromFile)])]
        .filter((name) => canonical(effective[name]) !== canonical(fromFile[name]))
        .sort();
}

/** Whether a config value holds anything (a non-empty map, list or scalar). */
function holdsValues(value: unknown): boolean {
    if (value === undefined || value === null || value === "") return false;
    if (Array.isArray(value)) return value.length > 0;
    if (isObject(value)) return Object.keys(value).length > 0;
    return true;
}

/**
 * `pulumi.runtime.isConfigSecret` (@pulumi/pulumi 3.276.0 runtime/config.js; marked internal, so not in
 * the typings): whether the engine marked a key secret (PULUMI_CONFIG_SECRET_KEYS). A key set with
 * `--secret --path` is secret as a whole. Undefined when this SDK lacks it.
 */
function configSecretCheck(): ((key: string) => boolean) | undefined {
    const check = (pulumi.runtime as unknown as { isConfigSecret?: unknown }).isConfigSecret;
    return typeof check === "function" ? (check as (key: string) => boolean) : undefined;
}

/** Problems of the engine's config against the stack file, one sentence each. */
export function stackConfigProblems(all: Readonly<Record<string, string>>, stackFile: string, isSecret = configSecretCheck()): string[] {
    const problems: string[] = [];
    const effective = decodeConfigValues(projectConfigValues(all).values);
    const secretsKey = `${PROJECT}:secrets`;
    if (holdsValues(effective.secrets)) {
        if (!isSecret) {
            problems.push(`${secretsKey} holds values, and this @pulumi/pulumi has no runtime.isConfigSecret to tell whether they are secret; set them with pulumi config set --secret --path '${secretsKey}.<name>'`);
        } else if (!isSecret(secretsKey)) {
            const names = isObject(effective.secrets) ? Object.keys(effective.secrets).sort().map((name) => `'${secretsKey}.${name}'`).join(", ") : `'${secretsKey}'`;
            problems.push(`${secretsKey} reaches the program in clear (not a Pulumi secret): ${names}; set each with pulumi config set --secret --path '${secretsKey}.<name>' <value>, in the stack file or as fn::secret in the environment (values are not shown)`);
        }
    }
    let fileValues: Record<string, unknown> = {};
    const inProject = path.relative(PROJECT_ROOT, stackFile);
    const shown = inProject && !inProject.startsWith("..") && !path.isAbsolute(inProject) ? inProject : stackFile;
    if (fs.existsSync(stackFile)) {
        const file = readStackFile(fs.readFileSync(stackFile, "utf8"), shown);
        const clear = clearSecretPaths(file);
        if (clear.length > 0) {
            problems.push(...clear.map((at) => `${at}: ${clearSecretMessage(at, shown)}`));
        }
        fileValues = decodeConfigValues(file.values);
    }
    const differing = STACK_FILE_ONLY_KEYS.filter((key) => canonical(orEmpty(effective[key])) !== canonical(orEmpty(fileValues[key])));
    if (differing.length > 0) {
        const described = differing.map((key) => {
            const names = differingNames(orEmpty(effective[key]), orEmpty(fileValues[key]));
            return `${PROJECT}:${key}${names.length ? ` (${names.join(", ")})` : ""}`;
        });
        problems.push(`${described.join(" and ")} ${differing.length > 1 ? "are" : "is"} set in an ESC environment or on the command line, not in the stack file ${shown}${fs.existsSync(stackFile) ? "" : " (there is none)"}; only the stack file may set these. Move the setting into the stack file, or remove it from the environment.`);
    }
    return problems;
}

/**
 * The stack's `clusters:` config values (as `projectConfig()` returns them), after refusing what must
 * not reach the program: settings only the stack file may make that came from elsewhere, and secrets in
 * clear. Throws a RunError naming every problem.
 */
export function stackConfig(options: StackConfigOptions = {}): Record<string, unknown> {
    const all = pulumi.runtime.allConfig();
    let problems: string[];
    try {
        problems = stackConfigProblems(all, options.stackFile ?? defaultStackFile());
    } catch (error) {
        if (error instanceof SpecError) {
            throw new pulumi.RunError(error.message);
        }
        throw error;
    }
    if (problems.length > 0) {
        throw new pulumi.RunError(`The stack's config cannot be used:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    }
    return projectConfigValues(all).values;
}
