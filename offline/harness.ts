/**
 * Runs the real program for a stack under the Pulumi SDK's mock runtime and records every registered
 * resource: type, name, parent, inputs (secrets redacted), dependencies and the options that decide
 * Day-2 behaviour. Used by the tests, `npm run plan` and the benchmarks.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT } from "../spec/stackfile";
import { fabricateCall, fabricateState, fakeId } from "./fabricate";
import { decodeWire } from "./wire";

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent?: string;
    /** Inputs with every secret replaced by "[secret]": safe to print and write. */
    readonly inputs: Record<string, unknown>;
    /** Inputs with secrets in clear, for assertions only: never written anywhere. */
    readonly rawInputs: Record<string, unknown>;
    readonly secretPaths: readonly string[];
    readonly dependencies: readonly string[];
    readonly options: {
        readonly deleteBeforeReplace: boolean;
        readonly replaceOnChanges: readonly string[];
        readonly ignoreChanges: readonly string[];
        /** The `replacementTrigger` resource option (the engine replaces the resource when it changes). */
        readonly replacementTrigger?: unknown;
        readonly additionalSecretOutputs: readonly string[];
        readonly provider?: string;
        readonly version?: string;
        readonly protect: boolean;
        /** `retainOnDelete`: the engine drops the resource from the state without deleting it. */
        readonly retainOnDelete: boolean;
    };
}

export interface RecordedInvoke {
    readonly token: string;
    readonly inputs: Record<string, unknown>;
}

export interface OfflineRun {
    /** Where the program wrote its Kubespray workspace (a temporary directory). */
    readonly kubesprayHome: string;
    readonly resources: readonly RecordedResource[];
    readonly invokes: readonly RecordedInvoke[];
    /** Stack outputs, secrets redacted. */
    readonly outputs: Record<string, unknown>;
    /**
     * What the program logged with `pulumi.log.warn` (the engine shows these in preview and up). Collected
     * here rather than printed, so test output stays quiet; the CLI prints them.
     */
    readonly warnings: readonly string[];
}

export interface OfflineOptions {
    /** Stack name the mock runtime reports. @default "offline" */
    readonly stack?: string;
    /** Run as `pulumi preview` (unknown outputs stay unknown). @default false */
    readonly preview?: boolean;
    /** Called after each registration with the number recorded so far (progress of long runs). */
    readonly onRegistered?: (count: number) => void;
    /**
     * The stack's outputs as the previous `pulumi up` left them: what a StackReference to the stack
     * itself reads (the program reads its deployed record that way). @default {} (a new stack: Day 1)
     */
    readonly previousOutputs?: Readonly<Record<string, unknown>>;
}

/** Temporary Kubespray workspaces of this process's runs, removed at exit whatever the exit path. */
const temporaryDirs = new Set<string>();
let cleanupInstalled = false;

function removeTemporaryDirs(): void {
    for (const dir of temporaryDirs) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    temporaryDirs.clear();
}

function temporaryKubesprayHome(): string {
    if (!cleanupInstalled) {
        // 'exit' runs on a normal end, on process.exit() and on an uncaught exception; the CLIs turn
        // SIGINT/SIGTERM into process.exit (cli/command.ts exitOnSignals) so those paths reach it too.
        process.once("exit", removeTemporaryDirs);
        cleanupInstalled = true;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clusters-offline-"));
    temporaryDirs.add(dir);
    return dir;
}

/** Removes a run's temporary Kubespray workspace now (once its files have been read). */
export function releaseOfflineRun(run: Pick<OfflineRun, "kubesprayHome">): void {
    if (temporaryDirs.delete(run.kubesprayHome)) {
        fs.rmSync(run.kubesprayHome, { recursive: true, force: true });
    }
}

type Program = () => Record<string, unknown> | Promise<Record<string, unknown>>;

let running = false;

/**
 * Sets the stack's `clusters:` config (values as the engine hands them: objects as JSON strings),
 * then runs `program` under mocks and waits until every registration has settled.
 */
export async function runOffline(config: Record<string, unknown>, program: Program, options: OfflineOptions = {}): Promise<OfflineRun> {
    if (running) {
        throw new Error("runOffline is not re-entrant: the Pulumi runtime is one per process");
    }
    running = true;
    try {
        return await run(config, program, options);
    } finally {
        running = false;
    }
}

async function run(config: Record<string, unknown>, program: Program, options: OfflineOptions): Promise<OfflineRun> {
    const resources: RecordedResource[] = [];
    const invokes: RecordedInvoke[] = [];
    // The program writes the Kubespray inventory to disk; keep that out of the project.
    const kubesprayHome = temporaryKubesprayHome();
    process.env.CLUSTERS_KUBESPRAY_HOME = kubesprayHome;
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(config).map(([key, value]) => [`${PROJECT}:${key}`, typeof value === "string" ? value : JSON.stringify(value)])),
        [`${PROJECT}:secrets`],
    );
    await pulumi.runtime.setMocks({
        newResource: (args) => (args.type === STACK_REFERENCE
            // A read of a stack's outputs (the engine's builtin provider): the previous outputs given.
            ? { id: args.id, state: { name: args.inputs.name, outputs: { ...(options.previousOutputs ?? {}) }, secretOutputNames: [] } }
            : { id: args.custom ? fakeId(args.type, args.name) : undefined, state: { ...args.inputs, ...fabricateState(args) } }),
        call: (args) => {
            invokes.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
            return fabricateCall(args);
        },
    }, PROJECT, options.stack ?? "offline", options.preview ?? false, OFFLINE_ORGANIZATION);
    recordRegistrations(resources, options.onRegistered);
    const warnings: string[] = [];
    const restoreConsole = collectWarnings(warnings);
    try {
        const outputs = await program();
        const resolved = await settle(outputs);
        // Waits for every outstanding registration; the next run's setMocks installs a fresh monitor.
        await pulumi.runtime.disconnect();
        return { kubesprayHome, resources: sortByUrn(resources), invokes, outputs: decodeWire(resolved).redacted as Record<string, unknown>, warnings };
    } finally {
        restoreConsole();
    }
}

