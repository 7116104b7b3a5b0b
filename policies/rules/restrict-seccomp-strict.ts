/** PSS restricted "Seccomp": RuntimeDefault or Localhost must be set, for the pod or every container. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

const ALLOWED = ["RuntimeDefault", "Localhost"];

export default podRule({
    name: "restrict-seccomp-strict", category: "pod-security-restricted", severity: "medium",
    description: "seccompProfile.type must be RuntimeDefault or Localhost, set on the pod or on every container.",
    check: (pod) => {
        const podType = pod.spec.securityContext?.seccompProfile?.type;
        const out = podType !== undefined && !ALLOWED.includes(podType) ? [violation(`${pod.path}.securityContext.seccompProfile.type`, `${podType} is not allowed; allowed: RuntimeDefault, Localhost`)] : [];
        for (const c of containersOf(pod)) {
            const own = c.container.securityContext?.seccompProfile?.type;
            if (own !== undefined && !ALLOWED.includes(own)) {
                out.push(violation(`${c.path}.securityContext.seccompProfile.type`, `${own} is not allowed; allowed: RuntimeDefault, Localhost`));
            } else if (own === undefined && !ALLOWED.includes(podType)) {
                out.push(violation(`${c.path}.securityContext.seccompProfile.type`, `must be RuntimeDefault or Localhost here or at ${pod.path}.securityContext.seccompProfile.type`));
            }
        }
        return out;
    },
});
