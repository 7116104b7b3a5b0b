/**
 * The program's exact resource set, as the engine receives it: every RegisterResource request (type,
 * name, parent, inputs in wire form, options, dependencies and property dependencies) with the
 * outputs the mock runtime answered. The benchmarks replay it (replay.ts), count its dependency
 * edges and estimate the state the real engine would store for it.
 */
import * as pulumi from "@pulumi/pulumi";

/** Signatures of the Pulumi wire format (sdk/nodejs/runtime/rpc.ts). */
export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** One registration. Resources are referred to by their index in the set. */
export interface Registration {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** Index of the parent in the set; absent for children of the stack. */
    readonly parent?: number;
    /** Parent URN when the parent is not in the set (the stack itself). */
    readonly parentUrn?: string;
    /** Inputs in wire form (secrets and references keep their signatures). */
    readonly inputs: Record<string, unknown>;
    /** What the mock answered: inputs plus fabricated outputs (offline/fabricate.ts). */
    readonly outputs: Record<string, unknown>;
    readonly id?: string;
    /** Indices of every resource this one depends on (explicit and through inputs). */
    readonly dependencies: number[];
    /** Per input property, the indices of the resources its value came from. */
    readonly propertyDependencies: Record<string, number[]>;
    /** Index of the explicit provider resource, when one was passed. */
    readonly provider?: number;
    /** Package version the SDK class pins (drives the default provider's name in state). */
    readonly version?: string;
    readonly options: {
        readonly deleteBeforeReplace: boolean;
        readonly replaceOnChanges: string[];
        readonly ignoreChanges: string[];
        readonly additionalSecretOutputs: string[];
        readonly protect: boolean;
        readonly retainOnDelete: boolean;
        readonly customTimeouts?: { create?: string; update?: string; delete?: string };
    };
}

export interface ResourceSet {
    readonly project: string;
    readonly stack: string;
    /** In the order the program registered them; a resource's parent, provider and dependencies come first. */
    readonly resources: Registration[];
}

interface Monitor {
    registerResource: (req: RegisterRequest, callback: (err: unknown, res: RegisterResponse | undefined) => void) => void;
}

interface StringList { getUrnsList(): string[] }
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getObject(): { toJavaScript(): unknown } | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: StringList, key: string) => void): void };
    getProvider(): string;
    getVersion(): string;
    getDeletebeforereplace(): boolean;
    getReplaceonchangesList(): string[];
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): { toJavaScript(): unknown } | undefined;
}

interface Pending {
    readonly request: RegisterRequest;
    urn?: string;
    id?: string;
    outputs?: Record<string, unknown>;
}

/**
 * Wraps the current mock monitor so every registration is kept in request order with its response.
 * Call it inside the program callback given to runOffline (after the harness installed its monitor);
 * `finish()` turns what was seen into a ResourceSet once runOffline has returned.
 */
