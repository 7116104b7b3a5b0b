/** Kyverno best practice: liveness and readiness probes on every container. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "require-pod-probes", category: "best-practices", severity: "medium",
    description: "Containers must define livenessProbe and readinessProbe so Kubernetes can restart and route around unhealthy pods.",
    check: (pod) => containersOf(pod, ["containers"]).flatMap((c) => (["livenessProbe", "readinessProbe"] as const)
        .filter((probe) => c.container[probe] === undefined).map((probe) => violation(`${c.path}.${probe}`, `${probe} is required`))),
});
