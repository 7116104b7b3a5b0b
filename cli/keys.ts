/**
 * `clusters keys export|import`: the backup of what only the program holds. The cluster's SSH key and
 * SOPS age identity are `tls:index/privateKey:PrivateKey` resources in the stack's state (components/keys/),
 * so a lost laptop with a file backend, or a deleted stack, loses them. `export` writes the stack's state
 * (Automation API `exportStack`, secrets in clear) and its stack file into one file encrypted with age, to
 * age recipients or a passphrase; `import` decrypts it on a new machine and brings the state back
 * (`importStack`), which re-encrypts the secrets with that stack's secrets provider.
 *
 * Encryption is the `age-encryption` library (the reference TypeScript implementation of age by age's
 * author); files are plain age files, so the `age` CLI decrypts them too (`age -d -i key.txt backup.age`).
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { errorText, localStacks, type StackOpener, type StackState } from "./automation";
import { EXIT, flag, stringOption, stringOptions, UsageError, type CommandSpec } from "./command";
import { assertStackName } from "./stack-name";
import { STACKS_DIR } from "./stacks";
import { escapeTerminal } from "./terminal";

/** Read from the environment only: a passphrase on the command line would land in shell history and `ps`. */
export const PASSPHRASE_ENV = "CLUSTERS_KEYS_PASSPHRASE";

export const BACKUP_FORMAT = "clusters-keys-backup";

const backupSchema = z.object({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(1),
    stack: z.string(),
    exportedAt: z.string(),
    keys: z.array(z.object({ type: z.string(), name: z.string() })),
    stackFile: z.string().nullable(),
    state: z.object({ version: z.number(), deployment: z.unknown() }),
});

export type KeysBackup = z.infer<typeof backupSchema>;

/** Resource types in state that hold private keys the program generated (components/keys/). */
const KEY_TYPES = new Set(["tls:index/privateKey:PrivateKey"]);

interface StateResource { urn?: string; type?: string }

function stateResources(state: StackState): StateResource[] {
    const deployment = state.deployment as { resources?: unknown } | undefined;
    return Array.isArray(deployment?.resources) ? deployment!.resources as StateResource[] : [];
}

/** The private keys the state holds, by type and name (never their values). */
export function keysInState(state: StackState): { type: string; name: string }[] {
    return stateResources(state)
        .filter((r) => typeof r.type === "string" && KEY_TYPES.has(r.type))
        .map((r) => ({ type: r.type!, name: (r.urn ?? "").split("::").pop() ?? "" }));
}

export type Protection = { readonly recipients: readonly string[] } | { readonly passphrase: string };

async function age() {
    return import("age-encryption");
}

export async function encryptBackup(backup: KeysBackup, protection: Protection, scryptWorkFactor?: number): Promise<Uint8Array> {
    const { Encrypter } = await age();
    const encrypter = new Encrypter();
    if ("passphrase" in protection) {
        encrypter.setPassphrase(protection.passphrase);
        if (scryptWorkFactor !== undefined) encrypter.setScryptWorkFactor(scryptWorkFactor);
    } else {
        for (const recipient of protection.recipients) encrypter.addRecipient(recipient);
    }
    return encrypter.encrypt(JSON.stringify(backup));
}

export type Unlock = { readonly identities: readonly string[] } | { readonly passphrase: string };

export async function decryptBackup(file: Uint8Array, unlock: Unlock): Promise<KeysBackup> {
    const { Decrypter, armor } = await age();
    const decrypter = new Decrypter();
    if ("passphrase" in unlock) {
        decrypter.addPassphrase(unlock.passphrase);
    } else {
        for (const identity of unlock.identities) decrypter.addIdentity(identity);
    }
    const text = Buffer.from(file).toString("latin1");
    const binary = text.startsWith("-----BEGIN AGE ENCRYPTED FILE-----") ? armor.decode(text) : file;
    let json: string;
    try {
        json = await decrypter.decrypt(binary, "text");
    } catch (error) {
        throw new Error(`cannot decrypt the backup: ${errorText(error)} (wrong identity or passphrase?)`);
    }
    const parsed = backupSchema.safeParse(JSON.parse(json));
    if (!parsed.success) {
        throw new Error(`the decrypted file is not a ${BACKUP_FORMAT} version 1 file: ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`);
    }
    return parsed.data;
}

