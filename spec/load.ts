/**
 * From stack-file config to a validated, resolved, frozen ClusterSpec, or a SpecError listing every
 * problem. Pure: no Pulumi import, so the same function serves the program, the offline plan,
 * the policies and the tests.
 */
import { enforceBounds } from "./bounds";
import { formatPath, SpecError, type SpecIssue } from "./errors";
import { MAX_STACK_FILE_BYTES } from "./limits";
import { toSpecIssues } from "./issues";
import { repairForRules, type FailedValue } from "./repair";
import * as backup from "./rules/backup";
import * as decommission from "./rules/decommission";
import { collect, type Rule } from "./rules/context";
import * as gitops from "./rules/gitops";
import * as kubespray from "./rules/kubespray";
import * as paths from "./rules/paths";
import * as network from "./rules/network";
import * as provider from "./rules/provider";
import * as recovery from "./rules/recovery";
import * as secrets from "./rules/secrets";
import * as topology from "./rules/topology";
import * as versions from "./rules/versions";
import { clusterConfigSchema, CONFIG_KEYS, type ClusterConfig } from "./schema";
import { resolveSpec, type ClusterSpec } from "./resolve";
import { isNearMissNamespace, PROJECT } from "./stackfile";

/** Every cross-field rule, in the order their messages read best. */
export const RULES: readonly Rule[] = [
    topology.clusterNameIsNotReserved,
    provider.providerSectionMatches,
    topology.clusterSizeIsBounded,
    topology.controlPlaneKeepsQuorum,
    topology.poolNamesAreUnique,
    topology.existingPoolsHaveOneRole,
    topology.nodeNamesFit,
    topology.dataVolumeNamesAreUnique,
    provider.sizesAreKnown,
    network.networksDoNotOverlap,
    network.podRangesFitTheNodes,
    network.serviceSubnetFits,
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
    paths.gitopsPathFitsTheScaffold,
    gitops.servicesAreKnownAndComplete,
    backup.scheduleNamesAreUnique,
    secrets.secretsArePresent,
    secrets.secretsBelongToEnabledServices,
    topology.replacementsNameRealNodes,
    recovery.unreachableNodesAreRealNodes,
    recovery.controlPlaneRecoveryIsPossible,
    decommission.decommissionNamesThisCluster,
];

export interface LoadedSpec {
    readonly spec: ClusterSpec;
    /** Secret values, in clear: wrap them as Pulumi secrets before they go anywhere. */
    readonly secrets: ClusterConfig["secrets"];
    readonly warnings: readonly SpecIssue[];
}

/**
 * Stack config values arrive as strings (objects as JSON). Keys are given without the `clusters:` namespace.
 *
 * Pulumi.yaml declares every key with `default: {}` (the engine refuses a stack that leaves out a
 * declared key without a default), so the engine hands the program `{}` for every key a stack does not
 * set. For `gitops` that is "no GitOps section": an empty section is the same as none.
 */
