/** The shapes every rule works on: plain objects, so the same rules run in the pack and offline. */
export interface KubeObject {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: any;
    data?: Record<string, string>;
    [field: string]: any;
}

export interface Violation {
    /** Field path inside the object, e.g. `spec.template.spec.containers[0].securityContext.privileged`. */
    readonly field: string;
    readonly message: string;
    /** The Kyverno rule (inside the policy of the same name) this violation belongs to, where Kyverno has one. */
    readonly rule?: string;
}

/** Settings every policy takes from the pack config (and `npm run policy -- --config`). */
export interface CommonConfig {
    /** Namespaces the policy skips. */
    readonly exemptNamespaces?: readonly string[];
    /** Workloads the policy skips, as `namespace/name` or `name`. */
    readonly exemptWorkloads?: readonly string[];
    [setting: string]: unknown;
}

export type Enforcement = "advisory" | "mandatory" | "disabled";

export type Severity = "low" | "medium" | "high" | "critical";
export type Category = "pod-security-baseline" | "pod-security-restricted" | "best-practices" | "platform" | "stack";

interface RuleBase {
    /** Kyverno's name, so a Kyverno user can map one to the other. */
    readonly name: string;
    readonly description: string;
    readonly severity: Severity;
    readonly category: Category;
    /** Extra JSON-schema properties of the policy's config. */
    readonly configProperties?: Record<string, object>;
    /** The default enforcement when it is not the category's. */
    readonly enforcement?: Enforcement;
}

/** A rule on Kubernetes objects (what Pulumi registers and what Flux applies from Git). */
export interface ObjectRule extends RuleBase {
    readonly target: "object";
    /** Exactly the kinds Kyverno's policy of the same name evaluates (autogen included, openCenter's filters applied). */
    readonly kinds: readonly string[];
    /**
     * The fields the rule reads, written as Kyverno's Pod policies name them (`spec.containers[*].securityContext.privileged`,
     * `metadata.annotations`); on a pod controller the same fields under its pod template. The parity test compares
     * them with the real ClusterPolicies.
     */
    readonly reads?: readonly string[];
    check(object: KubeObject, config: CommonConfig): Violation[];
}

/** A rule on any resource this program registers, by Pulumi type token. */
export interface ResourceRule extends RuleBase {
    readonly target: "resource";
    appliesTo(type: string, name: string): boolean;
    check(resource: PlainResource, config: CommonConfig): Violation[];
}

/** A rule across every resource of a stack. */
export interface StackRule extends RuleBase {
    readonly target: "stack";
    check(resources: readonly PlainResource[], config: CommonConfig): Violation[];
}

export type Rule = ObjectRule | ResourceRule | StackRule;

export interface PlainResource {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, any>;
}
