/** PSS restricted "Privilege Escalation": allowPrivilegeEscalation must be false. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "disallow-privilege-escalation", category: "pod-security-restricted", severity: "medium",
    description: "Containers must set securityContext.allowPrivilegeEscalation to false.",
    check: (pod) => containersOf(pod).filter((c) => c.container.securityContext?.allowPrivilegeEscalation !== false)
        .map((c) => violation(`${c.path}.securityContext.allowPrivilegeEscalation`, "must be set to false")),
});
