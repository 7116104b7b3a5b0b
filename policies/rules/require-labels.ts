/** Kyverno best practice: the labels the platform needs (policy config). */
import { violation } from "../lib/define";
import { POD_CONTROLLERS } from "../lib/pods";
import type { ObjectRule } from "../lib/types";

const DEFAULT_LABELS = ["app.kubernetes.io/name"];

const rule: ObjectRule = {
    target: "object", name: "require-labels", category: "best-practices", severity: "low",
    kinds: [...POD_CONTROLLERS, "Service"],
    description: "Workloads must carry the required labels (config requiredLabels).",
    configProperties: { requiredLabels: { type: "array", items: { type: "string" }, default: DEFAULT_LABELS } },
    check: (object, config) => ((config.requiredLabels as string[] | undefined) ?? DEFAULT_LABELS)
        .filter((label) => object.metadata?.labels?.[label] === undefined)
        .map((label) => violation(`metadata.labels["${label}"]`, `label ${label} is required`)),
};
export default rule;