const STACK_REFERENCE = "pulumi:pulumi:StackReference";
/** The organization a self-managed (DIY) backend reports; stack references then read `organization/<project>/<stack>`. */
export const OFFLINE_ORGANIZATION = "organization";
/** How the SDK prints `pulumi.log.warn` when no engine is connected (@pulumi/pulumi log/index.js). */
const WARNING_PREFIX = "warning: [runtime] ";

/**
 * Without an engine, `pulumi.log.warn` writes `warning: [runtime] <message>` with console.warn. While a run
 * lasts, those lines go into `into` instead; anything else written with console.warn passes through.
 */
function collectWarnings(into: string[]): () => void {
    const original = console.warn;
    console.warn = (...args: unknown[]) => {
        if (args.length === 1 && typeof args[0] === "string" && args[0].startsWith(WARNING_PREFIX)) {
            into.push(args[0].slice(WARNING_PREFIX.length));
            return;
        }
        original.apply(console, args);
    };
    return () => {
        console.warn = original;
    };
}

/** Wraps the mock monitor so every RegisterResource request is recorded with its full options. */
function recordRegistrations(into: RecordedResource[], onRegistered?: (count: number) => void): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: RegisterRequest, cb: (err: unknown, res: unknown) => void) => void };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        const decoded = decodeWire(req.getObject()?.toJavaScript() ?? {});
        original(req, (err, response) => {
            if (!err && response) {
                const urn = (response as { getUrn(): string }).getUrn();
                into.push({
                    urn,
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent() || undefined,
                    inputs: decoded.redacted as Record<string, unknown>,
                    rawInputs: decoded.raw as Record<string, unknown>,
                    secretPaths: decoded.secretPaths,
                    dependencies: [...req.getDependenciesList()].sort(),
                    options: {
                        deleteBeforeReplace: req.getDeletebeforereplace(),
                        replaceOnChanges: req.getReplaceonchangesList(),
                        ignoreChanges: req.getIgnorechangesList(),
                        replacementTrigger: req.getReplacementTrigger()?.toJavaScript(),
                        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                        provider: req.getProvider() || undefined,
                        version: req.getVersion() || undefined,
                        protect: req.getProtect() ?? false,
                        retainOnDelete: req.getRetainondelete() ?? false,
                    },
                });
                onRegistered?.(into.length);
            }
            callback(err, response);
        });
    };
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getObject(): { toJavaScript(): unknown } | undefined;
    getDependenciesList(): string[];
    getDeletebeforereplace(): boolean;
    getReplaceonchangesList(): string[];
    getIgnorechangesList(): string[];
    getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
    getAdditionalsecretoutputsList(): string[];
    getProvider(): string;
    getVersion(): string;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
}

/** Resolves stack outputs into wire form, key by key as the engine does (a secret output stays one key). */
async function settle(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const serialize = (await import("@pulumi/pulumi/runtime/rpc")).serializeProperty;
    const settled: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(outputs)) {
        settled[key] = await serialize(`outputs.${key}`, pulumi.output(value as pulumi.Input<unknown>), new Set(), { keepOutputValues: false });
    }
    return settled;
}

function sortByUrn(resources: RecordedResource[]): RecordedResource[] {
    return [...resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}
