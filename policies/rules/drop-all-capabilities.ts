/** Kyverno best practice: containers drop ALL capabilities. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "drop-all-capabilities", category: "best-practices", severity: "medium",
    description: "Containers must drop ALL capabilities (securityContext.capabilities.drop includes ALL).",
    check: (pod) => containersOf(pod).filter((c) => !((c.container.securityContext?.capabilities?.drop ?? []) as string[]).includes("ALL"))
        .map((c) => violation(`${c.path}.securityContext.capabilities.drop`, "must include ALL")),
});
