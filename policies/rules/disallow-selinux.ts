/** PSS baseline "SELinux": no custom SELinux user or role, and only the container types. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

const ALLOWED_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

function check(options: any, path: string) {
    if (!options) return [];
    return [
        ...(options.type !== undefined && !ALLOWED_TYPES.includes(options.type) ? [violation(`${path}.type`, `SELinux type ${options.type} is not allowed; allowed: ${ALLOWED_TYPES.filter(Boolean).join(", ")}`)] : []),
        ...(["user", "role"] as const).filter((f) => options[f] !== undefined && options[f] !== "").map((f) => violation(`${path}.${f}`, `SELinux ${f} must be unset`)),
    ];
}

export default podRule({
    name: "disallow-selinux", category: "pod-security-baseline", severity: "medium",
    description: "Custom SELinux options can escape isolation; seLinuxOptions.user and role must be unset and type one of the container types.",
    check: (pod) => [
        ...check(pod.spec.securityContext?.seLinuxOptions, `${pod.path}.securityContext.seLinuxOptions`),
        ...containersOf(pod).flatMap((c) => check(c.container.securityContext?.seLinuxOptions, `${c.path}.securityContext.seLinuxOptions`)),
    ],
});
