/** Kyverno best practice: CPU and memory requests and a memory limit on every container. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "require-requests-limits", category: "best-practices", severity: "medium",
    description: "Containers must request CPU and memory and set a memory limit, so the scheduler and the OOM killer behave predictably.",
    check: (pod) => containersOf(pod, ["containers"]).flatMap((c) => [
        ...(["cpu", "memory"].filter((r) => c.container.resources?.requests?.[r] === undefined).map((r) => violation(`${c.path}.resources.requests.${r}`, `${r} request is required`))),
        ...(c.container.resources?.limits?.memory === undefined ? [violation(`${c.path}.resources.limits.memory`, "memory limit is required")] : []),
    ]),
});
