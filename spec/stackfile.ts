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
import { isScalar, LineCounter, parseDocument, visit } from "yaml";
import { SpecError } from "./errors";
import { MAX_STACK_FILE_BYTES, MAX_YAML_ALIASES } from "./limits";

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
