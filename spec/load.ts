/**
 * From stack-file config to a validated, resolved, frozen ClusterSpec, or a SpecError listing every
 * problem. Pure: no Pulumi import, so the same function serves the program, the offline plan,
 * the policies and the tests.
 */
import { SpecError, type SpecIssue } from "./errors";
import { toSpecIssues } from "./issues";
import { collect, type Rule } from "./rules/context";
import * as gitops from "./rules/gitops";
import * as kubespray from "./rules/kubespray";
import * as network from "./rules/network";
import * as provider from "./rules/provider";
import * as secrets from "./rules/secrets";
import * as topology from "./rules/topology";
import * as versions from "./rules/versions";
import { clusterConfigSchema, CONFIG_KEYS, type ClusterConfig } from "./schema";
import { resolveSpec, type ClusterSpec } from "./resolve";

/** Every cross-field rule, in the order their messages read best. */
export const RULES: readonly Rule[] = [
    topology.clusterNameIsNotReserved,
    provider.providerSectionMatches,
    topology.controlPlaneKeepsQuorum,
    topology.poolNamesAreUnique,
    topology.nodeNamesFit,
    provider.sizesAreKnown,
    network.networksDoNotOverlap,
    network.addressesFitTheSubnet,
    network.allowedCidrsAreExplicit,
    provider.apiEndpointFitsProvider,
    provider.bastionIsComplete,
    provider.openstackNetworkIsReachable,
    provider.vsphereCsiAdvised,
    versions.kubernetesFitsKubespray,
    versions.networkModeFitsPlugin,
    versions.oidcIsComplete,
    kubespray.extraVarsAreSafe,
    gitops.gitAuthMatchesUrl,
    gitops.sshKnownHostsGiven,
    gitops.servicesAreKnownAndComplete,
    secrets.secretsArePresent,
    topology.replacementsNameRealNodes,
];

export interface LoadedSpec {
    readonly spec: ClusterSpec;
    /** Secret values, in clear: wrap them as Pulumi secrets before they go anywhere. */
    readonly secrets: ClusterConfig["secrets"];
    readonly warnings: readonly SpecIssue[];
}

/**
 * Stack config values arrive as strings (objects as JSON). Keys are given without the `clusters:` namespace.
 */
export function decodeConfigValues(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const decoded: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        if (typeof value === "string" && /^\s*[[{]/.test(value)) {
            try {
                decoded[key] = JSON.parse(value);
                continue;
            } catch {
                // fall through: the schema reports the type
            }
        }
        decoded[key] = value;
    }
    return decoded;
}

/** Validates the whole config and resolves it; throws SpecError with every problem at once. */
export function loadClusterSpec(raw: Readonly<Record<string, unknown>>): LoadedSpec {
    const input = decodeConfigValues(raw);
    const parsed = clusterConfigSchema.safeParse(input);
    if (!parsed.success) {
        const shapeIssues = sortIssues(toSpecIssues(parsed.error, clusterConfigSchema, input));
        throw new SpecError([...shapeIssues, ...rulesDespiteShapeErrors(input, parsed.error.issues.map((i) => i.path), shapeIssues)]);
    }
    const { errors, warnings } = collect(parsed.data, RULES);
    if (errors.length > 0) {
        throw new SpecError(errors);
    }
    return { spec: resolveSpec(parsed.data), secrets: parsed.data.secrets, warnings };
}

/**
 * So that one pass shows every problem: drop the values that failed their shape, and when what is left
 * (with defaults filling the gaps) parses, run the cross-field rules on it too. A rule finding that
 * names a dropped field is left out: it would be about the default, not about what the person wrote.
 */
function rulesDespiteShapeErrors(input: Record<string, unknown>, badPaths: readonly PropertyKey[][], shapeIssues: readonly SpecIssue[]): SpecIssue[] {
    const repaired = structuredClone(input);
    for (const path of badPaths) {
        removeAt(repaired, path);
    }
    const retry = clusterConfigSchema.safeParse(repaired);
    if (!retry.success) {
        return [];
    }
    const dropped = shapeIssues.map((issue) => issue.path);
    const mentionsDropped = (issue: SpecIssue) => dropped.some((path) => issue.path.startsWith(path) || path.startsWith(issue.path) || issue.message.includes(path));
    return collect(retry.data, RULES).errors.filter((issue) => !mentionsDropped(issue));
}

function removeAt(target: unknown, path: readonly PropertyKey[]): void {
    let current = target as Record<PropertyKey, unknown> | undefined;
    for (const segment of path.slice(0, -1)) {
        current = current?.[segment as string] as Record<PropertyKey, unknown> | undefined;
        if (current === null || typeof current !== "object") return;
    }
    if (current && typeof current === "object" && path.length > 0) {
        const last = path[path.length - 1] as string;
        if (Array.isArray(current)) {
            // Keep list positions stable so later paths still point at the same entries.
            (current as unknown[])[Number(last)] = undefined;
        } else {
            delete current[last];
        }
    }
}

/** Issues in stack-file order of the top-level keys, then by path. */
function sortIssues(issues: SpecIssue[]): SpecIssue[] {
    const order = (path: string) => {
        const index = CONFIG_KEYS.indexOf(path.split(/[.[]/)[0] as keyof ClusterConfig);
        return index < 0 ? CONFIG_KEYS.length : index;
    };
    return [...issues].sort((a, b) => order(a.path) - order(b.path));
}
