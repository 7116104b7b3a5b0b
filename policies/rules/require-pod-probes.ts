/**
 * Kyverno best practice `require-pod-probes` (kyverno/policies best-practices/require-probes, rule
 * `validate-probes`): every entry of `containers` (not init or ephemeral containers) has at least one of
 * livenessProbe, readinessProbe or startupProbe. Autogen is limited to DaemonSet, Deployment and
 * StatefulSet by the policy's annotation.
 */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";
import { has } from "../lib/kyverno";

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"];

export default podRule({
    name: "require-pod-probes", category: "best-practices", severity: "medium",
    autogen: ["DaemonSet", "Deployment", "StatefulSet"],
    description: "Containers must define a livenessProbe, a readinessProbe or a startupProbe, so Kubernetes can restart and route around unhealthy pods.",
    reads: PROBES.map((probe) => `spec.containers[*].${probe}`),
    check: (pod) => containersOf(pod, ["containers"]).filter((c) => !PROBES.some((probe) => has(c.container, probe)))
        .map((c) => violation(`${c.path}.livenessProbe`, "one of livenessProbe, readinessProbe or startupProbe is required", "validate-probes")),
});
