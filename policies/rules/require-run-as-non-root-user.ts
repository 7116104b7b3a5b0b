/** PSS restricted "Running as Non-root user": runAsUser must not be 0. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "require-run-as-non-root-user", category: "pod-security-restricted", severity: "medium",
    description: "Containers must not run as user 0: securityContext.runAsUser must be unset or non-zero on the pod and every container.",
    check: (pod) => [
        ...(pod.spec.securityContext?.runAsUser === 0 ? [violation(`${pod.path}.securityContext.runAsUser`, "must not be 0")] : []),
        ...containersOf(pod).filter((c) => c.container.securityContext?.runAsUser === 0).map((c) => violation(`${c.path}.securityContext.runAsUser`, "must not be 0")),
    ],
});
