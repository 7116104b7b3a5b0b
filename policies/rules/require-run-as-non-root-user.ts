/**
 * PSS restricted "Running as Non-root user", as openCenter's Kyverno policy
 * `require-run-as-non-root-user` (rule `run-as-non-root-user`): `runAsUser`, where present on the pod
 * or on a container, is a number above zero.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";
import { has, isAboveZero } from "../lib/kyverno";
import type { Violation } from "../lib/types";

const check = (context: unknown, path: string): Violation[] => has(context, "runAsUser") && !isAboveZero((context as any).runAsUser)
    ? [violation(`${path}.runAsUser`, `must be unset or above 0, not ${(context as any).runAsUser}`, "run-as-non-root-user")] : [];

export default podRule({
    name: "require-run-as-non-root-user", category: "pod-security-restricted", severity: "high",
    description: "Containers must not run as user 0: securityContext.runAsUser must be unset or above 0 on the pod and every container.",
    reads: ["spec.securityContext.runAsUser", ...inContainers("securityContext.runAsUser")],
    check: (pod) => [
        ...check(pod.spec.securityContext, `${pod.path}.securityContext`),
        ...containersOf(pod).flatMap((c) => check(securityContextOf(c.container), `${c.path}.securityContext`)),
    ],
});
