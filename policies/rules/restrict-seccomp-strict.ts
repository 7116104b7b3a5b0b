/**
 * PSS restricted "Seccomp", as openCenter's Kyverno policy `restrict-seccomp-strict` (rule
 * `check-seccomp-strict`, an anyPattern): the pod passes when either
 *   1. the pod's `securityContext.seccompProfile.type` is RuntimeDefault or Localhost and no container
 *      sets another type, or
 *   2. every container, in every list, sets `securityContext.seccompProfile.type` to one of them (the
 *      pod-level value is then not read at all).
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";
import { has, matchesOneOf } from "../lib/kyverno";
import { SECCOMP_TYPES } from "./restrict-seccomp";

export default podRule({
    name: "restrict-seccomp-strict", category: "pod-security-restricted", severity: "high",
    description: "seccompProfile.type must be RuntimeDefault or Localhost, set on the pod (and nothing else on any container) or on every container.",
    reads: ["spec.securityContext.seccompProfile.type", ...inContainers("securityContext.seccompProfile.type")],
    check: (pod) => {
        const containers = containersOf(pod).map((c) => ({ ...c, profile: securityContextOf(c.container)?.seccompProfile }));
        const podPath = `${pod.path}.securityContext.seccompProfile.type`;
        const podType = pod.spec.securityContext?.seccompProfile?.type;
        const podAllowed = matchesOneOf(podType, SECCOMP_TYPES);
        const wrong = containers.filter((c) => has(c.profile, "type") && !matchesOneOf(c.profile.type, SECCOMP_TYPES));
        const unset = containers.filter((c) => !matchesOneOf(c.profile?.type, SECCOMP_TYPES));
        if ((podAllowed && wrong.length === 0) || unset.length === 0) return [];
        const notAllowed = (c: (typeof containers)[number]) => violation(`${c.path}.securityContext.seccompProfile.type`, `${c.profile.type} is not allowed; allowed: ${SECCOMP_TYPES.join(", ")}`, "check-seccomp-strict");
        // With an allowed pod-level type, only the containers that override it are in the way.
        if (podAllowed) return wrong.map(notAllowed);
        return [
            ...(podType !== undefined ? [violation(podPath, `${podType} is not allowed; allowed: ${SECCOMP_TYPES.join(", ")}`, "check-seccomp-strict")] : []),
            ...unset.map((c) => has(c.profile, "type") ? notAllowed(c)
                : violation(`${c.path}.securityContext.seccompProfile.type`, `must be RuntimeDefault or Localhost here or at ${podPath}`, "check-seccomp-strict")),
        ];
    },
});
