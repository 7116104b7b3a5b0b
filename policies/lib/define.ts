/** Small constructors so each rule file states only what is particular to its rule. */
import { forPod, podRuleKinds, type ContainerList, type PodSpecAt } from "./pods";
import type { Category, ObjectRule, Severity, Violation } from "./types";

export function podRule(rule: {
    name: string; description: string; severity: Severity; category: Category;
    /** Autogen controllers of the Kyverno policy (its `pod-policies.kyverno.io/autogen-controllers`). @default Kyverno's default set */
    autogen?: readonly string[];
    reads?: readonly string[];
    configProperties?: Record<string, object>;
    check: (pod: PodSpecAt, config: Record<string, unknown>) => Violation[];
}): ObjectRule {
    return {
        target: "object",
        kinds: podRuleKinds(rule.autogen),
        name: rule.name,
        description: rule.description,
        severity: rule.severity,
        category: rule.category,
        reads: rule.reads,
        configProperties: rule.configProperties,
        check: (object, config) => forPod(object, (pod) => rule.check(pod, config)),
    };
}

export const violation = (field: string, message: string, rule?: string): Violation => (rule ? { field, message, rule } : { field, message });

/** `spec.<list>[*].<path>` for each container list, as Kyverno's policies name container fields. */
export function inContainers(path: string, lists: readonly ContainerList[] = ["ephemeralContainers", "initContainers", "containers"]): string[] {
    return lists.map((list) => `spec.${list}[*].${path}`);
}