export function decodeConfigValues(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const decoded: [string, unknown][] = [];
    for (const [key, value] of Object.entries(raw)) {
        let parsed = value;
        if (typeof value === "string" && value.length <= MAX_STACK_FILE_BYTES && /^\s*[[{]/.test(value)) {
            try {
                parsed = JSON.parse(value);
            } catch {
                // keep the string: the schema reports the type
            }
        }
        if (key === "gitops" && parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) && Object.keys(parsed).length === 0) {
            continue;
        }
        decoded.push([key, parsed]);
    }
    // fromEntries defines own properties: a key named __proto__ cannot replace the object's prototype.
    return Object.fromEntries(decoded);
}

/**
 * Keys outside the spec's namespace that look like they were meant for it (`Clusters:operations`,
 * `cluster:meta`): Pulumi never hands them to the program, so a setting such as `paused: true` would be
 * lost without a word. They are refused by name.
 */
function namespaceIssues(input: Record<string, unknown>): { input: Record<string, unknown>; issues: SpecIssue[] } {
    const issues: SpecIssue[] = [];
    const kept: [string, unknown][] = [];
    for (const [key, value] of Object.entries(input)) {
        const colon = key.indexOf(":");
        const namespace = colon < 0 ? "" : key.slice(0, colon);
        const name = key.slice(colon + 1);
        if (colon >= 0 && namespace === PROJECT && name === "") {
            issues.push({ path: key, message: `names no key; write ${PROJECT}:<key> with one of: ${CONFIG_KEYS.join(", ")}` });
        } else if (colon >= 0 && (namespace === PROJECT || isNearMissNamespace(namespace))) {
            const target = namespace === PROJECT ? name : `${PROJECT}:${name}`;
            issues.push({
                path: key,
                message: namespace === PROJECT
                    ? `is not a key of the ${PROJECT}: namespace; allowed: ${CONFIG_KEYS.join(", ")}`
                    : `has the namespace "${namespace}", which is not "${PROJECT}"; write ${target} (a key outside the ${PROJECT}: namespace is never read, so this setting would be lost)`,
            });
        } else {
            kept.push([key, value]);
        }
    }
    return { input: Object.fromEntries(kept), issues };
}

/** Validates the whole config and resolves it; throws SpecError with every problem at once. */
export function loadClusterSpec(raw: Readonly<Record<string, unknown>>): LoadedSpec {
    const namespaced = namespaceIssues(decodeConfigValues(raw));
    const bounded = enforceBounds(namespaced.input);
    const fileIssues = [...namespaced.issues, ...bounded.issues];
    const input = bounded.input;
    const parsed = clusterConfigSchema.safeParse(input);
    if (!parsed.success || fileIssues.length > 0) {
        // A value set aside by a bound is reported once, by the bound, not again as "required".
        const setAside = bounded.removed.map((path) => formatPath(path));
        const shapeIssues = (parsed.success ? [] : toSpecIssues(parsed.error, clusterConfigSchema, input))
            .filter((issue) => !setAside.some((path) => issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`)));
        const dropped = [...fileIssues, ...shapeIssues].map((issue) => issue.path);
        const ruleIssues = rulesDespiteShapeErrors(input, parsed.success ? [] : failedValues(parsed.error.issues), dropped, bounded.removed);
        throw new SpecError(sortIssues([...fileIssues, ...shapeIssues]).concat(ruleIssues));
    }
    const { errors, warnings } = collect(parsed.data, RULES);
    if (errors.length > 0) {
        throw new SpecError(errors);
    }
    return { spec: resolveSpec(parsed.data), secrets: parsed.data.secrets, warnings };
}

/**
 * The config the rules would see despite shape errors: every value that failed its shape set aside,
 * required ones replaced by neutral stand-ins (spec/repair.ts). Undefined when nothing sensible is left.
 * The offline plan uses it too, so it fills the secrets the stack really needs even when shapes are wrong.
 */
export function configForRules(values: Readonly<Record<string, unknown>>): ClusterConfig | undefined {
    const input = enforceBounds(namespaceIssues(decodeConfigValues(values)).input).input;
    const parsed = clusterConfigSchema.safeParse(input);
    if (parsed.success) {
        return parsed.data;
    }
    return repairForRules(input, failedValues(parsed.error.issues))?.config;
}

/**
 * So that one pass shows every problem: set aside the values that failed their shape, stand in for
 * required ones, and run the cross-field rules on the result. A rule's findings are kept only when the
 * rule read nothing that was set aside or stood in for, and do not name such a field: otherwise they
 * would be about a default or a stand-in, not about what the person wrote.
 */
function rulesDespiteShapeErrors(
    input: Record<string, unknown>, failed: readonly FailedValue[], dropped: readonly string[], setAside: readonly (readonly PropertyKey[])[],
): SpecIssue[] {
    const repaired = repairForRules(input, failed, setAside);
    if (!repaired) {
        return [];
    }
    const mentionsDropped = (issue: SpecIssue) => dropped.some((path) => path !== "" && (issue.path.startsWith(path) || path.startsWith(issue.path) || issue.message.includes(path)));
    const issues: SpecIssue[] = [];
    for (const rule of RULES) {
        const { errors, reads } = repaired.run(rule);
        if (!reads.some((read) => repaired.isTainted(read))) {
            issues.push(...errors.filter((issue) => !mentionsDropped(issue)));
        }
    }
    return issues;
}

function failedValues(issues: readonly { path: PropertyKey[]; code: string; keys?: string[] }[]): FailedValue[] {
    return issues.map((issue) => ({ path: issue.path, code: issue.code, keys: issue.code === "unrecognized_keys" ? issue.keys : undefined }));
}

/** Issues in stack-file order of the top-level keys, then by path. */
function sortIssues(issues: SpecIssue[]): SpecIssue[] {
    const order = (path: string) => {
        const index = CONFIG_KEYS.indexOf(path.split(/[.[]/)[0] as keyof ClusterConfig);
        return index < 0 ? -1 : index;
    };
    return [...issues].sort((a, b) => order(a.path) - order(b.path));
}