/** Non-empty, non-comment lines of an age recipients or identity file. */
export function keyFileLines(text: string): string[] {
    return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
}

function passphrase(): string {
    const value = process.env[PASSPHRASE_ENV];
    if (!value) throw new UsageError(`--passphrase reads the passphrase from ${PASSPHRASE_ENV} (never from the command line): set it`);
    return value;
}

/** Writes a file only this user can read; refuses to overwrite unless asked. */
function writePrivateFile(file: string, content: Uint8Array, force: boolean): void {
    fs.writeFileSync(file, content, { mode: 0o600, flag: force ? "w" : "wx" });
    fs.chmodSync(file, 0o600);
}

export interface ExportOptions {
    readonly opener?: StackOpener;
    readonly stacksDir?: string;
    readonly now?: () => Date;
    /** scrypt's log2 work factor for passphrases. @default 18 (age's own default; tests use less to stay fast) */
    readonly scryptWorkFactor?: number;
}

export async function exportKeys(stack: string, to: string, protection: Protection, force: boolean, options: ExportOptions = {}): Promise<KeysBackup> {
    const target = await (options.opener ?? localStacks()).select(assertStackName(stack));
    const state = await target.exportStack();
    const stackFile = path.join(options.stacksDir ?? STACKS_DIR, `Pulumi.${stack}.yaml`);
    const backup: KeysBackup = {
        format: BACKUP_FORMAT,
        version: 1,
        stack,
        exportedAt: (options.now?.() ?? new Date()).toISOString(),
        keys: keysInState(state),
        stackFile: fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : null,
        state: { version: state.version, deployment: state.deployment },
    };
    writePrivateFile(to, await encryptBackup(backup, protection, options.scryptWorkFactor), force);
    return backup;
}

export interface ImportResult {
    readonly backup: KeysBackup;
    readonly wroteStackFile?: string;
}

export async function importKeys(stack: string, from: string, unlock: Unlock, force: boolean, options: ExportOptions = {}): Promise<ImportResult> {
    const backup = await decryptBackup(fs.readFileSync(from), unlock);
    if (backup.stack !== assertStackName(stack)) {
        // Every URN in the state names its stack: state of one stack cannot become another's.
        throw new Error(`the backup is of stack ${JSON.stringify(backup.stack)}, not ${JSON.stringify(stack)}`);
    }
    const target = await (options.opener ?? localStacks()).createOrSelect(stack);
    const existing = stateResources(await target.exportStack()).length;
    if (existing > 0 && !force) {
        throw new Error(`stack ${stack} already has ${existing} resource(s) in its state; importing replaces that state: pass --force to do it`);
    }
    // importStack writes the state, secrets in clear, to a temporary file in os.tmpdir() before
    // `pulumi stack import` (localWorkspace.js); with this umask that file is readable by this user only.
    const umask = process.umask(0o077);
    try {
        await target.importStack(backup.state);
    } finally {
        process.umask(umask);
    }
    const stackFile = path.join(options.stacksDir ?? STACKS_DIR, `Pulumi.${stack}.yaml`);
    if (backup.stackFile !== null && !fs.existsSync(stackFile)) {
        fs.mkdirSync(path.dirname(stackFile), { recursive: true });
        fs.writeFileSync(stackFile, backup.stackFile);
        return { backup, wroteStackFile: stackFile };
    }
    return { backup };
}

const COMMON = {
    stack: { type: "string", short: "s", value: "name", description: "the stack" },
    passphrase: { type: "boolean", description: `use a passphrase, read from the environment variable ${PASSPHRASE_ENV}` },
    force: { type: "boolean", description: "overwrite the file (export) or the stack's existing state (import)" },
} as const;

