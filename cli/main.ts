#!/usr/bin/env node
/**
 * `clusters <command>`: the one entry point (package.json `bin`, so `npx clusters plan --stack x` works in
 * the checkout). Commands load on demand, so `--help` and `plan` never load the Automation API or the
 * Kubernetes client. The npm scripts (`npm run plan -- --stack x`, …) call the same commands.
 */
import { unsupportedNodeReason } from "../components/node-version";
import { EXIT, exitAfterDrain, exitOnSignals, runCommand, type CommandSpec } from "./command";
import { escapeTerminal } from "./terminal";

interface Entry {
    readonly summary: string;
    readonly load: () => Promise<CommandSpec>;
}

/** Command names to their modules; `keys` has two subcommands. */
const COMMANDS: Record<string, Entry> = {
    plan: { summary: "validate a stack file and plan it offline into out/<stack>/", load: async () => (await import("./plan")).planCommand },
    drift: { summary: "classify drift (pulumi preview --refresh --expect-no-changes, or a saved preview)", load: async () => (await import("./drift")).driftCommand() },
    fleet: { summary: "preview or drift-review many stacks, at most N at a time", load: async () => (await import("./fleet")).fleetCommand() },
    policy: { summary: "run the policy pack on plain Kubernetes manifests", load: async () => (await import("./policy")).policyCommand },
    status: { summary: "health of a live cluster against its stack file", load: async () => (await import("./status")).statusCommand() },
    scaffold: { summary: "write or refresh the cluster's GitOps repository scaffold with its real age recipient", load: async () => (await import("./scaffold")).scaffoldCommand },
    "keys export": { summary: "back up the stack's state and keys, encrypted with age", load: async () => (await import("./keys")).keysExportCommand() },
    "keys import": { summary: "restore a stack's state and keys from a backup", load: async () => (await import("./keys")).keysImportCommand() },
};

export function mainHelp(): string {
    const width = Object.keys(COMMANDS).reduce((max, name) => Math.max(max, name.length), 0);
    return [
        "clusters: Kubernetes clusters as code, one Pulumi stack per cluster",
        "",
        "usage: clusters <command> [options]     (clusters <command> --help for its options)",
        "",
        "commands:",
        ...Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`),
        "",
        "exit codes: 0 ok; 1 error; 2 usage error, or findings a person should look at (drift, changes,",
        "mandatory policy violations, a cluster needing attention). Results go to stdout, progress to stderr.",
        "",
    ].join("\n");
}

/** Finds the command for argv (`keys export …` takes two words) and runs it. */
export async function main(argv: readonly string[]): Promise<number> {
    const [first, second] = argv;
    if (first === undefined || first === "--help" || first === "-h" || first === "help") {
        process.stdout.write(mainHelp());
        return first === undefined ? EXIT.usage : EXIT.ok;
    }
    const twoWords = `${first} ${second ?? ""}`;
    const name = COMMANDS[twoWords] ? twoWords : Object.hasOwn(COMMANDS, first) ? first : undefined;
    const subcommands = Object.keys(COMMANDS).filter((n) => n.startsWith(`${first} `));
    if (!name && subcommands.length && (second === "--help" || second === "-h")) {
        process.stdout.write(`clusters ${first}: ${subcommands.map((n) => `\n  ${n.padEnd(12)}  ${COMMANDS[n].summary}`).join("")}\n(clusters ${first} <${subcommands.map((n) => n.split(" ")[1]).join("|")}> --help for its options)\n`);
        return EXIT.ok;
    }
    if (!name) {
        process.stderr.write(subcommands.length
            ? `clusters ${first}: expected one of: ${subcommands.map((n) => n.split(" ")[1]).join(", ")}\n`
            : `clusters: unknown command ${escapeTerminal(JSON.stringify(first))}\n`);
        process.stderr.write(mainHelp());
        return EXIT.usage;
    }
    const command = await COMMANDS[name].load();
    return runCommand(command, argv.slice(name.split(" ").length));
}

if (require.main === module) {
    const refusal = unsupportedNodeReason();
    if (refusal) {
        process.stderr.write(`${refusal}\n`);
        process.exitCode = EXIT.error;
    } else {
        exitOnSignals();
        main(process.argv.slice(2)).then(exitAfterDrain, (error: unknown) => {
            process.stderr.write(`clusters: ${error instanceof Error ? error.message : String(error)}\n`);
            return exitAfterDrain(EXIT.error);
        });
    }
}
