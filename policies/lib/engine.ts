/**
 * Evaluates the rules on plain Kubernetes objects (manifests from Git) and on recorded resources,
 * with the same config the pack takes: `{ "all": level, "<policy>": level | { enforcementLevel, ...settings } }`.
 * Used by `npm run policy`, `npm run plan` and the pack itself.
 */
import type { Category, CommonConfig, Enforcement, KubeObject, PlainResource, Rule, Violation } from "./types";

export type { Enforcement };

export type PackConfig = Record<string, Enforcement | ({ enforcementLevel?: Enforcement } & CommonConfig)>;

/** Defaults: pod security and best practices advise (openCenter's Kyverno runs in Audit); guardrails block. */
export const DEFAULT_ENFORCEMENT: Readonly<Record<Category, Enforcement>> = {
    "pod-security-baseline": "advisory",
    "pod-security-restricted": "advisory",
    "best-practices": "advisory",
    platform: "mandatory",
    stack: "mandatory",
};

/**
 * The namespaces openCenter's Kyverno never evaluates: `config.resourceFilters` (kube-system, kube-public,
 * kube-node-lease) and its own namespace (`excludeKyvernoNamespace`, installed in `kyverno`); from
 * gitops-base `kyverno/policy-engine/helm-values/values-3.6.0.yaml`. The parity test reads them there.
 */
export const DEFAULT_EXEMPT_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease", "kyverno"];

/** Where a namespaced object lands: its own namespace, or `default` when it names none (as the API server does). */
export function namespaceOf(object: KubeObject): string {
    const namespace = object.metadata?.namespace;
    return typeof namespace === "string" && namespace !== "" ? namespace : "default";
}

export interface Finding extends Violation {
    readonly policy: string;
    readonly enforcement: Enforcement;
    /** Kyverno's rule name inside the policy, where Kyverno has one. */
    readonly rule?: string;
    readonly kind?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly file?: string;
}

export function enforcementOf(rule: Rule, config: PackConfig): Enforcement {
    const own = config[rule.name];
    if (typeof own === "string") return own;
    if (own?.enforcementLevel) return own.enforcementLevel;
    const all = config.all;
    if (typeof all === "string") return all;
    return defaultEnforcement(rule);
}

/** The rule's own default, else its category's. */
export function defaultEnforcement(rule: Rule): Enforcement {
    return rule.enforcement ?? DEFAULT_ENFORCEMENT[rule.category];
}

export function settingsOf(rule: Rule, config: PackConfig): CommonConfig {
    const own = config[rule.name];
    return typeof own === "object" ? own : {};
}

/** Kind from a Pulumi type token: `kubernetes:apps/v1:Deployment` → Deployment. */
export function kubernetesKind(type: string): string | undefined {
    return type.startsWith("kubernetes:") ? type.split(":").pop() : undefined;
}

function exempt(object: KubeObject, settings: CommonConfig): boolean {
    const namespace = namespaceOf(object);
    const name = object.metadata?.name ?? "";
    return (settings.exemptNamespaces ?? DEFAULT_EXEMPT_NAMESPACES).includes(namespace)
        || (settings.exemptWorkloads ?? []).some((w) => w === name || w === `${namespace}/${name}`);
}

export function evaluateObject(rule: Rule, object: KubeObject, config: PackConfig): Finding[] {
    const enforcement = enforcementOf(rule, config);
    if (enforcement === "disabled" || rule.target !== "object" || !rule.kinds.includes(object.kind ?? "")) return [];
    const settings = settingsOf(rule, config);
    if (exempt(object, settings)) return [];
    return rule.check(object, settings).map((v) => ({ ...v, policy: rule.name, enforcement, kind: object.kind, namespace: namespaceOf(object), name: object.metadata?.name }));
}

export function evaluateResource(rule: Rule, resource: PlainResource, config: PackConfig): Finding[] {
    const enforcement = enforcementOf(rule, config);
    if (enforcement === "disabled") return [];
    const kind = kubernetesKind(resource.type);
    if (rule.target === "object" && kind) {
        return evaluateObject(rule, { ...resource.props, kind: resource.props.kind ?? kind }, config).map((f) => ({ ...f, name: f.name ?? resource.name }));
    }
    if (rule.target === "resource" && rule.appliesTo(resource.type, resource.name)) {
        return rule.check(resource, settingsOf(rule, config)).map((v) => ({ ...v, policy: rule.name, enforcement, kind: kind ?? resource.type, name: resource.name }));
    }
    return [];
}

export function evaluateStack(rules: readonly Rule[], resources: readonly PlainResource[], config: PackConfig): Finding[] {
    const findings: Finding[] = [];
    for (const rule of rules) {
        for (const resource of resources) {
            findings.push(...evaluateResource(rule, resource, config));
        }
        if (rule.target === "stack" && enforcementOf(rule, config) !== "disabled") {
            findings.push(...rule.check(resources, settingsOf(rule, config)).map((v) => ({ ...v, policy: rule.name, enforcement: enforcementOf(rule, config) })));
        }
    }
    return findings;
}

/** Manifests as resources, so resource rules (charts, ConfigMaps) apply to Git too. */
export function objectAsResource(object: KubeObject): PlainResource {
    const [group, version] = String(object.apiVersion ?? "v1").includes("/") ? String(object.apiVersion).split("/") : ["core", object.apiVersion ?? "v1"];
    return { type: `kubernetes:${group}/${version}:${object.kind}`, name: object.metadata?.name ?? "", props: object };
}
