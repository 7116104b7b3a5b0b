/**
 * Reads a stack file (`stacks/Pulumi.<cluster>.yaml`) without the Pulumi CLI, for the offline plan,
 * tests and fleet tools. Encrypted values (`secure: v1:…`) cannot be read offline: they are replaced
 * by a stand-in, and the paths that had them are reported.
 *
 * Reading is bounded: the file's size, YAML aliases, and the duplicate-key check (the `yaml` library's
 * own check compares every key with every other, which took minutes on 100,000 keys; this one is linear).
 * Errors give the line and column, never the file's text, so a value in clear is never echoed.
 */
import { distance } from "fastest-levenshtein";
import { isScalar, LineCounter, Parser, parseDocument, visit } from "yaml";
import { SpecError } from "./errors";
import { MAX_DEPTH, MAX_STACK_FILE_BYTES, MAX_YAML_ALIASES } from "./limits";

export const PROJECT = "clusters";

/** What replaces a secret value that cannot be decrypted offline. Never a real secret. */
export const OFFLINE_SECRET = "offline-stand-in-not-a-secret";

export interface StackFile {
    /**
     * `clusters:` keys without the namespace, decoded from YAML. Keys whose namespace is a near miss of
     * `clusters` (`Clusters:`, `cluster:`) keep their full key, so the spec refuses them by name.
     */
    readonly values: Record<string, unknown>;
    /** Other namespaces' keys (`openstack:region`, `vsphere:vsphereServer`…), untouched. */
    readonly providerConfig: Record<string, unknown>;
    /** Paths (e.g. `secrets.gitToken`) that held an encrypted value. */
    readonly encryptedPaths: readonly string[];
}

/**
 * Whether a config namespace is a near miss of ours (a different case, a letter dropped or swapped):
 * within two edits of `clusters`, as Pulumi's own project-file check measures closeness.
 */
export function isNearMissNamespace(namespace: string): boolean {
    return namespace !== PROJECT && distance(namespace.trim().toLowerCase(), PROJECT) <= 2;
}

/**
 * Splits full config keys (`namespace:key`) into the project's values and everything else. Used for a
 * stack file's `config:` and for the engine's config (`pulumi.runtime.allConfig()`), so both paths keep
 * near-miss namespaces for the spec to refuse instead of dropping them silently.
 */
export function projectConfigValues(all: Readonly<Record<string, unknown>>): { values: Record<string, unknown>; other: Record<string, unknown> } {
    const values: [string, unknown][] = [];
    const other: [string, unknown][] = [];
    for (const [fullKey, value] of Object.entries(all)) {
        const colon = fullKey.indexOf(":");
        const namespace = colon < 0 ? fullKey : fullKey.slice(0, colon);
        const key = colon < 0 ? "" : fullKey.slice(colon + 1);
        if (namespace === PROJECT && key) {
            values.push([key, value]);
        } else if (colon >= 0 && (namespace === PROJECT || isNearMissNamespace(namespace))) {
            values.push([fullKey, value]);
        } else {
            other.push([fullKey, value]);
        }
    }
    // fromEntries defines own properties: a key named __proto__ stays a key for the spec to refuse.
    return { values: Object.fromEntries(values), other: Object.fromEntries(other) };
}

function fileError(fileName: string, message: string): SpecError {
    return new SpecError([{ path: "", message: `${fileName} ${message}` }]);
}

