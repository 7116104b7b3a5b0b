/** PSS baseline "/proc Mount Type": only the default masked /proc. */
import { podRule, violation } from "../lib/define";
import { containersOf } from "../lib/pods";

export default podRule({
    name: "disallow-proc-mount", category: "pod-security-baseline", severity: "medium",
    description: "An unmasked /proc leaks host information; securityContext.procMount must be unset or Default.",
    check: (pod) => containersOf(pod).filter((c) => c.container.securityContext?.procMount !== undefined && c.container.securityContext.procMount !== "Default")
        .map((c) => violation(`${c.path}.securityContext.procMount`, `procMount ${c.container.securityContext.procMount} must be unset or Default`)),
});
