/**
 * PSS baseline "/proc Mount Type", as openCenter's Kyverno policy `disallow-proc-mount` (rule
 * `check-proc-mount`): `securityContext.procMount`, where present, is `Default`.
 */
import { inContainers, podRule, violation } from "../lib/define";
import { containersOf, securityContextOf } from "../lib/pods";
import { has, matchesOneOf } from "../lib/kyverno";

export default podRule({
    name: "disallow-proc-mount", category: "pod-security-baseline", severity: "medium",
    description: "An unmasked /proc leaks host information; securityContext.procMount must be unset or Default.",
    reads: inContainers("securityContext.procMount"),
    check: (pod) => containersOf(pod).flatMap((c) => {
        const context = securityContextOf(c.container);
        return has(context, "procMount") && !matchesOneOf(context.procMount, ["Default"])
            ? [violation(`${c.path}.securityContext.procMount`, `procMount ${context.procMount} is not allowed; allowed: Default`, "check-proc-mount")] : [];
    }),
});
