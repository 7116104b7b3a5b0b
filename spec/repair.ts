/**
 * The config the cross-field rules run on when some values failed their shape, so that one pass reports
 * every problem: each failing value is set aside (its default applies), and each required value that is
 * missing or was set aside gets a neutral stand-in. Every such path is "tainted"; a rule that reads a
 * tainted path (tracked through a read-only view of the config) has its findings left out, because they
 * would be about a stand-in or a default rather than about what the person wrote.
 *
 * The cluster's name is the one exception: a malformed `meta.name` is stood in for by its nearest valid
 * form and not tainted, since it only names things; otherwise a typo in the name would hide the
 * quorum, overlap and address problems that have nothing to do with it.
 */
import { z } from "zod";
import type { SpecIssue } from "./errors";
import { schemaAt, unwrap } from "./issues";
import type { Rule, RuleContext } from "./rules/context";
import { clusterConfigSchema, type ClusterConfig } from "./schema";
import { PROVIDERS } from "./infrastructure";

type Path = readonly PropertyKey[];

/** The parts of a zod issue repair needs. */
export interface FailedValue {
    readonly path: Path;
    readonly code?: string;
    readonly keys?: readonly string[];
}

export interface Repaired {
    readonly config: ClusterConfig;
    /** Runs one rule on the repaired config and says which paths (dotted, list items by number) it read. */
    run(rule: Rule): { errors: SpecIssue[]; reads: string[] };
    isTainted(read: string): boolean;
}

const dotted = (path: Path) => path.map(String).join(".");
/** `infrastructure.workerPools.2.name` → `infrastructure.workerPools[].name`: the table's key. */
const pattern = (path: Path) => path.map((segment) => (typeof segment === "number" ? "[]" : String(segment))).join(".").replace(/\.\[\]/g, "[]");

const ADDRESS = "0.0.0.0";
/** Stand-ins for required values whose format a generic value would not meet. */
const STAND_INS: Readonly<Record<string, unknown>> = {
    "infrastructure.network.subnet": "0.0.0.0/0",
    "infrastructure.network.gateway": "0.0.0.1",
    "infrastructure.network.dnsServers": [ADDRESS],
    "infrastructure.network.dnsServers[]": ADDRESS,
    "infrastructure.network.allowedCidrs[]": "0.0.0.0/32",
    "infrastructure.network.apiVip": ADDRESS,
    "infrastructure.controlPlane.addresses": [ADDRESS],
    "infrastructure.controlPlane.addresses[]": ADDRESS,
    "infrastructure.controlPlane.addresses.from": ADDRESS,
    "infrastructure.controlPlane.addresses.to": ADDRESS,
    "infrastructure.workerPools[].addresses": [ADDRESS],
    "infrastructure.workerPools[].addresses[]": ADDRESS,
    "infrastructure.workerPools[].addresses.from": ADDRESS,
    "infrastructure.workerPools[].addresses.to": ADDRESS,
    "infrastructure.existing.nodes[].address": ADDRESS,
    "infrastructure.harvester.loadBalancerPool.from": ADDRESS,
    "infrastructure.harvester.loadBalancerPool.to": ADDRESS,
    "infrastructure.harvester.network.create.uplinkNics": ["standin"],
    "gitops.repository.url": "https://stand-in.invalid/repository.git",
    "backup.schedules[].cron": "0 0 * * *",
    "operations.maintenanceWindows[].days": ["mon"],
    "operations.maintenanceWindows[].start": "00:00",
};

/** The nearest valid form of a cluster name, for messages that name nodes. */
function nameStandIn(raw: unknown): string {
    const name = (typeof raw === "string" ? raw : "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
    return name || "cluster";
}

/** The provider whose section the stack has, when `infrastructure.provider` itself is unusable. */
function providerStandIn(repaired: Record<string, unknown>): string | undefined {
    const infrastructure = repaired.infrastructure as Record<string, unknown> | undefined;
    const present = PROVIDERS.filter((name) => infrastructure && Object.hasOwn(infrastructure, name));
    return present.length === 1 ? present[0] : undefined;
}

/** A neutral value of the schema's type at `path`, for required values the table does not list. */
function genericStandIn(path: Path): unknown {
    const schema = unwrap(schemaAt(clusterConfigSchema, path));
    if (schema instanceof z.ZodNumber) {
        return Number.isFinite(schema.minValue) ? Math.max(0, schema.minValue ?? 0) : 0;
    }
    if (schema instanceof z.ZodBoolean) return false;
    if (schema instanceof z.ZodEnum) return schema.options[0];
    if (schema instanceof z.ZodLiteral) return schema.value;
    if (schema instanceof z.ZodObject || schema instanceof z.ZodRecord) return {};
    if (schema instanceof z.ZodArray) return [];
    if (schema instanceof z.ZodString) return "standin";
    return undefined;
}

function ownValueAt(target: unknown, path: Path): unknown {
    let current = target;
    for (const segment of path) {
        if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) return undefined;
        current = (current as Record<PropertyKey, unknown>)[segment as string];
    }
    return current;
}

