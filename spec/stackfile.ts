/**
 * Reads a stack file (`stacks/Pulumi.<cluster>.yaml`) without the Pulumi CLI, for the offline plan,
 * tests and fleet tools. Encrypted values (`secure: v1:…`) cannot be read offline: they are replaced
 * by a stand-in, and the paths that had them are reported.
 */
import { parse } from "yaml";

export const PROJECT = "clusters";

/** What replaces a secret value that cannot be decrypted offline. Never a real secret. */
export const OFFLINE_SECRET = "offline-stand-in-not-a-secret";

export interface StackFile {
    /** `clusters:` keys without the namespace, decoded from YAML. */
    readonly values: Record<string, unknown>;
    /** Other namespaces' keys (`openstack:region`, `vsphere:vsphereServer`…), untouched. */
    readonly providerConfig: Record<string, unknown>;
    /** Paths (e.g. `secrets.gitToken`) that held an encrypted value. */
    readonly encryptedPaths: readonly string[];
}

export function readStackFile(text: string, fileName = "stack file"): StackFile {
    const document = parse(text) as { config?: Record<string, unknown> } | null;
    if (document !== null && (typeof document !== "object" || Array.isArray(document))) {
        throw new Error(`${fileName}: expected a YAML mapping with a 'config' key`);
    }
    const config = document?.config ?? {};
    const values: Record<string, unknown> = {};
    const providerConfig: Record<string, unknown> = {};
    const encryptedPaths: string[] = [];
    for (const [fullKey, value] of Object.entries(config)) {
        const [namespace, ...rest] = fullKey.split(":");
        const key = rest.join(":");
        if (namespace === PROJECT && key) {
            values[key] = replaceEncrypted(value, key, encryptedPaths);
        } else {
            providerConfig[fullKey] = value;
        }
    }
    return { values, providerConfig, encryptedPaths };
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