export function captureRegistrations(project: string, stack: string): { finish(): ResourceSet } {
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const original = monitor.registerResource.bind(monitor);
    const seen: Pending[] = [];
    monitor.registerResource = (request, callback) => {
        const pending: Pending = { request };
        seen.push(pending);
        original(request, (err, response) => {
            if (!err && response) {
                pending.urn = response.getUrn();
                pending.id = response.getId() || undefined;
                pending.outputs = (response.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
            }
            callback(err, response);
        });
    };
    return {
        finish(): ResourceSet {
            const done = seen.filter((p) => p.urn !== undefined);
            const index = new Map(done.map((p, i) => [p.urn!, i]));
            const providerUrn = (ref: string) => ref.split("::").slice(0, -1).join("::");
            const indices = (urns: readonly string[]) => urns.map((u) => {
                const i = index.get(u);
                if (i === undefined) {
                    throw new Error(`${u} is a dependency but was never registered`);
                }
                return i;
            });
            const resources = done.map((p): Registration => {
                const req = p.request;
                const propertyDependencies: Record<string, number[]> = {};
                req.getPropertydependenciesMap().forEach((value, key) => {
                    propertyDependencies[key] = indices(value.getUrnsList());
                });
                const parentUrn = req.getParent() || undefined;
                const parent = parentUrn === undefined ? undefined : index.get(parentUrn);
                const provider = req.getProvider() ? index.get(providerUrn(req.getProvider())) : undefined;
                const timeouts = req.getCustomtimeouts();
                return {
                    urn: p.urn!,
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    ...(parent !== undefined ? { parent } : parentUrn ? { parentUrn } : {}),
                    inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                    outputs: p.outputs ?? {},
                    ...(p.id ? { id: p.id } : {}),
                    dependencies: indices(req.getDependenciesList()),
                    propertyDependencies,
                    ...(provider !== undefined ? { provider } : {}),
                    ...(req.getVersion() ? { version: req.getVersion() } : {}),
                    options: {
                        deleteBeforeReplace: req.getDeletebeforereplace(),
                        replaceOnChanges: req.getReplaceonchangesList(),
                        ignoreChanges: req.getIgnorechangesList(),
                        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                        protect: req.getProtect() ?? false,
                        retainOnDelete: req.getRetainondelete() ?? false,
                        ...(timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
                            ? { customTimeouts: { create: timeouts.getCreate() || undefined, update: timeouts.getUpdate() || undefined, delete: timeouts.getDelete() || undefined } }
                            : {}),
                    },
                };
            });
            return { project, stack, resources };
        },
    };
}

export interface GraphCounts {
    readonly resources: number;
    readonly customResources: number;
    /** Σ |dependencies|: what the engine stores per resource as `dependencies`. */
    readonly dependencyEdges: number;
    /** Σ over input properties of |property dependencies|: stored as `propertyDependencies`. */
    readonly propertyDependencyEdges: number;
    readonly parentEdges: number;
    /** The largest `dependencies` list of one resource, and its type and name. */
    readonly widest: { readonly edges: number; readonly type: string; readonly name: string };
}

export function graphCounts(set: ResourceSet): GraphCounts {
    let dependencyEdges = 0;
    let propertyDependencyEdges = 0;
    let widest = { edges: 0, type: "", name: "" };
    for (const r of set.resources) {
        dependencyEdges += r.dependencies.length;
        for (const deps of Object.values(r.propertyDependencies)) {
            propertyDependencyEdges += deps.length;
        }
        if (r.dependencies.length > widest.edges) {
            widest = { edges: r.dependencies.length, type: r.type, name: r.name };
        }
    }
    return {
        resources: set.resources.length,
        customResources: set.resources.filter((r) => r.custom).length,
        dependencyEdges,
        propertyDependencyEdges,
        parentEdges: set.resources.filter((r) => r.parent !== undefined || r.parentUrn !== undefined).length,
        widest,
    };
}

export interface StateEstimate {
    /** Bytes of the checkpoint's `resources` array, compact JSON. */
    readonly bytes: number;
    /** Of those, the `dependencies` and `propertyDependencies` lists. */
    readonly dependencyBytes: number;
    /** Of those, `inputs` and `outputs`. */
    readonly propertyBytes: number;
    /** The same entries written with 4-space indentation (`pulumi stack export`, file backends). */
    readonly indentedBytes: number;
}

/** A stand-in of the right length for values the engine creates (UUIDs, timestamps). */
const UUID = "00000000-0000-0000-0000-000000000000";
const TIMESTAMP = "2026-01-01T00:00:00.000000000Z";

/**
 * The state the real engine would store for this resource set, estimated by writing each resource as a
 * checkpoint entry (Pulumi's apitype.ResourceV3: urn, custom, id, type, inputs, outputs, parent,
 * protect, dependencies, propertyDependencies, provider, additionalSecretOutputs, created, modified)
 * plus the stack's own entry and one default provider entry per package, and summing the JSON.
 *
 * Limits: outputs are what the mock answers (inputs plus a few fabricated values), while real
 * providers return every computed property (a Kubernetes object's status, an OpenStack server's ~40
 * attributes), so inputs/outputs are a lower bound; dependency lists are exact (same URNs as the engine's).
 * Secrets are stored encrypted: estimated as base64 of the plaintext plus a 28-byte AES-GCM nonce and tag.
 * Component outputs (registerOutputs) and the stack's own outputs are not counted.
 */
export function estimateState(set: ResourceSet): StateEstimate {
    const urnOf = (i: number) => set.resources[i].urn;
    const defaultProviders = new Map<string, string>();
    const defaultProvider = (r: Registration): string => {
        const pkg = r.type.split(":")[0];
        const version = r.version ?? "0.0.0";
        const key = `${pkg}@${version}`;
        if (!defaultProviders.has(key)) {
            defaultProviders.set(key, `urn:pulumi:${set.stack}::${set.project}::pulumi:providers:${pkg}::default_${version.replace(/[.-]/g, "_")}`);
        }
        return `${defaultProviders.get(key)}::${UUID}`;
    };
    const stackUrn = `urn:pulumi:${set.stack}::${set.project}::pulumi:pulumi:Stack::${set.project}-${set.stack}`;
    let bytes = 0;
    let dependencyBytes = 0;
    let propertyBytes = 0;
    let indentedBytes = 0;
    const add = (entry: Record<string, unknown>) => {
        const text = JSON.stringify(entry);
        bytes += Buffer.byteLength(text) + 1;
        indentedBytes += Buffer.byteLength(JSON.stringify(entry, null, 4)) + 2;
    };
    for (const r of set.resources) {
        const inputs = stateProperties(r.inputs);
        const outputs = stateProperties(r.custom ? r.outputs : {});
        const dependencies = r.dependencies.map(urnOf);
        const propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map(urnOf)]));
        const entry: Record<string, unknown> = {
            urn: r.urn,
            custom: r.custom,
            ...(r.custom ? { id: r.id ?? UUID } : {}),
            type: r.type,
            inputs,
            outputs,
            // The real engine parents every top-level resource to the stack resource.
            parent: r.parent !== undefined ? urnOf(r.parent) : r.parentUrn ?? stackUrn,
            ...(r.options.protect ? { protect: true } : {}),
            ...(dependencies.length ? { dependencies } : {}),
            ...(r.custom && !r.type.startsWith("pulumi:providers:") ? { provider: r.provider !== undefined ? `${urnOf(r.provider)}::${set.resources[r.provider].id ?? UUID}` : defaultProvider(r) } : {}),
            ...(Object.keys(propertyDependencies).length ? { propertyDependencies } : {}),
            ...(r.options.additionalSecretOutputs.length ? { additionalSecretOutputs: r.options.additionalSecretOutputs } : {}),
            created: TIMESTAMP,
            modified: TIMESTAMP,
        };
        add(entry);
        dependencyBytes += Buffer.byteLength(JSON.stringify({ dependencies, propertyDependencies }));
        propertyBytes += Buffer.byteLength(JSON.stringify({ inputs, outputs }));
    }
    add({ urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", created: TIMESTAMP, modified: TIMESTAMP });
    for (const [key, urn] of defaultProviders) {
        const version = key.split("@")[1];
        add({ urn, custom: true, id: UUID, type: urn.split("::")[2], inputs: { version }, outputs: { version }, created: TIMESTAMP, modified: TIMESTAMP });
    }
    return { bytes, dependencyBytes, propertyBytes, indentedBytes };
}

/** Wire form → state form: secrets become ciphertext envelopes; everything else stays as sent. */
function stateProperties(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(stateProperties);
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG] === SECRET_SIG || (obj[SIG] === OUTPUT_SIG && obj.secret === true)) {
            const plaintext = Buffer.byteLength(JSON.stringify(obj.value ?? null));
            return { [SIG]: SECRET_SIG, ciphertext: `v1:${"A".repeat(Math.ceil(((plaintext + 28) * 4) / 3))}` };
        }
        if (obj[SIG] === OUTPUT_SIG) {
            return stateProperties(obj.value);
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, stateProperties(v)]));
    }
    return value;
}
