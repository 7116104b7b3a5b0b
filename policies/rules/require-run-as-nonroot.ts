/** PSS restricted "Running as Non-root": runAsNonRoot true for the pod or every container, never false. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "require-run-as-nonroot", category: "pod-security-restricted", severity: "medium",
    description: "Containers must run as non-root: securityContext.runAsNonRoot true on the pod or on every container, and never false on a container.",
    check: (pod) => {
        const podLevel = pod.spec.securityContext?.runAsNonRoot === true;
        return containersOf(pod).flatMap((c) => {
            const own = c.container.securityContext?.runAsNonRoot;
            if (own === false) return [violation(`${c.path}.securityContext.runAsNonRoot`, "must not be false")];
            if (own !== true && !podLevel) return [violation(`${c.path}.securityContext.runAsNonRoot`, `must be true here or at ${pod.path}.securityContext.runAsNonRoot`)];
            return [];
        });
    },
});
