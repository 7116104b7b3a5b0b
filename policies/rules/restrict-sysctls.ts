/**
 * PSS baseline "Sysctls", as openCenter's Kyverno policy `restrict-sysctls` (rule `check-sysctls`): each
 * `securityContext.sysctls[*].name`, where present, is one of the five names that ruleset allows. (Newer
 * Pod Security Standards allow more; the pinned ruleset does not, and Kyverno is what admits the pod.)
 */
import { podRule, violation } from "../lib/define";
import { has, matchesOneOf } from "../lib/kyverno";

export const SAFE_SYSCTLS = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range"];

export default podRule({
    name: "restrict-sysctls", category: "pod-security-baseline", severity: "medium",
    description: `Sysctls can change the node's kernel; only these are allowed: ${SAFE_SYSCTLS.join(", ")}.`,
    reads: ["spec.securityContext.sysctls[*].name"],
    check: (pod) => {
        const sysctls = pod.spec.securityContext?.sysctls;
        return (Array.isArray(sysctls) ? sysctls : []).flatMap((sysctl: any, i: number) => has(sysctl, "name") && !matchesOneOf(sysctl.name, SAFE_SYSCTLS)
            ? [violation(`${pod.path}.securityContext.sysctls[${i}].name`, `sysctl ${sysctl.name} is not allowed; allowed: ${SAFE_SYSCTLS.join(", ")}`, "check-sysctls")] : []);
    },
});
