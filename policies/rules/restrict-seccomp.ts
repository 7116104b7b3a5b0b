/**
 * PSS baseline "Seccomp", as openCenter's Kyverno policy `restrict-seccomp` (rule `check-seccomp`):
 * `seccompProfile.type`, where present on the pod or a container, is RuntimeDefault or Localhost.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";
import { has, matchesOneOf } from "../lib/kyverno";
import type { Violation } from "../lib/types";

export const SECCOMP_TYPES = ["RuntimeDefault", "Localhost"];

const check = (profile: unknown, path: string): Violation[] => has(profile, "type") && !matchesOneOf((profile as any).type, SECCOMP_TYPES)
    ? [violation(`${path}.type`, `seccomp profile ${(profile as any).type} is not allowed; allowed: ${SECCOMP_TYPES.join(", ")}`, "check-seccomp")] : [];

export default podRule({
    name: "restrict-seccomp", category: "pod-security-baseline", severity: "medium",
    description: "Seccomp may not be disabled: seccompProfile.type must be unset, RuntimeDefault or Localhost.",
    reads: ["spec.securityContext.seccompProfile.type", ...inContainers("securityContext.seccompProfile.type")],
    check: (pod) => [
        ...check(pod.spec.securityContext?.seccompProfile, `${pod.path}.securityContext.seccompProfile`),
        ...containersOf(pod).flatMap((c) => check(securityContextOf(c.container)?.seccompProfile, `${c.path}.securityContext.seccompProfile`)),
    ],
});
