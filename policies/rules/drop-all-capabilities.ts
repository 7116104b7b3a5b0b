/**
 * Kyverno best practice `drop-all-capabilities` (kyverno/policies best-practices/require-drop-all, rule
 * `require-drop-all`): every container, in every list, drops `ALL`, in any letter case.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";

export default podRule({
    name: "drop-all-capabilities", category: "best-practices", severity: "medium",
    description: "Containers must drop ALL capabilities (securityContext.capabilities.drop includes ALL, any case).",
    reads: inContainers("securityContext.capabilities.drop"),
    check: (pod) => containersOf(pod).filter((c) => {
        const drop = securityContextOf(c.container)?.capabilities?.drop;
        return !(Array.isArray(drop) && drop.some((cap) => typeof cap === "string" && cap.toUpperCase() === "ALL"));
    }).map((c) => violation(`${c.path}.securityContext.capabilities.drop`, "must include ALL", "require-drop-all")),
});
