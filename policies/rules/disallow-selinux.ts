/**
 * PSS baseline "SELinux", as openCenter's Kyverno policy `disallow-selinux`: rule `selinux-type`
 * (`seLinuxOptions.type`, where present, is one of container_t, container_init_t, container_kvm_t) and
 * rule `selinux-user-role` (`seLinuxOptions.user` and `.role` are absent), on the pod and on every
 * container.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";
import { has, matchesOneOf } from "../lib/kyverno";
import type { Violation } from "../lib/types";

export const SELINUX_TYPES = ["container_t", "container_init_t", "container_kvm_t"];

function check(options: unknown, path: string): Violation[] {
    if (typeof options !== "object" || options === null) return [];
    const values = options as Record<string, unknown>;
    return [
        ...(has(values, "type") && !matchesOneOf(values.type, SELINUX_TYPES)
            ? [violation(`${path}.type`, `SELinux type ${values.type} is not allowed; allowed: ${SELINUX_TYPES.join(", ")}`, "selinux-type")] : []),
        ...(["user", "role"] as const).filter((field) => has(values, field))
            .map((field) => violation(`${path}.${field}`, `SELinux ${field} must be unset`, "selinux-user-role")),
    ];
}

export default podRule({
    name: "disallow-selinux", category: "pod-security-baseline", severity: "medium",
    description: `Custom SELinux options can escape isolation; seLinuxOptions.user and role must be unset and type one of ${SELINUX_TYPES.join(", ")}.`,
    reads: ["type", "user", "role"].flatMap((field) => [`spec.securityContext.seLinuxOptions.${field}`, ...inContainers(`securityContext.seLinuxOptions.${field}`)]),
    check: (pod) => [
        ...check(pod.spec.securityContext?.seLinuxOptions, `${pod.path}.securityContext.seLinuxOptions`),
        ...containersOf(pod).flatMap((c) => check(securityContextOf(c.container)?.seLinuxOptions, `${c.path}.securityContext.seLinuxOptions`)),
    ],
});
