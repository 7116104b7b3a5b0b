/**
 * PSS baseline "Capabilities", as openCenter's Kyverno policy `disallow-capabilities` (rule
 * `adding-capabilities`): every entry of `capabilities.add`, in every container list, must be one of
 * the baseline set.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";

export const BASELINE_CAPABILITIES = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];

export default podRule({
    name: "disallow-capabilities", category: "pod-security-baseline", severity: "medium",
    description: `Adding capabilities beyond the default set is disallowed; allowed: ${BASELINE_CAPABILITIES.join(", ")}.`,
    reads: inContainers("securityContext.capabilities.add"),
    check: (pod) => containersOf(pod).flatMap((c) => {
        const add = securityContextOf(c.container)?.capabilities?.add;
        return (Array.isArray(add) ? add : []).flatMap((cap, i) => cap === null || BASELINE_CAPABILITIES.includes(cap) ? []
            : [violation(`${c.path}.securityContext.capabilities.add[${i}]`, `capability ${cap} may not be added; allowed: ${BASELINE_CAPABILITIES.join(", ")}`, "adding-capabilities")]);
    }),
});