export function readStackFile(text: string, fileName = "stack file"): StackFile {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_STACK_FILE_BYTES) {
        throw fileError(fileName, `is ${(bytes / 1024 / 1024).toFixed(1)} MiB; a stack file may be at most ${MAX_STACK_FILE_BYTES / 1024 / 1024} MiB`);
    }
    // The YAML composer recurses once per level: 5,000 nested '[' overflowed the stack ("Maximum call stack
    // size exceeded"). The syntax tree is measured first, without recursion. The limit leaves room above
    // the values' own bound (MAX_DEPTH, spec/bounds.ts), which then names the path of a value a little too deep.
    const maxNesting = 2 * MAX_DEPTH;
    if (nestingDepth(text, maxNesting) > maxNesting) {
        throw fileError(fileName, `nests deeper than ${maxNesting} levels; a value may be nested at most ${MAX_DEPTH} levels under its clusters: key`);
    }
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { uniqueKeys: false, prettyErrors: false, lineCounter });
    const at = (offset: number | undefined) => {
        const { line, col } = lineCounter.linePos(offset ?? 0);
        return `line ${line}, column ${col}`;
    };
    if (document.errors.length > 0) {
        throw new SpecError(document.errors.map((error) => ({ path: "", message: `${fileName} ${at(error.pos?.[0])}: ${error.message}` })));
    }
    const duplicates: string[] = [];
    visit(document, {
        Map(_, map) {
            const seen = new Set<string>();
            for (const pair of map.items) {
                const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
                if (seen.has(key)) {
                    duplicates.push(`${fileName} ${at(isScalar(pair.key) ? pair.key.range?.[0] : undefined)}: the key "${key.slice(0, 80)}" appears twice in the same mapping`);
                }
                seen.add(key);
            }
        },
    });
    if (duplicates.length > 0) {
        throw new SpecError(duplicates.map((message) => ({ path: "", message })));
    }
    let parsed: unknown;
    try {
        parsed = document.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (error) {
        throw fileError(fileName, `cannot be read: ${(error as Error).message} (at most ${MAX_YAML_ALIASES} aliases)`);
    }
    if (parsed !== null && parsed !== undefined && (typeof parsed !== "object" || Array.isArray(parsed))) {
        throw fileError(fileName, "must be a YAML mapping with a 'config' key");
    }
    const config = (parsed as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw fileError(fileName, "has a 'config' that is not a mapping");
    }
    const encryptedPaths: string[] = [];
    const split = projectConfigValues(config as Record<string, unknown>);
    const values = Object.fromEntries(Object.entries(split.values).map(([key, value]) => [key, replaceEncrypted(value, key, encryptedPaths)]));
    return { values, providerConfig: split.other, encryptedPaths };
}

/**
 * How deeply the YAML text nests collections (block maps and sequences, flow collections), read from the
 * `yaml` library's syntax tree (its parser keeps an explicit stack) with an explicit stack too. Stops
 * counting past `limit`.
 */
function nestingDepth(text: string, limit: number): number {
    let max = 0;
    for (const token of new Parser().parse(text)) {
        const pending: [unknown, number][] = [[token, 0]];
        while (pending.length > 0) {
            const [node, depth] = pending.pop()!;
            if (node === null || typeof node !== "object") continue;
            const fields = node as Record<string, unknown>;
            const level = fields.type === "block-map" || fields.type === "block-seq" || fields.type === "flow-collection" ? depth + 1 : depth;
            max = Math.max(max, level);
            if (max > limit) return max;
            for (const key of ["start", "key", "sep", "value", "items", "end", "props"]) {
                const child = fields[key];
                if (Array.isArray(child)) for (const item of child) pending.push([item, level]);
                else if (child !== null && typeof child === "object") pending.push([child, level]);
            }
        }
    }
    return max;
}

function replaceEncrypted(value: unknown, path: string, found: string[]): unknown {
    if (value && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 1 && entries[0][0] === "secure" && typeof entries[0][1] === "string") {
            found.push(path);
            return OFFLINE_SECRET;
        }
        return Object.fromEntries(entries.map(([k, v]) => [k, replaceEncrypted(v, `${path}.${k}`, found)]));
    }
    if (Array.isArray(value)) {
        return value.map((item, i) => replaceEncrypted(item, `${path}[${i}]`, found));
    }
    return value;
}

/**
 * Values under `clusters:secrets` that the stack file holds in clear (not `secure: v1:…`), as paths such as
 * `secrets.gitToken` or `secrets.services.<svc>.<key>`. Pulumi would hand them to the program as plain
 * config, and the file in Git would carry them: every one is refused (cli/stacks.ts, components/stack-config.ts).
 */
export function clearSecretPaths(file: StackFile): string[] {
    const encrypted = new Set(file.encryptedPaths);
    const found: string[] = [];
    const pending: [unknown, string][] = Object.hasOwn(file.values, "secrets") ? [[file.values.secrets, "secrets"]] : [];
    while (pending.length > 0) {
        const [value, at] = pending.pop()!;
        if (encrypted.has(at) || value === null || value === undefined) {
            continue;
        }
        if (Array.isArray(value)) {
            value.forEach((item, i) => pending.push([item, `${at}[${i}]`]));
        } else if (typeof value === "object") {
            for (const [key, item] of Object.entries(value)) pending.push([item, `${at}.${key}`]);
        } else {
            found.push(at);
        }
    }
    return found.sort();
}

/** Why a clear secret at `at` is refused, with the command that encrypts it; never the value. */
export function clearSecretMessage(at: string, fileName = "the stack file"): string {
    return `is in clear in ${fileName}; secrets must be encrypted: pulumi config set --secret --path '${PROJECT}:${at}' <value> (the value is a secret and is not shown)`;
}

/** The refusal of clear secrets, one issue per path. */
export function clearSecretsError(paths: readonly string[], fileName = "the stack file"): SpecError {
    return new SpecError(paths.map((at) => ({ path: at, message: clearSecretMessage(at, fileName) })));
}
