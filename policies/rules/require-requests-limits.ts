/**
 * Kyverno best practice `require-requests-limits` (kyverno/policies best-practices/require-pod-requests-limits,
 * rule `validate-resources`): every entry of `containers` has non-empty CPU and memory requests and a memory limit.
 */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";
import { isNonEmpty } from "../lib/kyverno";

export default podRule({
    name: "require-requests-limits", category: "best-practices", severity: "medium",
    description: "Containers must request CPU and memory and set a memory limit, so the scheduler and the OOM killer behave predictably.",
    reads: ["spec.containers[*].resources.requests.cpu", "spec.containers[*].resources.requests.memory", "spec.containers[*].resources.limits.memory"],
    check: (pod) => containersOf(pod, ["containers"]).flatMap((c) => [
        ...["cpu", "memory"].filter((r) => !isNonEmpty(c.container.resources?.requests?.[r])).map((r) => violation(`${c.path}.resources.requests.${r}`, `${r} request is required`, "validate-resources")),
        ...(isNonEmpty(c.container.resources?.limits?.memory) ? [] : [violation(`${c.path}.resources.limits.memory`, "memory limit is required", "validate-resources")]),
    ]),
});
