/**
 * Size bounds checked on the raw config before the schema sees it (spec/limits.ts), so that no input
 * makes validation slow: too many entries, too deep, a `__proto__` key, a string of megabytes, a
 * service's values too large for the Secret they become. What breaks a bound is reported with its path
 * and the limit, and set aside; the rest of the config is validated as usual in the same pass.
 */
import { stringify } from "yaml";
import { formatPath, type SpecIssue } from "./errors";
import {
    MAX_CONFIG_ENTRIES, MAX_DEPTH, MAX_SECRET_LENGTH, MAX_SERVICE_SECRETS_BYTES, MAX_SERVICE_VALUES_BYTES,
    MAX_SERVICE_VALUES_ENTRIES, MAX_STRING_LENGTH, SECRET_DATA_LIMIT_BYTES,
} from "./limits";

type Path = readonly (string | number)[];

export interface Bounded {
    /** The config without the values that broke a bound (the caller's objects are never modified). */
    readonly input: Record<string, unknown>;
    readonly issues: readonly SpecIssue[];
    /** Paths that were set aside, for the rules to know what they did not see. */
    readonly removed: readonly Path[];
}

const KiB = (bytes: number) => `${Math.ceil(bytes / 1024).toLocaleString("en-US")} KiB`;
const count = (n: number) => n.toLocaleString("en-US");

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Entries (keys and list items) of a value through every level, counting no further than `stop`. */
function entriesOf(value: unknown, stop: number): number {
    let entries = 0;
    const pending: unknown[] = [value];
    while (pending.length > 0 && entries <= stop) {
        const current = pending.pop();
        const children = Array.isArray(current) ? current : isObject(current) ? Object.values(current) : [];
        entries += children.length;
        for (const child of children) {
            pending.push(child);
        }
    }
    return entries;
}

const isServiceValues = (path: Path) => path.length === 3 && path[0] === "services" && path[2] === "values";
const isServiceSecrets = (path: Path) => path.length === 3 && path[0] === "secrets" && path[1] === "services";
const inSecrets = (path: Path) => path[0] === "secrets";
const inServiceValues = (path: Path) => path.length >= 3 && path[0] === "services" && path[2] === "values";

export function enforceBounds(config: Record<string, unknown>): Bounded {
    const issues: SpecIssue[] = [];
    const removed: Path[] = [];
    const setAside = (path: Path, message: string) => {
        issues.push({ path: formatPath(path), message });
        removed.push(path);
    };

    for (const [key, value] of Object.entries(config)) {
        if (key === "__proto__") {
            setAside([key], "is not allowed as a key anywhere in the stack file");
            continue;
        }
        const pending: { value: unknown; path: Path }[] = [{ value, path: [key] }];
        let entries = 0;
        while (pending.length > 0) {
            const { value: current, path } = pending.pop()!;
            if (++entries > MAX_CONFIG_ENTRIES) {
                // Whatever was already set aside inside this key goes with it (setAside keeps both lists aligned).
                for (let i = removed.length - 1; i >= 0; i--) {
                    if (removed[i].length > 1 && removed[i][0] === key) {
                        removed.splice(i, 1);
                        issues.splice(i, 1);
                    }
                }
                setAside([key], `holds more than ${count(MAX_CONFIG_ENTRIES)} entries (keys and list items at every level); a stack file is not a database`);
                break;
            }
            if (path.length > MAX_DEPTH) {
                setAside(path, `is nested deeper than ${MAX_DEPTH} levels`);
                continue;
            }
            if (typeof current === "string") {
                if (inSecrets(path) && current.length > MAX_SECRET_LENGTH) {
                    setAside(path, `is ${KiB(current.length)} long; a secret value may be at most ${KiB(MAX_SECRET_LENGTH)} (the value is not shown)`);
                } else if (inServiceValues(path) && current.length > MAX_SERVICE_VALUES_BYTES) {
                    setAside(path, `is ${KiB(current.length)} long; a service's values become a Kubernetes Secret, which holds at most ${KiB(SECRET_DATA_LIMIT_BYTES)}`);
                } else if (current.length > MAX_STRING_LENGTH) {
                    setAside(path, `is ${KiB(current.length)} long; no value of a stack file may exceed ${KiB(MAX_STRING_LENGTH)}`);
                }
                continue;
            }
            if (isServiceValues(path) && isObject(current)) {
                const problem = serviceValuesProblem(current);
                if (problem) {
                    setAside(path, problem);
                    continue;
                }
            }
            if (isServiceSecrets(path) && isObject(current)) {
                // Values too long on their own are reported one by one below.
                const bytes = Object.values(current).reduce<number>((sum, secret) => sum + (typeof secret === "string" && secret.length <= MAX_SECRET_LENGTH ? Buffer.byteLength(secret) : 0), 0);
                if (bytes > MAX_SERVICE_SECRETS_BYTES) {
                    setAside(path, `holds ${KiB(bytes)} of secret values; one service's secret values may take at most ${KiB(MAX_SERVICE_SECRETS_BYTES)} of its values Secret (values are not shown)`);
                    continue;
                }
            }
            if (Array.isArray(current)) {
                current.forEach((item, i) => pending.push({ value: item, path: [...path, i] }));
            } else if (isObject(current)) {
                for (const [childKey, child] of Object.entries(current)) {
                    if (childKey === "__proto__") {
                        // JSON and YAML make it an ordinary key; copied into an object it would replace the prototype.
                        setAside([...path, childKey], "is not allowed as a key anywhere in the stack file");
                    } else {
                        pending.push({ value: child, path: [...path, childKey] });
                    }
                }
            }
        }
    }
    if (removed.length === 0) {
        return { input: config, issues, removed };
    }
    return { input: withoutPaths(config, removed), issues: sortByPath(issues), removed };
}

