/** PSS baseline "Capabilities": only the default set may be added. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export const BASELINE_CAPABILITIES = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];

export default podRule({
    name: "disallow-capabilities", category: "pod-security-baseline", severity: "medium",
    description: `Adding capabilities beyond the default set is disallowed; allowed: ${BASELINE_CAPABILITIES.join(", ")}.`,
    check: (pod) => containersOf(pod).flatMap((c) => ((c.container.securityContext?.capabilities?.add ?? []) as string[])
        .map((cap, i) => ({ cap, i })).filter(({ cap }) => !BASELINE_CAPABILITIES.includes(cap))
        .map(({ cap, i }) => violation(`${c.path}.securityContext.capabilities.add[${i}]`, `capability ${cap} may not be added`))),
});
