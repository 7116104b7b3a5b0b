/**
 * `clusters scaffold --stack <name> --dir <GitOps repository checkout> [--age-recipient age1…]`: writes or
 * refreshes the cluster's GitOps repository scaffold with the real age recipient (cli/gitops-scaffold.ts
 * `refreshScaffold`): the given one, else the stack output `ageRecipient` (`pulumi stack output`, which
 * needs the Pulumi CLI and a login). The program's own files are rewritten; files a team edits are
 * created only when missing.
 */
import * as fs from "fs";
import * as path from "path";
import { EXIT, flag, runAsScript, stringOption, UsageError, type CommandSpec } from "./command";
import { refreshScaffold } from "./gitops-scaffold";
import { assertStackName } from "./stacks";

export const scaffoldCommand: CommandSpec = {
    name: "scaffold",
    summary: "write or refresh the cluster's GitOps repository scaffold with its real age recipient",
    usage: ["--stack <name> --dir <checkout> [--age-recipient <age1…>] [--json]"],
    description: [
        "Writes the scaffold `npm run plan` shows in out/<stack>/gitops/ into a checkout of the cluster's GitOps",
        "repository, with the cluster's real age recipient in .sops.yaml: --age-recipient, else the stack output",
        "ageRecipient (read with `pulumi stack output`, so after the first pulumi up). The program's files (.sops.yaml,",
        "READMEs) are rewritten; kustomization.yaml files a team edits are created only when missing. Anything that is",
        "not an age recipient is refused and nothing is written.",
    ].join("\n"),
    options: {
        stack: { type: "string", short: "s", value: "name", description: "the stack: a file stacks/Pulumi.<name>.yaml" },
        dir: { type: "string", value: "checkout", description: "the checkout of the cluster's GitOps repository to write into" },
        "age-recipient": { type: "string", value: "age1…", description: "the cluster's age recipient (default: the stack output ageRecipient)" },
        json: { type: "boolean", description: "print what was written as JSON on stdout" },
    },
    exitCodes: ["0  written", "1  the recipient is not an age recipient, the stack output could not be read, or the stack has no gitops section", "2  usage error"],
    async run(args) {
        const stack = stringOption(args, "stack");
        const dir = stringOption(args, "dir");
        const missing = [stack ? undefined : "--stack <name>", dir ? undefined : "--dir <checkout>"].filter((m): m is string => m !== undefined);
        if (!stack || !dir) {
            throw new UsageError(`${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} required`);
        }
        assertStackName(stack);
        if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
            throw new UsageError(`--dir ${dir}: no such directory (clone the cluster's GitOps repository first)`);
        }
        const result = refreshScaffold({ stack, dir, ageRecipient: stringOption(args, "age-recipient") });
        if (flag(args, "json")) {
            process.stdout.write(JSON.stringify(result, null, 2) + "\n");
        } else {
            process.stdout.write([
                `Scaffold of ${stack} in ${path.relative(process.cwd(), result.dir) || "."} (age recipient ${result.recipient}):`,
                `  written: ${result.written.length ? result.written.join(", ") : "nothing"}`,
                `  kept as edited: ${result.kept.length ? result.kept.join(", ") : "nothing"}`,
                "",
            ].join("\n"));
        }
        return EXIT.ok;
    },
};

if (require.main === module) {
    runAsScript(scaffoldCommand);
}