/**
 * Too many entries, or more YAML than the values Secret can hold (measured as the Secret holds it).
 * A single string too long for the Secret is left to the walk, which names its own path.
 */
function serviceValuesProblem(values: Record<string, unknown>): string | undefined {
    const entries = entriesOf(values, MAX_SERVICE_VALUES_ENTRIES);
    if (entries > MAX_SERVICE_VALUES_ENTRIES) {
        return `holds more than ${count(MAX_SERVICE_VALUES_ENTRIES)} entries; put large configuration in the service's own repository`;
    }
    const oversized = (value: unknown) => typeof value === "string" && value.length > MAX_SERVICE_VALUES_BYTES;
    const bytes = Buffer.byteLength(stringify(values, (_key: unknown, value: unknown) => (oversized(value) ? "" : value), { sortMapEntries: true }));
    if (bytes > MAX_SERVICE_VALUES_BYTES) {
        return `is ${KiB(bytes)} as YAML; the values become the Secret <service>-values-override, and Kubernetes caps a Secret at ${KiB(SECRET_DATA_LIMIT_BYTES)} (${KiB(MAX_SERVICE_VALUES_BYTES)} for values, the rest for secret values)`;
    }
    return undefined;
}

/** A copy of `config` without the given paths; only the branches that change are copied. */
function withoutPaths(config: Record<string, unknown>, paths: readonly Path[]): Record<string, unknown> {
    const copy: Record<string, unknown> = Object.fromEntries(Object.entries(config));
    const topKeys = new Set(paths.map((path) => String(path[0])));
    for (const key of topKeys) {
        if (paths.some((path) => path.length === 1 && path[0] === key)) {
            delete copy[key];
        } else {
            copy[key] = structuredClone(config[key]);
        }
    }
    for (const path of paths) {
        if (path.length < 2) {
            continue;
        }
        let target: unknown = copy;
        for (const segment of path.slice(0, -1)) {
            target = (target as Record<string | number, unknown> | undefined)?.[segment];
        }
        const last = path[path.length - 1];
        if (Array.isArray(target)) {
            // A hole keeps later items at their positions, so their paths still name what the person wrote.
            target[Number(last)] = undefined;
        } else if (isObject(target)) {
            delete target[String(last)];
        }
    }
    return copy;
}

function sortByPath(issues: SpecIssue[]): SpecIssue[] {
    return [...issues].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