export function keysExportCommand(opener?: StackOpener): CommandSpec {
    return {
        name: "keys export",
        summary: "back up the stack's state (SSH and age keys included) into an age-encrypted file",
        usage: ["--stack <name> --to <file> (--recipient <age1…>... | --recipients-file <file> | --passphrase)"],
        description: [
            "Exports the stack's state with its secrets (the SSH key and the SOPS age identity are tls PrivateKey",
            "resources in it) and the stack file, encrypted with age to the recipients or to a passphrase. The file",
            "is created with mode 0600 and never overwritten unless --force. Keep it off the machine that runs Pulumi.",
        ].join("\n"),
        options: {
            ...COMMON,
            to: { type: "string", value: "file", description: "the encrypted backup file to write" },
            recipient: { type: "string", short: "r", multiple: true, value: "age1…", description: "an age recipient (public key)" },
            "recipients-file": { type: "string", value: "file", description: "a file of age recipients, one per line" },
        },
        exitCodes: ["0  written", "1  the stack could not be exported or the file written", "2  usage error"],
        async run(args) {
            const stack = stringOption(args, "stack");
            const to = stringOption(args, "to");
            if (!stack || !to) throw new UsageError("--stack <name> and --to <file> are required");
            const recipientsFile = stringOption(args, "recipients-file");
            const recipients = stringOptions(args, "recipient").concat(recipientsFile ? keyFileLines(fs.readFileSync(recipientsFile, "utf8")) : []);
            if (flag(args, "passphrase") === (recipients.length > 0)) {
                throw new UsageError("give age recipients (--recipient, --recipients-file) or --passphrase, not both");
            }
            const protection: Protection = flag(args, "passphrase") ? { passphrase: passphrase() } : { recipients };
            const backup = await exportKeys(assertStackName(stack), to, protection, flag(args, "force"), { opener });
            process.stdout.write(`wrote ${escapeTerminal(to)}: stack ${stack}, ${stateResources(backup.state).length} resource(s), keys: ${backup.keys.map((k) => k.name).join(", ") || "(none found)"}\n`);
            if (backup.keys.length === 0) process.stderr.write("warning: no tls PrivateKey resource in the state: is this the right stack, and has `pulumi up` run?\n");
            return EXIT.ok;
        },
    };
}

export function keysImportCommand(opener?: StackOpener): CommandSpec {
    return {
        name: "keys import",
        summary: "restore a stack's state (and keys) from a `keys export` file on a new machine",
        usage: ["--stack <name> --from <file> (--identity <file>... | --passphrase) [--force]"],
        description: [
            "Decrypts the backup, checks it is of this stack, selects the stack (creating it when it does not exist",
            "in the current backend: `pulumi login` first) and imports the state; the stack's secrets provider",
            "encrypts the secrets again. A stack that already has resources is only overwritten with --force. The stack",
            "file is written from the backup when stacks/Pulumi.<name>.yaml does not exist.",
        ].join("\n"),
        options: {
            ...COMMON,
            from: { type: "string", value: "file", description: "the encrypted backup file" },
            identity: { type: "string", short: "i", multiple: true, value: "file", description: "an age identity file (age-keygen output)" },
        },
        exitCodes: ["0  imported", "1  the file could not be decrypted or the import failed", "2  usage error"],
        async run(args) {
            const stack = stringOption(args, "stack");
            const from = stringOption(args, "from");
            if (!stack || !from) throw new UsageError("--stack <name> and --from <file> are required");
            const identityFiles = stringOptions(args, "identity");
            if (flag(args, "passphrase") === (identityFiles.length > 0)) {
                throw new UsageError("give --identity <file> or --passphrase, not both");
            }
            const unlock: Unlock = flag(args, "passphrase")
                ? { passphrase: passphrase() }
                : { identities: identityFiles.flatMap((file) => keyFileLines(fs.readFileSync(file, "utf8"))) };
            const { backup, wroteStackFile } = await importKeys(assertStackName(stack), from, unlock, flag(args, "force"), { opener });
            process.stdout.write(`imported stack ${stack} (exported ${backup.exportedAt}): ${stateResources(backup.state).length} resource(s), keys: ${backup.keys.map((k) => k.name).join(", ") || "(none)"}\n`);
            if (wroteStackFile) process.stdout.write(`wrote ${path.relative(process.cwd(), wroteStackFile)} from the backup\n`);
            return EXIT.ok;
        },
    };
}
