/** Finding and loading stack files for the command-line tools. */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../components/project";
import { checkProjectConfig } from "../offline/project-config";
import { assertStackName, isStackName } from "./stack-name";
import { loadClusterSpec, readStackFile, withSecretStandIns, type LoadedSpec, type StackFile } from "../spec";
import { clearSecretPaths, clearSecretsError } from "../spec/stackfile";

export { PROJECT_ROOT };
export { assertStackName, isStackName, stackOutDir, StackNameError } from "./stack-name";
export const STACKS_DIR = path.join(PROJECT_ROOT, "stacks");

export function stackFilePath(stack: string, dir = STACKS_DIR): string {
    return path.join(dir, `Pulumi.${assertStackName(stack)}.yaml`);
}

/** Stack names with a file in `stacks/`, sorted (files whose name is not a stack name are left out). */
export function listStacks(dir = STACKS_DIR): string[] {
    return fs.readdirSync(dir)
        .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined && isStackName(name))
        .sort();
}

export interface OfflineStack {
    readonly name: string;
    readonly file: StackFile;
    /** Config with stand-ins for secrets the file cannot carry in clear. */
    readonly values: Record<string, unknown>;
    readonly standIns: readonly string[];
    readonly loaded: LoadedSpec;
}

/**
 * Reads, fills stand-ins and validates a stack; throws SpecError with every problem. A value under
 * `clusters:secrets` that is not encrypted (`secure:`) is refused first, naming each path.
 */
export function loadOfflineStack(stack: string, dir = STACKS_DIR): OfflineStack {
    const file = stackFilePath(stack, dir);
    if (!fs.existsSync(file)) {
        const known = listStacks(dir);
        throw new Error(`no stack file ${path.relative(process.cwd(), file)}; stacks here: ${known.join(", ") || "(none)"}`);
    }
    const read = readStackFile(fs.readFileSync(file, "utf8"), file);
    // A secret in clear would be in Git and reach the program as plain config: refused before anything else.
    const clear = clearSecretPaths(read);
    if (clear.length > 0) {
        throw clearSecretsError(clear, path.relative(process.cwd(), file) || file);
    }
    const parsed = checkProjectConfig(stack, read);
    const { values, filled } = withSecretStandIns(parsed.values);
    return { name: stack, file: parsed, values, standIns: [...parsed.encryptedPaths, ...filled], loaded: loadClusterSpec(values) };
}

export interface ParsedArgs {
    readonly flags: Record<string, string | boolean>;
    readonly positional: string[];
}

/**
 * `--flag value`, `--flag=value` and bare `--flag`; everything else is positional. Kept for bench/run.ts
 * only: the commands parse with node:util parseArgs (cli/command.ts), which refuses unknown flags.
 * @deprecated use parseCommandArgs from ./command
 */
export function parseArgs(argv: readonly string[], booleanFlags: readonly string[] = []): ParsedArgs {
    const flags: Record<string, string | boolean> = {};
    const positional: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg.startsWith("--")) {
            const [key, inline] = arg.slice(2).split("=", 2);
            if (inline !== undefined) {
                flags[key] = inline;
            } else if (!booleanFlags.includes(key) && i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                flags[key] = argv[++i];
            } else {
                flags[key] = true;
            }
        } else {
            positional.push(arg);
        }
    }
    return { flags, positional };
}
