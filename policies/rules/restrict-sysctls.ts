/** PSS baseline "Sysctls": only the namespaced, safe set. */
import { podRule, violation } from "../lib/define";

export const SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
];

export default podRule({
    name: "restrict-sysctls", category: "pod-security-baseline", severity: "medium",
    description: `Sysctls can change the node's kernel; only the safe set is allowed: ${SAFE_SYSCTLS.join(", ")}.`,
    check: (pod) => ((pod.spec.securityContext?.sysctls ?? []) as any[]).map((s, i) => ({ s, i })).filter(({ s }) => !SAFE_SYSCTLS.includes(s?.name))
        .map(({ s, i }) => violation(`${pod.path}.securityContext.sysctls[${i}].name`, `sysctl ${s?.name} is not in the safe set`)),
});
