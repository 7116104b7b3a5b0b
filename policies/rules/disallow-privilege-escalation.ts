/**
 * PSS restricted "Privilege Escalation", as openCenter's Kyverno policy `disallow-privilege-escalation`
 * (rule `privilege-escalation`): every container, in every list, sets
 * `securityContext.allowPrivilegeEscalation` to false (unset fails).
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";
import { matchesOneOf } from "../lib/kyverno";

export default podRule({
    name: "disallow-privilege-escalation", category: "pod-security-restricted", severity: "high",
    description: "Containers must set securityContext.allowPrivilegeEscalation to false.",
    reads: inContainers("securityContext.allowPrivilegeEscalation"),
    check: (pod) => containersOf(pod).filter((c) => !matchesOneOf(securityContextOf(c.container)?.allowPrivilegeEscalation, ["false"]))
        .map((c) => violation(`${c.path}.securityContext.allowPrivilegeEscalation`, "must be set to false", "privilege-escalation")),
});
