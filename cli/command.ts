/**
 * What every `clusters` command shares: arguments parsed by `node:util` `parseArgs` (strict, so an
 * unknown flag is refused), `--help` generated from the same option table, one exit-code scheme, and an
 * exit that waits for stdout and stderr to drain (a piped `--json` is never cut short).
 */
import { parseArgs } from "node:util";
import { StackNameError } from "./stack-name";
import { escapeTerminal } from "./terminal";

/**
 * One scheme for every command (README "Exit codes"):
 * - 0: done, nothing needs a person;
 * - 1: error: the command could not do its job (bad stack file, unreadable input, Pulumi or the cluster failed);
 * - 2: the command was called wrongly (the usage is printed) or it ran and found something a person should
 *   look at: drift, changes, mandatory policy violations, a cluster that needs attention.
 */
export const EXIT = { ok: 0, error: 1, usage: 2, findings: 2 } as const;

export interface OptionSpec {
    readonly type: "string" | "boolean";
    readonly short?: string;
    readonly multiple?: boolean;
    /** Shown in --help as the value's name (`--stack <name>`). */
    readonly value?: string;
    readonly description: string;
}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface ParsedCommandArgs {
    readonly values: OptionValues;
    readonly positionals: string[];
}

export interface CommandSpec {
    /** The word after `clusters` (`plan`, `drift`, …). */
    readonly name: string;
    /** One line for `clusters --help`. */
    readonly summary: string;
    /** Synopsis lines after `clusters <name>`, e.g. `--stack <name> [--json]`. */
    readonly usage: readonly string[];
    /** Paragraphs after the synopsis. */
    readonly description?: string;
    readonly options: Readonly<Record<string, OptionSpec>>;
    /** Positional arguments taken, by name, for --help; none when absent. */
    readonly positionals?: { readonly name: string; readonly min: number; readonly max?: number };
    /** What each exit code means for this command. */
    readonly exitCodes: readonly string[];
    run(args: ParsedCommandArgs): Promise<number>;
}

/** A wrong call: the message and the command's usage go to stderr, exit 2. */
export class UsageError extends Error {}

const HELP: OptionSpec = { type: "boolean", short: "h", description: "show this help and exit" };

export function helpText(command: CommandSpec): string {
    const options = { ...command.options, help: HELP };
    const flag = (name: string, option: OptionSpec) =>
        `${option.short ? `-${option.short}, ` : ""}--${name}${option.type === "string" ? ` <${option.value ?? "value"}>` : ""}`;
    const width = Math.min(32, Object.entries(options).reduce((max, [name, option]) => Math.max(max, flag(name, option).length), 0));
    return [
        `clusters ${command.name}: ${command.summary}`,
        "",
        "usage:",
        ...command.usage.map((line) => `  clusters ${command.name} ${line}`),
        ...(command.description ? ["", command.description] : []),
        "",
        "options:",
        ...Object.entries(options).map(([name, option]) =>
            `  ${flag(name, option).padEnd(width)}  ${option.description}${option.multiple ? " (repeatable)" : ""}`),
        "",
        "exit codes:",
        ...command.exitCodes.map((line) => `  ${line}`),
        "",
    ].join("\n");
}

export function usageLines(command: CommandSpec): string {
    return [`usage:`, ...command.usage.map((line) => `  clusters ${command.name} ${line}`), `(clusters ${command.name} --help for more)`].join("\n");
}

/** Parses `argv` against the command's options (unknown flags and missing values are UsageErrors). */
export function parseCommandArgs(command: CommandSpec, argv: readonly string[]): ParsedCommandArgs | "help" {
    const options = Object.fromEntries(Object.entries({ ...command.options, help: HELP }).map(([name, option]) =>
        [name, { type: option.type, ...(option.short ? { short: option.short } : {}), ...(option.multiple ? { multiple: true } : {}) }]));
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    } catch (error) {
        // ERR_PARSE_ARGS_UNKNOWN_OPTION, ERR_PARSE_ARGS_INVALID_OPTION_VALUE: the library's own sentences.
        throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (parsed.values.help) {
        return "help";
    }
    const { min = 0, max = min } = command.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
        throw new UsageError(max === 0
            ? `unexpected argument ${JSON.stringify(parsed.positionals[0])}`
            : `expected ${min === max ? min : `${min} to ${max === Infinity ? "any number of" : max}`} ${command.positionals!.name}, got ${parsed.positionals.length}`);
    }
    return { values: parsed.values as OptionValues, positionals: parsed.positionals };
}

/** Runs one command with its arguments; returns the exit code (never throws). */
export async function runCommand(command: CommandSpec, argv: readonly string[]): Promise<number> {
    try {
        const args = parseCommandArgs(command, argv);
        if (args === "help") {
            process.stdout.write(helpText(command));
            return EXIT.ok;
        }
        return await command.run(args);
    } catch (error) {
        if (error instanceof UsageError || error instanceof StackNameError) {
            process.stderr.write(`clusters ${command.name}: ${escapeTerminal(error.message)}\n${usageLines(command)}\n`);
            return EXIT.usage;
        }
        process.stderr.write(`clusters ${command.name} failed: ${escapeTerminal(error instanceof Error ? error.message : String(error))}\n`);
        return EXIT.error;
    }
}

/** A string option's value, or undefined. */
export function stringOption(args: ParsedCommandArgs, name: string): string | undefined {
    const value = args.values[name];
    return typeof value === "string" ? value : undefined;
}

/** A repeatable string option's values (empty when absent). */
export function stringOptions(args: ParsedCommandArgs, name: string): string[] {
    const value = args.values[name];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : typeof value === "string" ? [value] : [];
}

export function flag(args: ParsedCommandArgs, name: string): boolean {
    return args.values[name] === true;
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
    return new Promise((resolve) => {
        if (stream.destroyed || stream.writableLength === 0) {
            resolve();
            return;
        }
        // Writes complete in order: the callback of an empty write runs after every earlier chunk.
        stream.write("", () => resolve());
    });
}

let exiting = false;

/**
 * Ends the process with `code` once stdout and stderr have drained. `process.exit()` right after a large
 * write to a pipe drops what the pipe has not taken yet (`--json | jq` was cut at 131,072 bytes); the
 * explicit exit afterwards stops handles a library may leave open (gRPC servers of the mock runtime).
 * A reader that closes the pipe early (`| head`) ends the process quietly with the same code.
 */
export async function exitAfterDrain(code: number): Promise<void> {
    process.exitCode = code;
    if (!exiting) {
        exiting = true;
        for (const stream of [process.stdout, process.stderr]) {
            stream.on("error", (error: NodeJS.ErrnoException) => {
                if (error.code === "EPIPE") process.exit(code);
                throw error;
            });
        }
    }
    await Promise.all([drained(process.stdout), drained(process.stderr)]);
    process.exit(code);
}

/**
 * Signals end the process through `process.exit`, so 'exit' handlers (the offline harness's temporary
 * directories) still run; 128 + signal number, as shells report it.
 */
export function exitOnSignals(): void {
    for (const [signal, number] of [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]] as const) {
        process.once(signal, () => {
            process.stderr.write(`\ninterrupted (${signal})\n`);
            process.exit(128 + number);
        });
    }
}

/** `node dist/cli/<command>.js …`: the npm-script aliases run one command directly. */
export function runAsScript(command: CommandSpec): void {
    exitOnSignals();
    runCommand(command, process.argv.slice(2)).then(exitAfterDrain);
}