function removeAt(target: unknown, path: Path): void {
    const parent = ownValueAt(target, path.slice(0, -1));
    if (parent === null || typeof parent !== "object" || path.length === 0) return;
    const last = path[path.length - 1];
    if (Array.isArray(parent)) {
        // Keep list positions stable so later paths still point at the same entries.
        parent[Number(last)] = undefined;
    } else {
        delete (parent as Record<PropertyKey, unknown>)[last as string];
    }
}

function setAt(target: Record<string, unknown>, path: Path, value: unknown): boolean {
    const parent = ownValueAt(target, path.slice(0, -1));
    if (parent === null || typeof parent !== "object" || path.length === 0) return false;
    Object.defineProperty(parent, path[path.length - 1], { value, writable: true, enumerable: true, configurable: true });
    return true;
}

/**
 * Repairs `input` (never modified) for the rules; undefined when no usable config results (for example
 * when `infrastructure` itself is missing or its provider cannot be told).
 */
export function repairForRules(input: Record<string, unknown>, failed: readonly FailedValue[], setAside: readonly Path[] = []): Repaired | undefined {
    const repaired = structuredClone(input);
    const tainted = new Set<string>();
    const drop = (path: Path) => {
        removeAt(repaired, path);
        tainted.add(dotted(path));
    };
    setAside.forEach(drop);
    for (const issue of failed) {
        if (issue.code === "unrecognized_keys") {
            issue.keys?.forEach((key) => drop([...issue.path, key]));
        } else {
            drop(issue.path);
        }
    }
    tainted.delete("meta.name");
    for (let round = 0; round < 50; round++) {
        const retry = clusterConfigSchema.safeParse(repaired);
        if (retry.success) {
            return tracker(structuredClone(retry.data), tainted);
        }
        for (const issue of retry.error.issues) {
            const path = issue.path;
            if (issue.code === "unrecognized_keys") {
                issue.keys.forEach((key) => drop([...path, key]));
                continue;
            }
            if (ownValueAt(repaired, path) !== undefined) {
                // Present but still wrong (a stand-in that did not fit, a key that failed): set it aside.
                drop(path);
                continue;
            }
            const key = pattern(path);
            let standIn: unknown;
            if (key === "meta.name") {
                standIn = nameStandIn(ownValueAt(input, path));
            } else if (key === "infrastructure.provider") {
                standIn = providerStandIn(repaired);
            } else if (key === "infrastructure" || key === "meta" || key === "infrastructure.network") {
                return undefined; // nothing meaningful to check without them
            } else {
                standIn = Object.hasOwn(STAND_INS, key) ? structuredClone(STAND_INS[key]) : genericStandIn(path);
            }
            if (standIn === undefined || !setAt(repaired, path, standIn)) {
                return undefined;
            }
            if (key !== "meta.name") {
                tainted.add(dotted(path));
            }
        }
    }
    return undefined;
}

function tracker(config: ClusterConfig, tainted: ReadonlySet<string>): Repaired {
    const isTainted = (read: string) => {
        if (tainted.size === 0) return false;
        let prefix = "";
        for (const segment of read.split(".")) {
            prefix = prefix ? `${prefix}.${segment}` : segment;
            if (tainted.has(prefix)) return true;
        }
        return false;
    };
    return {
        config,
        isTainted,
        run(rule) {
            const reads = new Set<string>();
            const views = new WeakMap<object, object>();
            const view = <T extends object>(target: T, at: string): T => {
                const known = views.get(target);
                if (known) return known as T;
                const proxy = new Proxy(target, {
                    get(object, key, receiver) {
                        const value = Reflect.get(object, key, receiver);
                        if (typeof key !== "string" || !Object.hasOwn(object, key)) return value;
                        const path = at ? `${at}.${key}` : key;
                        reads.add(path);
                        return value !== null && typeof value === "object" ? view(value as object, path) : value;
                    },
                });
                views.set(target, proxy);
                return proxy;
            };
            const errors: SpecIssue[] = [];
            const ctx: RuleContext = {
                config: view(config, ""),
                error: (path, message) => errors.push({ path, message }),
                warn: () => undefined,
            };
            try {
                rule(ctx);
            } catch {
                // A rule that cannot cope with a stand-in says nothing about what the person wrote.
                return { errors: [], reads: ["*"] };
            }
            return { errors, reads: [...reads] };
        },
    };
}
