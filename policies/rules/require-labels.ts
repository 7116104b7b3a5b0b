/**
 * Kyverno best practice `require-labels` (rule `check-for-labels`): the Pod's labels (on a controller,
 * through autogen, its pod template's labels) carry a non-empty `app.kubernetes.io/name`; the labels are
 * configurable (requiredLabels).
 */
import { podRule, violation } from "../lib/define";
import { isNonEmpty } from "../lib/kyverno";

const DEFAULT_LABELS = ["app.kubernetes.io/name"];

export default podRule({
    name: "require-labels", category: "best-practices", severity: "medium",
    description: "Pods (and the pod templates of controllers) must carry the required labels with a value (config requiredLabels; default app.kubernetes.io/name).",
    reads: ["metadata.labels"],
    configProperties: { requiredLabels: { type: "array", items: { type: "string" }, default: DEFAULT_LABELS } },
    check: (pod, config) => ((config.requiredLabels as string[] | undefined) ?? DEFAULT_LABELS)
        .filter((label) => !isNonEmpty((pod.metadata.labels as Record<string, unknown> | undefined)?.[label]))
        .map((label) => violation(`${pod.metadataPath}.labels["${label}"]`, `label ${label} is required`, "check-for-labels")),
});
