/** Small constructors so each rule file states only what is particular to its rule. */
import { POD_CONTROLLERS, forPod, type PodSpecAt } from "./pods";
import type { Category, ObjectRule, Severity, Violation } from "./types";

export function podRule(rule: {
    name: string; description: string; severity: Severity; category: Category;
    configProperties?: Record<string, object>;
    check: (pod: PodSpecAt, config: Record<string, unknown>) => Violation[];
}): ObjectRule {
    return {
        target: "object",
        kinds: POD_CONTROLLERS,
        name: rule.name,
        description: rule.description,
        severity: rule.severity,
        category: rule.category,
        configProperties: rule.configProperties,
        check: (object, config) => forPod(object, (pod) => rule.check(pod, config)),
    };
}

export const violation = (field: string, message: string): Violation => ({ field, message });
